"""For operators: a health check, request ids in responses and logs (backups: backups.py)."""

from __future__ import annotations

import logging
import re
import uuid

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
from sqlalchemy import text

from .backups import backup_command, restore_command
from .errors import API_PREFIX, TITLES, error_body
from .extensions import db, limiter

bp = Blueprint("operations", __name__)
# Loggers whose lines go to stderr with the request id: the app's (app.logger and every
# quizengine.* module) and Flask-Limiter's (it warns there when its storage is down).
LOGGERS = ("quizengine", "flask-limiter")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
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
    """200 when the database answers and its schema is at the newest migration, else 503.

    The rate-limit storage down is "degraded", still 200: the servers share it, so a
    503 would take every one of them out of the load balancer at once, while each can
    still serve, counting limits in its own memory until the storage is back.
    """
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
    report["ratelimit"] = ratelimit_state()
    degraded = report["ratelimit"].startswith("degraded")
    status = "unhealthy" if not healthy else "degraded" if degraded else "ok"
    response = jsonify({"status": status, **report})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def ratelimit_state() -> str:
    """Say whether the rate-limit storage answers: "ok", "off", or "degraded: ..."."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return "off"
    try:
        answers = limiter.storage.check()
    except Exception:  # a storage that cannot even be asked is down too
        answers = False
    return "ok" if answers else "degraded: storage unreachable, limits counted per process"


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def assign_request_id() -> None:
    """Take the caller's X-Request-ID if sane, else make one."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex


def register(app: Flask) -> None:
    """Give each request an id (the caller's X-Request-ID if sane), echo it, log it."""
    # First of all hooks: CSRF and Flask-Limiter, bound earlier, refuse requests in theirs,
    # and the refusal must carry the id too.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)
    app.before_request(refuse_nul_characters)

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    for name in LOGGERS:
        _log_to_stderr(logging.getLogger(name))
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


def _log_to_stderr(logger: logging.Logger) -> None:
    """Send a logger's lines to stderr with the request id, from INFO up (once per process).

    Left at NOTSET, a logger inherits the root's WARNING and drops INFO lines, such as
    the mail that `log://` writes to the log; a level an operator set is kept.
    """
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if any(isinstance(f, RequestIdFilter) for f in logger.filters):
        return
    logger.addFilter(RequestIdFilter())
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
