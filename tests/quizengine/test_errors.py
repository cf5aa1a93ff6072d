"""Errors: pages in the layout for people, one JSON envelope under /api/."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from flask_login import login_required
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from quizengine.accounts import create_user
from quizengine.errors import database_trouble
from quizengine.extensions import db
from tests.helpers import PASSWORD, make_app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("a bug")

    @app.get("/api/v1/private")
    @login_required
    def api_private():
        return {"ok": True}

    return app


@pytest.mark.parametrize(
    "path, status, text",
    [
        ("/no-such-page", 404, "Page not found"),
        ("/boom", 500, "Your saved work is safe"),
    ],
)
def test_html_errors_render_in_the_layout(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert text in body
    assert 'class="site-nav"' in body and "Traceback" not in body


@pytest.mark.parametrize(
    "path, status, code",
    [
        ("/api/v1/no-such-thing", 404, "not_found"),
        ("/api/v1/boom", 500, "internal_server_error"),
        ("/api/v1/private", 401, "unauthorized"),
    ],
)
def test_api_errors_are_json(client, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_api_never_redirects_to_sign_in(client):
    response = client.get("/api/v1/private")
    assert response.status_code == 401
    assert "Location" not in response.headers


def test_pages_that_need_sign_in_redirect(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_csrf_endpoint_gives_a_token(client):
    response = client.get("/api/v1/csrf")
    assert response.status_code == 200
    assert response.get_json()["csrf_token"]
    assert response.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- the database, busy or gone


class FakePostgresError(Exception):
    """Stands in for a psycopg error: only its `sqlstate` matters here."""

    def __init__(self, message: str, sqlstate: str | None):
        super().__init__(message)
        self.sqlstate = sqlstate


def _operational(orig: Exception, invalidated: bool = False) -> OperationalError:
    return OperationalError("UPDATE users ...", {}, orig, connection_invalidated=invalidated)


TROUBLE_CASES = [
    ("sqlite locked", _operational(sqlite3.OperationalError("database is locked")), "busy"),
    ("sqlite table locked",
     _operational(sqlite3.OperationalError("database table is locked")), "busy"),
    ("sqlite missing table", _operational(sqlite3.OperationalError("no such table: x")), None),
    ("sqlite disk", _operational(sqlite3.OperationalError("disk I/O error")), None),
    ("connection invalidated",
     DBAPIError("SELECT 1", {}, FakePostgresError("server closed", None),
                connection_invalidated=True), "unavailable"),
    ("postgres refused", _operational(FakePostgresError("connection refused", None)),
     "unavailable"),
    ("postgres shutting down",
     _operational(FakePostgresError("terminating connection", "57P01")), "unavailable"),
    ("postgres too many clients",
     _operational(FakePostgresError("too many clients", "53300")), "unavailable"),
    ("postgres serialization", _operational(FakePostgresError("could not serialize", "40001")),
     "busy"),
    ("postgres deadlock", _operational(FakePostgresError("deadlock detected", "40P01")), "busy"),
    ("postgres connection failure",
     _operational(FakePostgresError("connection failure", "08006")), "unavailable"),
    ("postgres program limit",
     _operational(FakePostgresError("statement too complex", "54001")), None),
    ("postgres I/O error", _operational(FakePostgresError("could not read block", "58030")),
     None),
    ("pool exhausted", PoolTimeoutError("QueuePool limit reached"), "busy"),
    ("integrity", IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE")), None),
    ("a bug", RuntimeError("a bug"), None),
]  # fmt: skip


@pytest.mark.parametrize("error, expected", [c[1:] for c in TROUBLE_CASES],
                         ids=[c[0] for c in TROUBLE_CASES])  # fmt: skip
def test_database_trouble_tells_passing_failures_from_bugs(error, expected):
    found = database_trouble(error)
    assert (found and found.value) == expected


@pytest.fixture
def troubled(app):
    """Routes that fail the way a busy or absent database makes them fail."""
    errors = {
        "locked": _operational(sqlite3.OperationalError("database is locked")),
        "gone": DBAPIError(
            "SELECT 1", {}, FakePostgresError("server closed", None), connection_invalidated=True
        ),
        "no-table": _operational(sqlite3.OperationalError("no such table: x")),
    }
    for name, error in errors.items():

        def fail(error=error):
            raise error

        app.add_url_rule(f"/api/v1/trouble/{name}", f"api_{name}", fail, methods=["GET", "POST"])
        app.add_url_rule(f"/trouble/{name}", f"page_{name}", fail, methods=["GET", "POST"])
    return app


@pytest.mark.parametrize(
    "path, code, retry_after",
    [("locked", "database_busy", "2"), ("gone", "database_unavailable", "3")],
)
def test_api_answers_503_with_retry_after_when_the_database_is_busy_or_gone(
    troubled, path, code, retry_after
):
    response = troubled.test_client().post(f"/api/v1/trouble/{path}")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == retry_after
    assert response.headers["Cache-Control"] == "no-store"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"].endswith("so this was not saved. Try again in a moment.")


def test_pages_answer_503_that_try_again_by_themselves(troubled):
    response = troubled.test_client().get("/trouble/locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    body = response.get_data(as_text=True)
    assert "The database is busy, so this could not be loaded." in body
    assert 'http-equiv="refresh" content="4"' in body
    assert "Traceback" not in body and "OperationalError" not in body
    posted = troubled.test_client().post("/trouble/gone")
    assert posted.status_code == 503
    assert "so this was not saved" in posted.get_data(as_text=True)
    assert "http-equiv" not in posted.get_data(as_text=True)  # never re-send a form


def test_other_database_errors_stay_500(troubled):
    response = troubled.test_client().get("/api/v1/trouble/no-table")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_server_error"
    assert "Retry-After" not in response.headers


def test_a_push_blocked_by_a_long_write_lock_gets_503_then_succeeds(tmp_path):
    """A real lock: another connection holds SQLite's write lock past the busy timeout."""
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=100)
    with app.app_context():
        create_user("lock@example.org", PASSWORD)
    client = app.test_client()
    assert client.post("/login", data={"email": "lock@example.org", "password": PASSWORD})
    event = {
        "id": str(uuid.uuid4()),
        "v": 1,
        "type": "attempt",
        "hlc": "001777777777777-0000-dev1",
        "created_at": "2026-05-01T09:00:00Z",
        "payload": {"template_id": "gradient", "seed": 1, "level": 1, "answer": "(0, 0)"},
    }
    body = {"device_id": "dev1", "events": [event]}
    holder = sqlite3.connect(tmp_path / "test.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        blocked = client.post("/api/v1/sync/push", json=body)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert blocked.status_code == 503, blocked.get_data(as_text=True)
    assert blocked.get_json()["error"]["code"] == "database_busy"
    assert blocked.headers["Retry-After"] == "2"
    again = client.post("/api/v1/sync/push", json=body)
    assert again.status_code == 200
    assert [r["status"] for r in again.get_json()["results"]] == ["accepted"]
    with app.app_context():
        db.engine.dispose()
