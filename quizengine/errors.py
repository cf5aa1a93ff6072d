"""Error pages in the layout, and one JSON envelope for everything under /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
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
}


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


def register(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
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


def _unexpected_error(error: Exception):
    db.session.rollback()
    # The traceback goes to the log; the person sees a page in the layout.
    logging.getLogger("quizengine").error("unhandled error", exc_info=error)
    return _http_error(InternalServerError())
