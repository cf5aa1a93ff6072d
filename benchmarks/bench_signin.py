"""Sign-in requests per second through the test client, against a bare Flask app."""

from __future__ import annotations

import tempfile
from pathlib import Path

from argon2 import PasswordHasher
from flask import Flask, redirect, request, session

from quizengine import create_app
from quizengine.accounts import create_user
from quizengine.extensions import db

from .registry import Row, benchmark
from .timing import rate_side_by_side

EMAIL, PASSWORD = "bench@example.org", "benchmark password"


def bare_app(password_hash: str) -> Flask:
    """The least a Flask app can do to sign someone in: same hash check, a session."""
    app = Flask(__name__)
    app.secret_key = "bench"
    users = {EMAIL: password_hash}
    hasher = PasswordHasher()

    @app.post("/login")
    def login():
        stored = users.get(request.form["email"])
        if stored is None or not hasher.verify(stored, request.form["password"]):
            return "no", 400
        session["user"] = request.form["email"]
        return redirect("/")

    return app


@benchmark("signin")
def signin() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="qe-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "bench",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "INSTANCE_PATH": str(folder),
        }
    )
    with app.app_context():
        db.create_all()
        password_hash = create_user(EMAIL, PASSWORD).password_hash
    ours, bare = app.test_client(), bare_app(password_hash).test_client()
    form = {"email": EMAIL, "password": PASSWORD}

    def sign_in(client):
        def call() -> None:
            assert client.post("/login", data=form).status_code == 302

        return call

    rates = rate_side_by_side(
        {"quizengine": sign_in(ours), "bare": sign_in(bare)}, per_round=10, rounds=5
    )
    ratio = rates["quizengine"] / rates["bare"]
    return [
        Row("signin", "quizengine", rates["quizengine"], "req/s"),
        Row("signin", "bare flask", rates["bare"], "req/s"),
        Row("signin", "ratio", ratio, "x", ">= 0.8 (Argon2id dominates both)", ratio >= 0.8),
    ]
