"""The second baseline: a bare Flask app doing the answer endpoint's inherent work.

A diagnostic, not a target. Like `bare_app` it has no sign-in, no session, no
CSRF and no ORM, but for each attempt in a push it does what no framework can
spare: it grades the answer with the question bank (in this process, where the
app grades in its grading child), then stores every event durably in SQLite
with the stdlib `sqlite3` (WAL, `synchronous = NORMAL` and the busy timeout,
as `quizengine._configure_sqlite` sets them), one transaction per request and
one connection per thread. Between this and `bare_app` lies the inherent work;
between this and the app lies the framework (Flask-Login sessions, CSRF, the
ORM event store, projections, scheduling).

Served by `load.server.Server` with `QUIZENGINE_LOAD_CONFIG` holding
`{"DATABASE": path, "SQLITE_BUSY_TIMEOUT_MS": ms}`; the file may not exist yet.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import UTC, datetime

from flask import Flask, request

from question_bank.registry import generate

PUSH_PATH = "/api/v1/sync/push"
DEFAULT_BUSY_TIMEOUT_MS = 5000  # quizengine.config's SQLITE_BUSY_TIMEOUT_MS
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
    "payload TEXT NOT NULL, verdict TEXT)"
)
INSERT = "INSERT OR IGNORE INTO events (id, payload, verdict) VALUES (?, ?, ?)"

Row = tuple[str, str, str | None]  # (event id, payload JSON, verdict status)


class EventStore:
    """An append-only SQLite table; one connection per thread, with the app's pragmas."""

    def __init__(self, path: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS):
        self.path, self.busy_timeout_ms = path, int(busy_timeout_ms)
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened (and the table created) on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute(SCHEMA)
            self._local.connection = connection
        return connection

    def append(self, rows: list[Row]) -> list[tuple[str, int]]:
        """Insert the rows in one transaction; return (accepted or duplicate, seq) for each."""
        connection = self.connection()
        outcomes = []
        with connection:  # commits at the end, rolls back on an exception
            for row in rows:
                cursor = connection.execute(INSERT, row)
                if cursor.rowcount == 1:
                    outcomes.append(("accepted", cursor.lastrowid))
                else:
                    found = connection.execute("SELECT seq FROM events WHERE id = ?", row[:1])
                    outcomes.append(("duplicate", found.fetchone()[0]))
        return outcomes

    def close(self) -> None:
        """Close this thread's connection, if it has one."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def graded_row(event: dict) -> tuple[Row | None, str | None]:
    """Grade an attempt (other events are stored ungraded); (row, None) or (None, error)."""
    try:
        event_id, payload = str(event["id"]), event["payload"]
        verdict = None
        if event.get("type") == "attempt":
            problem = generate(payload["template_id"], int(payload["seed"]),
                               int(payload.get("level", 1)))  # fmt: skip
            verdict = str(problem.check(str(payload["answer"])).status)
    except (KeyError, TypeError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"
    return (event_id, json.dumps(payload, separators=(",", ":")), verdict), None


def build(config: dict) -> Flask:
    """The app, storing into `config["DATABASE"]` (checked at the first push)."""
    application = Flask(__name__)
    store = EventStore(config.get("DATABASE") or "",
                       config.get("SQLITE_BUSY_TIMEOUT_MS", DEFAULT_BUSY_TIMEOUT_MS))  # fmt: skip
    application.extensions["same_work_store"] = store

    @application.post(PUSH_PATH)
    def push():
        if not store.path:
            raise RuntimeError("no DATABASE in QUIZENGINE_LOAD_CONFIG")
        events = json.loads(request.get_data()).get("events", [])
        # Grade before the first write, as quizengine.ingest does: the write lock is then
        # held for storing, not for grading.
        graded = [graded_row(event) for event in events]
        stored = iter(store.append([row for row, _ in graded if row is not None]))
        results = []
        for event, (row, error) in zip(events, graded, strict=True):
            if row is None:
                results.append({"id": event.get("id") if isinstance(event, dict) else None,
                                "status": "invalid", "seq": None, "error": error})  # fmt: skip
                continue
            status, seq = next(stored)
            results.append({"id": row[0], "status": status, "seq": seq, "error": None})
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return {"results": results, "server_time": now}

    @application.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return application


app = build(json.loads(os.environ.get("QUIZENGINE_LOAD_CONFIG", "{}")))
