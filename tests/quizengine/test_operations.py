"""Operators' tools: health check, request ids, logs, backup and restore, a learner's export."""

from __future__ import annotations

import json
import logging
import re
import runpy
import sqlite3
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from quizengine import create_app, mail
from quizengine.accounts import create_user
from quizengine.extensions import db
from tests.helpers import PASSWORD, AuthActions, make_app

ROOT = Path(__file__).resolve().parents[2]


def app_on(tmp_path, database: str):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})  # fmt: skip


def migrated(tmp_path):
    app = app_on(tmp_path, tmp_path / "ops.sqlite3")
    with app.app_context():
        upgrade()
    return app


def test_healthz_is_ok_at_head_and_unhealthy_behind_it(tmp_path):
    app = migrated(tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "head",
                                   "ratelimit": "ok"}  # fmt: skip
    with app.app_context():
        downgrade(revision="-1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"].startswith("at ")


def test_healthz_says_when_rate_limits_are_off_and_stays_ok(tmp_path):
    app = app_on(tmp_path, tmp_path / "ops.sqlite3")
    app.config["RATELIMIT_ENABLED"] = False  # as the load and fault-drill servers run
    with app.app_context():
        upgrade()
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "head",
                                   "ratelimit": "off"}  # fmt: skip


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = app_on(tmp_path, tmp_path / "no" / "such" / "dir" / "x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"].startswith("unreachable")


