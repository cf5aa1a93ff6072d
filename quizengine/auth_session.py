"""How Flask-Login finds the signed-in user, and what happens when nobody is."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import jsonify, redirect, request, url_for
from flask_login import LoginManager

from .extensions import db


def configure(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.login_message_category = "info"
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
