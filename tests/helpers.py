"""Helpers shared by tests: an app factory for tests and a sign-in driver."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from quizengine import create_app
from quizengine.extensions import db

PASSWORD = "correct horse battery"


def make_app(tmp_path: Path, **overrides) -> Flask:
    """Create an app on its own SQLite file with the schema in place."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


class AuthActions:
    """Sign up, in and out through the real forms, as a browser would."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        """Return the CSRF token embedded in the form at `path` (empty if CSRF is off)."""
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        return match.group(1) if match else ""

    def signup(self, email="ada@example.org", password=PASSWORD, name="Ada", role="learner"):
        data = {"email": email, "display_name": name, "password": password, "role": role}
        return self.client.post(
            "/signup", data={**data, "csrf_token": self.csrf("/signup")}
        )

    def login(self, email="ada@example.org", password=PASSWORD, remember=False, next=None):
        data = {"email": email, "password": password, "csrf_token": self.csrf()}
        if remember:
            data["remember"] = "y"
        url = "/login" if next is None else f"/login?next={next}"
        return self.client.post(url, data=data)

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf("/")})
