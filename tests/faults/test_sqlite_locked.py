"""The SQLite file locked by a long transaction: pushes and the answer form get a clear 503
while it lasts, reads go on (WAL), and once it ends the same events are taken, each once."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest

from load.client import HttpClient, csrf_token
from load.database import app_config
from load.learner import AnswerPool, Ledger
from load.server import Server, Settings

from .pushers import (
    Pusher,
    assert_exactly_once,
    assert_failures_were_clear,
    assert_recovered,
    describe,
    failures,
    wait_for_pushes,
)

BUSY_TIMEOUT_MS = 500
LOCK_SECONDS = 3.0  # six busy timeouts


def answer_form(token: str, answers: AnswerPool) -> dict[str, str]:
    """The practice page's form, answered (the page gives each answer an event id)."""
    (template_id, level), variants = next(iter(answers.variants.items()))
    return {"csrf_token": token, "template_id": template_id, "level": str(level),
            "seed": str(variants[0].seed), "answer": variants[0].solution,
            "event_id": str(uuid.uuid4()), "started_ms": "0"}  # fmt: skip


@pytest.mark.slow
def test_a_long_write_lock_gives_503_then_everything_is_stored_once(sqlite_database, answers):
    url, instance, emails = sqlite_database
    config = app_config(url, instance, SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    with Server("load.wsgi_app:app", Settings(workers=2, threads=4), config=config) as server:
        pushers = [Pusher(server.url, email, answers).start() for email in emails]
        reader = HttpClient(server.url)
        reader.cookies = dict(pushers[0].client.cookies)  # the first learner, another tab
        form = answer_form(csrf_token(reader), answers)
        try:
            wait_for_pushes(pushers, 2)
            holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")
                locked_until = time.monotonic() + LOCK_SECONDS
                pulled = reader.get("/api/v1/sync/pull?after=0&limit=5")
                assert pulled.status == 200  # WAL: readers do not wait for the writer
                page = reader.post("/practice/answer", form=form)  # the page without JavaScript
                time.sleep(max(0.0, locked_until - time.monotonic()))
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            wait_for_pushes(pushers, 2)
            again = reader.post("/practice/answer", form=form)  # the same answer, sent again
        finally:
            reader.close()
            for pusher in pushers:
                pusher.finish()
        print(describe(pushers))
        seen = failures(pushers)
        assert seen, "no push met the lock"
        assert all(f.status == 503 for f in seen), [f.status for f in seen]
        assert_failures_were_clear(seen, codes={"database_busy"})
        assert page.status == 503 and page.headers["retry-after"] == "2"
        text = page.body.decode()
        assert "The database is busy, so this was not saved. Try again in a moment." in text
        assert "Traceback" not in text and "http-equiv" not in text  # a POST is never re-sent
        assert again.status == 200
        form_event = Ledger(sent={form["event_id"]}, acknowledged={form["event_id"]})
        assert_exactly_once(url, pushers, extra={emails[0]: [form_event]})
        assert_recovered(server, pushers[0])
        assert "Traceback" not in server.log_text()