def test_every_response_carries_a_request_id(client):
    generated = client.get("/").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    hostile = client.get("/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert len(hostile.headers["X-Request-ID"]) == 32  # not echoed: a fresh id instead


def test_backup_then_restore_brings_the_data_back(tmp_path):
    app = migrated(tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        create_user("kept@example.org", PASSWORD)
    result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    # Only its owner may read it: it holds password hashes and learners' notes.
    assert (tmp_path / "copy.sqlite3").stat().st_mode & 0o077 == 0
    with app.app_context():
        create_user("later@example.org", PASSWORD)
    result = runner.invoke(args=["restore", str(tmp_path / "copy.sqlite3"), "--yes"])
    assert result.exit_code == 0, result.output
    assert emails(tmp_path / "ops.sqlite3") == {"kept@example.org"}
    # the database as it was before the restore is kept aside, and the output says where
    kept = Path(re.search(r"kept at (\S+)\.$", result.output, re.MULTILINE).group(1))
    assert kept.parent == tmp_path
    assert emails(kept) == {"kept@example.org", "later@example.org"}
    again = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert again.exit_code == 1 and "exists" in again.output


def name_of(value) -> str | None:
    """A case's id: the name of the function that makes it."""
    return getattr(value, "__name__", None)


def emails(path: Path) -> set[str]:
    with sqlite3.connect(path) as check:
        return {row[0] for row in check.execute("SELECT email FROM users")}


def older_backup(tmp_path: Path) -> Path:
    """A database one migration behind this release's head, as an old backup would be."""
    path = tmp_path / "old.sqlite3"
    app = app_on(tmp_path / "old", path)
    with app.app_context():
        upgrade()
        downgrade(revision="-1")
        db.engine.dispose()
    return path


def newer_backup(tmp_path: Path) -> Path:
    """A sound Quizengine database at a revision this release does not know."""
    path = tmp_path / "new.sqlite3"
    app = app_on(tmp_path / "new", path)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dface'")
    return path


def other_apps_database(tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    return path


def empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    return path


def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all\n" * 100)
    return path


# (how the file to restore is made, what the refusal says)
UNUSABLE_BACKUPS = [
    (empty_file, "is not a Quizengine database"),
    (other_apps_database, "is not a Quizengine database"),
    (text_file, "is not a SQLite database"),
    (newer_backup, "this release does not know"),
    (older_backup, "--allow-older-schema"),
]


@pytest.mark.parametrize(("make", "says"), UNUSABLE_BACKUPS, ids=name_of)
def test_restore_refuses_what_is_not_a_backup_of_this_release(tmp_path, make, says):
    app = migrated(tmp_path)
    with app.app_context():
        create_user("live@example.org", PASSWORD)
    result = app.test_cli_runner().invoke(args=["restore", str(make(tmp_path)), "--yes"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert says in result.output
    assert emails(tmp_path / "ops.sqlite3") == {"live@example.org"}  # untouched
    assert not list(tmp_path.glob("ops.sqlite3.before-restore-*"))


def test_an_older_backup_is_restored_only_when_asked_and_says_to_upgrade(tmp_path):
    app = migrated(tmp_path)
    old = older_backup(tmp_path)
    refused = app.test_cli_runner().invoke(args=["restore", str(old), "--yes"])
    assert refused.exit_code == 1 and "flask --app quizengine db upgrade" in refused.output
    result = app.test_cli_runner().invoke(args=["restore", str(old), "--yes",
                                                "--allow-older-schema"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "run `flask --app quizengine db upgrade`" in result.output
    assert app.test_client().get("/healthz").get_json()["migrations"].startswith("at ")


def missing_source(tmp_path: Path) -> tuple:
    """QUIZENGINE_DATABASE_URL mistyped: the file it names does not exist."""
    return app_on(tmp_path, tmp_path / "typo.sqlite3"), tmp_path / "b.sqlite3"


def empty_source(tmp_path: Path) -> tuple:
    return app_on(tmp_path, empty_file(tmp_path)), tmp_path / "b.sqlite3"


def missing_directory(tmp_path: Path) -> tuple:
    return migrated(tmp_path), tmp_path / "no-such-dir" / "b.sqlite3"


# (what is wrong, what the refusal says)
BAD_BACKUPS = [
    (missing_source, "there is no database at"),
    (empty_source, "is not a Quizengine database"),
    (missing_directory, "does not exist"),
]


@pytest.mark.parametrize(("setup", "says"), BAD_BACKUPS, ids=name_of)
def test_backup_refuses_a_missing_database_or_directory_and_writes_nothing(tmp_path, setup, says):
    app, target = setup(tmp_path)
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert says in result.output
    assert not target.exists()
    assert not (tmp_path / "typo.sqlite3").exists()  # the source is never created


def refused_by_csrf(app, client, headers):
    return client.post("/login", data={"email": "a@example.org", "password": "x"},
                       headers=headers)  # fmt: skip


def refused_as_too_large(app, client, headers):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    return client.post("/login", data={"email": "a@example.org", "password": big},
                       headers=headers)  # fmt: skip


# Refusals made in CSRF's hook, bound before the request id's (a sign-in limit is
# checked in the view itself, after every hook): (request, status).
EARLY_REFUSALS = [(refused_by_csrf, 400), (refused_as_too_large, 413)]


@pytest.mark.parametrize(("refuse", "status"), EARLY_REFUSALS, ids=name_of)
def test_requests_refused_before_any_view_carry_their_request_id(tmp_path, refuse, status):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    response = refuse(app, app.test_client(), {"X-Request-ID": "mine-123"})
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == "mine-123"


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_info_lines_reach_the_log_such_as_mail_under_log_url(tmp_path):
    app = make_app(tmp_path, MAIL_URL=f"log://{tmp_path / 'outbox.log'}")
    collected = Collected()
    logger = logging.getLogger("quizengine")
    logger.addHandler(collected)
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "rid-7"}):
            app.preprocess_request()
            mail.send("ada@example.org", "Hello", "Follow http://127.0.0.1/link")
    finally:
        logger.removeHandler(collected)
    [record] = [r for r in collected.records if "mail not sent" in r.getMessage()]
    assert record.levelno == logging.INFO and "http://127.0.0.1/link" in record.getMessage()
    assert record.request_id == "rid-7"


def test_gunicorns_access_lines_carry_the_request_id():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", settings.get("access_log_format", config.access_log_format))
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    response = SimpleNamespace(status="200 OK", sent=2, headers=[("X-Request-ID", "abc-123")])
    atoms = Logger(config).atoms(response, SimpleNamespace(headers=[]), environ,
                                 timedelta(milliseconds=3))  # fmt: skip
    line = config.access_log_format % SafeAtoms(atoms)
    assert line.endswith(" abc-123") and '"GET / HTTP/1.1" 200' in line


def test_a_learner_exports_their_own_data_and_nobody_elses(app, client, auth):
    auth.signup(email="ada@example.org")
    with app.app_context():
        create_user("bob@example.org", PASSWORD)
    lesson = client.get("/api/v1/lessons").get_json()["lessons"][0]["id"]
    note = {"id": "8a2b1f0e-0000-4000-8000-000000000001", "v": 1, "type": "note.put",
            "hlc": "001764331200000-0000-d", "created_at": "2025-11-28T12:00:00Z",
            "payload": {"lesson_id": lesson, "body": "my own words"}}  # fmt: skip
    client.post("/api/v1/sync/push", json={"device_id": "d", "events": [note]})
    response = client.get("/account/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "ada@example.org"
    assert [n["body"] for n in data["notes"]] == ["my own words"]
    assert [e["id"] for e in data["events"]] == [note["id"]]
    assert "bob@example.org" not in response.get_data(as_text=True)
    other = app.test_client()
    AuthActions(other).login(email="bob@example.org")
    assert json.loads(other.get("/account/export").get_data(as_text=True))["notes"] == []
    with app.app_context():
        db.session.remove()


def test_pages_forbid_other_origins_and_framing(client):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
