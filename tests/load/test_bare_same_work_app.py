"""The same-work baseline grades and stores like the app, and never decides PASS or FAIL."""

from __future__ import annotations

import sqlite3

import pytest

from load.__main__ import MIN_RATIO_SQLITE, targets
from load.bare_same_work_app import DEFAULT_BUSY_TIMEOUT_MS, build
from load.comparison import ANSWER
from load.database import CheckReport
from load.learner import Clock, new_event
from load.stats import Recorder
from question_bank import catalog, generate
from quizengine.config import defaults


@pytest.fixture
def served(tmp_path):
    """(test client, database path) for a same-work app on a fresh file."""
    path = tmp_path / "same-work.sqlite3"
    app = build({"DATABASE": str(path), "SQLITE_BUSY_TIMEOUT_MS": 1234})
    yield app.test_client(), path
    app.extensions["same_work_store"].close()


def _attempt(clock: Clock, answer: str | None = None) -> dict:
    template = catalog()[0]
    problem = generate(template.id, 1, template.levels[0])
    payload = {"template_id": template.id, "seed": 1, "level": template.levels[0],
               "answer": problem.solution if answer is None else answer, "duration_ms": 9000}
    return new_event(clock, "attempt", payload)


def test_each_attempt_is_graded_and_stored_once(served):
    client, path = served
    clock = Clock("dev1")
    right, wrong = _attempt(clock), _attempt(clock, answer="((")
    body = {"device_id": "dev1", "events": [right, wrong, {"type": "attempt"}]}
    first = client.post("/api/v1/sync/push", json=body).get_json()
    assert [(r["id"], r["status"], r["seq"]) for r in first["results"]] == [
        (right["id"], "accepted", 1), (wrong["id"], "accepted", 2), (None, "invalid", None)]
    again = client.post("/api/v1/sync/push", json={"device_id": "dev1", "events": [right]})
    assert again.get_json()["results"] == [
        {"id": right["id"], "status": "duplicate", "seq": 1, "error": None}]
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT id, verdict FROM events ORDER BY seq").fetchall()
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
    connection.close()
    assert rows == [(right["id"], "correct"), (wrong["id"], "invalid")]
    assert journal == "wal"


def test_the_app_settings_for_sqlite(served):
    client, _ = served
    store = client.application.extensions["same_work_store"]
    pragmas = {name: store.connection().execute(f"PRAGMA {name}").fetchone()[0]
               for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 1234,
                       "foreign_keys": 1}


def test_the_default_busy_timeout_is_the_apps(tmp_path):
    assert DEFAULT_BUSY_TIMEOUT_MS == defaults(tmp_path)["SQLITE_BUSY_TIMEOUT_MS"]


def _result(same_work: Recorder, ratio: float) -> dict:
    return {"database": "sqlite", "check": CheckReport().to_dict(), "rejected_events": [],
            "answer_endpoint": {"ratio": ratio},
            "_recorders": {"app": Recorder(), "bare": Recorder(), "same-work": same_work}}


@pytest.mark.parametrize("ratio", [MIN_RATIO_SQLITE / 10, MIN_RATIO_SQLITE])
def test_the_same_work_baseline_never_decides_the_verdict(ratio):
    failing = Recorder()
    failing.record(ANSWER, 500, 0.1)
    failing.record(ANSWER, None, 0.1)
    quiet = targets(_result(Recorder(), ratio))
    assert targets(_result(failing, ratio)) == quiet
    assert all(met for _, met, _ in quiet) == (ratio >= MIN_RATIO_SQLITE)
