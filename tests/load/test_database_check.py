"""The exactly-once check of `make load` and the fault drills must be able to fail."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from load.database import check_events, prepare
from load.learner import PASSWORD, Clock, Ledger, new_event
from load.stats import Recorder, percentile
from load.wsgi_app import build


@pytest.fixture
def pushed(tmp_path):
    """A migrated database where one learner pushed three notes: (url, email, ids)."""
    url = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    [email] = prepare(url, tmp_path / "instance", learners=1)
    app = build({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s", "TESTING": True,
                 "INSTANCE_PATH": str(tmp_path / "instance"), "RATELIMIT_ENABLED": False,
                 "LOAD_FAST_PASSWORD_HASH": True})  # fmt: skip
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    clock = Clock("dev1")
    events = [new_event(clock, "note.put", {"lesson_id": _lesson(), "body": f"n{n}"})
              for n in range(3)]  # fmt: skip
    response = client.post("/api/v1/sync/push", json={"device_id": "dev1", "events": events})
    assert response.status_code == 200
    from quizengine.extensions import db

    with app.app_context():
        db.engine.dispose()
    return url, email, [event["id"] for event in events]


def _lesson() -> str:
    from quizengine.content import lesson_index

    return next(iter(lesson_index()))


def test_what_was_sent_and_stored_once_passes(pushed):
    url, email, ids = pushed
    report = check_events(url, {email: [Ledger(sent=set(ids), acknowledged=set(ids))]})
    assert report.ok, report.describe()
    assert (report.sent, report.acknowledged, report.stored) == (3, 3, 3)


def test_a_lost_or_unexpected_event_fails(pushed):
    url, email, ids = pushed
    ghost = str(uuid.uuid4())
    lost = check_events(url, {email: [Ledger(sent={*ids, ghost}, acknowledged={*ids, ghost})]})
    assert not lost.ok and lost.lost == [f"{email}/{ghost}"]
    never = check_events(url, {email: [Ledger(sent={*ids, ghost}, acknowledged=set(ids))]})
    assert not never.ok and never.never_stored == [f"{email}/{ghost}"]
    extra = check_events(url, {email: [Ledger(sent=set(ids[:2]), acknowledged=set(ids[:2]))]})
    assert not extra.ok and extra.unexpected == [f"{email}/{ids[2]}"]


def test_a_gap_in_the_sequence_fails(pushed):
    url, email, ids = pushed
    engine = create_engine(url)
    with engine.begin() as connection:  # what a lost write would leave behind
        connection.execute(text("UPDATE events SET seq = 7 WHERE id = :id"), {"id": ids[2]})
    engine.dispose()
    report = check_events(url, {email: [Ledger(sent=set(ids), acknowledged=set(ids))]})
    assert not report.ok and report.seq_gaps == [email]


def test_percentiles_and_the_recorder():
    assert percentile([], 0.5) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 0.99) == 99.0
    recorder = Recorder()
    for status, seconds in [(200, 0.01), (200, 0.03), (503, 0.02), (None, 1.0), (404, 0.01)]:
        recorder.record("GET /x", status, seconds, expected=status != 404)
    row = recorder.endpoint("GET /x")
    assert (row.requests, row.server_errors, row.transport_errors, row.other_errors) == (5, 1, 1, 1)
    assert row.p50_ms == pytest.approx(20.0)
