"""Operators' tools: health check, request ids, backup and restore, a learner's export."""

from __future__ import annotations

import json
import sqlite3

from flask_migrate import downgrade, upgrade

from quizengine import create_app
from quizengine.accounts import create_user
from quizengine.extensions import db
from tests.helpers import PASSWORD, AuthActions


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
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "head"}
    with app.app_context():
        downgrade(revision="-1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"].startswith("at ")


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
    with app.app_context():
        create_user("later@example.org", PASSWORD)
    result = runner.invoke(args=["restore", str(tmp_path / "copy.sqlite3"), "--yes"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "ops.sqlite3") as check:
        emails = {row[0] for row in check.execute("SELECT email FROM users")}
    assert emails == {"kept@example.org"}
    again = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert again.exit_code == 1 and "exists" in again.output


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
