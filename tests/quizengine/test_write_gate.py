"""The write gate: appends on one SQLite database take turns within a process."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from quizengine.accounts import create_user
from quizengine.errors import DatabaseTrouble, database_trouble
from quizengine.event_store import NewEvent, append_event, events_after
from quizengine.extensions import db
from tests.helpers import PASSWORD, make_app

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.sqlite_only


def note(n: int, device: str = "device-a") -> NewEvent:
    return NewEvent(id=str(uuid.uuid4()), device_id=device, type="note.put",
                    hlc=f"{1764331200000 + n:015d}-0000-{device}", created_at=NOW,
                    payload={"lesson_id": "hessians", "body": f"note {n}"})  # fmt: skip


def gated_app(tmp_path, busy_ms: int):
    """An app on SQLite whose writers give up after `busy_ms`, and one learner's id."""
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=busy_ms)
    with app.app_context():
        user_id = create_user("gate@example.org", PASSWORD).id
        yield db.engine, user_id
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def gated(tmp_path):
    yield from gated_app(tmp_path, 5000)


@pytest.fixture
def impatient(tmp_path):
    yield from gated_app(tmp_path, 300)


def test_a_second_writer_waits_in_the_process_not_in_sqlite(gated):
    """It sends nothing to SQLite until the first commits, so it is not left polling
    SQLite's lock (the busy handler sleeps up to 100 ms a round, and is unfair)."""
    engine, user_id = gated
    first = Session(engine)
    append_event(first, user_id, note(1), NOW)
    done = threading.Event()
    sent_early: list[str] = []

    def second() -> None:
        with Session(engine) as session:
            append_event(session, user_id, note(2), NOW)
            session.commit()
        done.set()

    def watch(connection, cursor, statement, *args) -> None:
        if threading.current_thread() is thread and not first_committed.is_set():
            sent_early.append(statement)

    first_committed = threading.Event()
    thread = threading.Thread(target=second)
    event.listen(engine, "before_cursor_execute", watch)
    thread.start()
    assert not done.wait(0.2)
    first_committed.set()
    first.commit()
    first.close()
    thread.join(5)
    event.remove(engine, "before_cursor_execute", watch)
    assert done.is_set() and sent_early == []
    with Session(engine) as reader:
        assert [e.seq for e in events_after(reader, user_id, 0, 10)] == [1, 2]


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_the_gate_opens_when_a_transaction_ends_without_commit(gated, end):
    engine, user_id = gated
    first = Session(engine)
    append_event(first, user_id, note(1), NOW)
    getattr(first, end)()
    with Session(engine) as session:  # would wait out the busy timeout if the gate stayed shut
        assert append_event(session, user_id, note(2), NOW).seq == 1
        session.commit()


def test_waiting_past_the_busy_timeout_is_database_busy(impatient):
    engine, user_id = impatient
    holder = Session(engine)
    append_event(holder, user_id, note(1), NOW)
    failure: list[BaseException] = []

    def late() -> None:
        with Session(engine) as session:
            try:
                append_event(session, user_id, note(2), NOW)
            except OperationalError as error:
                failure.append(error)

    thread = threading.Thread(target=late)
    thread.start()
    thread.join(5)
    holder.rollback()
    holder.close()
    assert len(failure) == 1 and database_trouble(failure[0]) is DatabaseTrouble.BUSY


def test_one_transaction_appending_twice_takes_the_gate_once(gated):
    engine, user_id = gated
    with Session(engine) as session:
        append_event(session, user_id, note(1), NOW)
        append_event(session, user_id, note(2), NOW)  # would deadlock on a plain lock
        session.commit()
        assert [e.seq for e in events_after(session, user_id, 0, 10)] == [1, 2]


def test_a_detached_connection_gives_the_gate_back(gated):
    engine, user_id = gated
    with Session(engine) as first:
        append_event(first, user_id, note(1), NOW)
        first.connection().detach()  # its pool record goes back without a checkin
        first.commit()
    with Session(engine) as second:
        assert append_event(second, user_id, note(2), NOW).seq == 2
        second.commit()
