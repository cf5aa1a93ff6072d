"""For operators: a health check, request ids in responses and logs, backup and restore."""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
from pathlib import Path

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
)
from flask.cli import with_appcontext
from sqlalchemy import text

from .errors import API_PREFIX, TITLES, error_body
from .extensions import db

bp = Blueprint("operations", __name__)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
NUL_MESSAGE = "Text cannot contain the NUL character."
# Everything is served by the app itself: no other origin may run script, be
# framed around us, or receive a form. Inline style stays allowed for figures.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@bp.get("/healthz")
def healthz():
    """200 when the database answers and its schema is at the newest migration, else 503."""
    report = {"database": "ok", "migrations": "head"}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
        heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
        if current != heads:
            report["migrations"] = f"at {sorted(current) or 'nothing'}, head is {sorted(heads)}"
    except Exception as error:  # any failure to reach the database is the answer itself
        report["database"] = f"unreachable: {type(error).__name__}"
    healthy = report == {"database": "ok", "migrations": "head"}
    response = jsonify({"status": "ok" if healthy else "unhealthy", **report})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def register(app: Flask) -> None:
    """Give each request an id (the caller's X-Request-ID if sane), echo it, log it."""

    @app.before_request
    def _assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex

    app.before_request(refuse_nul_characters)

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    logger = logging.getLogger("quizengine")
    if not any(isinstance(f, RequestIdFilter) for f in logger.filters):
        logger.addFilter(RequestIdFilter())
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def refuse_nul_characters():
    """Answer 400 to a form or query holding a NUL character, before any view sees it.

    PostgreSQL's text cannot hold NUL, so it would fail deep in a query as a
    500; no field of ours has a use for it.
    """
    fields = (*request.args.items(multi=True), *request.form.items(multi=True))
    if not any("\x00" in key or "\x00" in value for key, value in fields):
        return None
    if request.path.startswith(API_PREFIX):
        response = jsonify(error_body("nul_character", NUL_MESSAGE))
        response.status_code = 400
        return response
    page = render_template("errors/error.html", status=400, title=TITLES[400],
                           message=NUL_MESSAGE)  # fmt: skip
    return page, 400


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "backup and restore work on a SQLite file; for PostgreSQL use pg_dump and "
            "pg_restore (see README)"
        )
    return Path(url.database)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH while the app keeps running (online backup)."""
    source = _sqlite_path()
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file")
    with sqlite3.connect(source) as live, sqlite3.connect(path) as copy:
        live.backup(copy)
    click.echo(f"Backed up {source} to {path}.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="Replace the current database with this backup?")
def restore_command(path: Path) -> None:
    """Replace the SQLite database with the backup at PATH (stop the servers first)."""
    target = _sqlite_path()
    with sqlite3.connect(path) as saved:
        if saved.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{path} is not a sound SQLite database")
        with sqlite3.connect(target) as live:
            saved.backup(live)
    db.engine.dispose()
    click.echo(f"Restored {target} from {path}.")
