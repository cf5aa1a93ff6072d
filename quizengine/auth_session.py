"""How Flask-Login finds the signed-in user, what happens when nobody is, fresh sign-ins,
and cookie flags."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    current_app,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask import Response as FlaskResponse
from flask_login import LoginManager, current_user, login_fresh

from .extensions import db

# When this session last proved the password (Unix seconds); see `fresh_login_required`.
AUTH_TIME_KEY = "_auth_at"


class Response(FlaskResponse):
    """Every cookie set on a response to an HTTPS request is Secure.

    Flask, Flask-Login and our device cookie all call `set_cookie`, so this one
    place covers the session, remember-me and device cookies. Behind a proxy
    that ends TLS, either trust its X-Forwarded-Proto (`PROXY_FIX`) or set
    `SESSION_COOKIE_SECURE`, which makes them Secure always.
    """

    def set_cookie(self, key: str, *args: Any, secure: bool = False, **kwargs: Any) -> None:
        secure = secure or (has_request_context() and request.is_secure)
        super().set_cookie(key, *args, secure=secure, **kwargs)


def configure_app(app: Flask) -> None:
    """Cookie flags that follow each other, and the scheme behind a trusted proxy."""
    app.response_class = Response
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config["SESSION_COOKIE_SECURE"]))
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def configure(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.login_message_category = "info"
    manager.refresh_view = "auth.reauthenticate"
    manager.needs_refresh_message = "Please confirm your password to continue."
    manager.needs_refresh_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(token: str):
        from .accounts import load_user_by_token

        return load_user_by_token(db.session, token)

    @manager.unauthorized_handler
    def unauthorized():
        # API clients (the offline outbox) need a 401 they can act on, never a redirect.
        if request.path.startswith("/api/"):
            response = jsonify(
                {"error": {"code": "unauthorized", "message": "Sign in to use this endpoint."}}
            )
            response.status_code = 401
            return response
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None.

    Only a path that starts with exactly one "/" is accepted; a backslash, a
    scheme, a host or a control character anywhere rejects it ("/\\evil.com"
    is a host to some browsers).

    >>> safe_next("/practice?x=1"), safe_next("//evil.com"), safe_next("/\\\\evil.com")
    ('/practice?x=1', None, None)
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def mark_fresh(now: datetime) -> None:
    """Record that this session just proved the password (or a link sent to the mailbox)."""
    session["_fresh"] = True
    session[AUTH_TIME_KEY] = int(now.timestamp())


def is_fresh(now: datetime) -> bool:
    """True if this session proved the password within `FRESH_LOGIN_SECONDS`.

    A session restored from a remember-me cookie is never fresh (Flask-Login
    marks it so), and neither is an old one: a borrowed laptop left signed in
    cannot change the password or the email.
    """
    if not login_fresh():
        return False
    proved = session.get(AUTH_TIME_KEY)
    window = current_app.config["FRESH_LOGIN_SECONDS"]
    return isinstance(proved, int) and 0 <= now.timestamp() - proved <= window


def fresh_login_required(view: Callable) -> Callable:
    """Like Flask-Login's decorator of that name, with a time window: else ask for the password."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not is_fresh(datetime.now(UTC)):
            return current_app.login_manager.needs_refresh()
        return view(*args, **kwargs)

    return wrapped


def no_referrer(page: str, status: int) -> FlaskResponse:
    """Answer a page whose URL holds a token: the token must not leave in a Referer header."""
    response = make_response(page, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
