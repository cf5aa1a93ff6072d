"""Error pages in the layout, and one JSON envelope for everything under /api/."""

from __future__ import annotations

import logging
import sqlite3
from enum import StrEnum

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

API_PREFIX = "/api/"

FRIENDLY = {
    400: "That request could not be understood.",
    401: "Please sign in first.",
    403: "You do not have access to this page.",
    404: "There is nothing at this address.",
    405: "That action is not allowed here.",
    413: "That request is too large.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Your saved work is safe; please try again.",
}


TITLES = {
    400: "Request not understood",
    403: "Not allowed",
    404: "Page not found",
    429: "Slow down",
    500: "Something went wrong",
    503: "Busy for a moment",
}


class DatabaseTrouble(StrEnum):
    """A database failure that passes by itself: the request may simply be sent again."""

    BUSY = "busy"  # SQLite's write lock held too long; a deadlock or serialization failure
    UNAVAILABLE = "unavailable"  # no connection: restarting, unreachable, too many clients


# The envelope's code, what happened (in words), and the Retry-After in seconds.
TROUBLE = {
    DatabaseTrouble.BUSY: ("database_busy", "The database is busy", 2),
    DatabaseTrouble.UNAVAILABLE: (
        "database_unavailable",
        "The database cannot be reached right now",
        3,
    ),
}


def trouble_message(what: str, method: str) -> str:
    """Say what happened and what to do; a write that failed was not saved.

    >>> trouble_message("The database is busy", "POST")
    'The database is busy, so this was not saved. Try again in a moment.'
    """
    result = "this could not be loaded" if method in ("GET", "HEAD") else "this was not saved"
    return f"{what}, so {result}. Try again in a moment."


def error_body(code: str, message: str, field: str | None = None) -> dict:
    """Return the API's error envelope."""
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error}


class ApiError(Exception):
    """An expected API failure: an HTTP status and the envelope's code, message and field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


UNAVAILABLE_STATES = ("53300", "57P01", "57P02", "57P03")


def database_trouble(error: BaseException) -> DatabaseTrouble | None:
    """Say whether `error` means the database is busy or unreachable for a while.

    Anything else from the database (a missing table, a broken constraint, a
    bug in a query) is not transient and stays a 500.
    """
    if isinstance(error, PoolTimeoutError):  # every pooled connection stayed in use
        return DatabaseTrouble.BUSY
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:  # SQLAlchemy saw the connection die
        return DatabaseTrouble.UNAVAILABLE
    if not isinstance(error, OperationalError):
        return None
    original = error.orig
    if isinstance(original, sqlite3.Error):
        # SQLITE_BUSY / SQLITE_LOCKED after the busy timeout: "database is locked",
        # "database table is locked", "database schema is locked".
        return DatabaseTrouble.BUSY if "is locked" in str(original) else None
    sqlstate = getattr(original, "sqlstate", None) or ""
    # Serialization failure or deadlock (40...), lock not available, statement timeout.
    if sqlstate.startswith("40") or sqlstate in ("55P03", "57014"):
        return DatabaseTrouble.BUSY
    # PostgreSQL (psycopg): a connection refused before any SQLSTATE, dropped (08...),
    # "too many clients", "shutting down / starting up": the server is not there yet.
    # Anything else (a program limit, an I/O error) will not pass by retrying.
    if not sqlstate or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_STATES:
        return DatabaseTrouble.UNAVAILABLE
    return None


def register(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeoutError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def _respond(status: int, code: str, message: str):
    if request.path.startswith(API_PREFIX):
        response = jsonify(error_body(code, message))
        response.status_code = status
        return response
    title = TITLES.get(status, "Something went wrong")
    page = render_template("errors/error.html", status=status, title=title, message=message)
    return page, status


def _api_error(error: ApiError):
    response = jsonify(error_body(error.code, error.message, error.field))
    response.status_code = error.status
    return response


def _csrf_error(error: CSRFError):
    message = "This form has expired or was not sent from this site. Reload the page and try again."
    return _respond(400, "csrf", message)


def _http_error(error: HTTPException):
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    return _respond(status, code, FRIENDLY.get(status, error.description or code))


def _database_error(error: Exception):
    trouble = database_trouble(error)
    if trouble is None:
        return _unexpected_error(error)
    _rollback()
    code, what, retry_after = TROUBLE[trouble]
    message = trouble_message(what, request.method)
    # A known, passing condition: one line in the log, no traceback.
    detail = (str(getattr(error, "orig", None) or error).splitlines() or ["?"])[0]
    logging.getLogger("quizengine").warning("database %s: %s", trouble, detail)
    if request.path.startswith(API_PREFIX):
        response = jsonify(error_body(code, message))
        response.status_code = 503
    else:
        # Not the layout: its navigation would ask the database who is signed in.
        refresh = retry_after * 2 if request.method == "GET" else None
        page = render_template("errors/unavailable.html", status=503, title=TITLES[503],
                               message=message, refresh=refresh)  # fmt: skip
        response = make_response(page, 503)
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def _rollback() -> None:
    """Roll the request's session back; a dead connection may refuse even that."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: SQLAlchemy has invalidated it already
        logging.getLogger("quizengine").debug("rollback failed", exc_info=True)


def _unexpected_error(error: Exception):
    _rollback()
    # The traceback goes to the log; the person sees a page in the layout.
    logging.getLogger("quizengine").error("unhandled error", exc_info=error)
    return _http_error(InternalServerError())
