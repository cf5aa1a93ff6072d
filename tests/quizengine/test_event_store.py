"""The event store: idempotent appends, per-owner sequence numbers, append-only."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from quizengine.accounts import create_user
from quizengine.event_store import (
    AppendStatus,
    NewEvent,
    append_event,
    append_events,
    events_after,
)
from quizengine.extensions import db
from quizengine.models import AppendOnlyError, Event
from tests.helpers import PASSWORD

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def new_event(n: int = 0, **changes) -> NewEvent:
    fields = {
        "id": str(uuid.UUID(int=n + 1)),
        "device_id": "device-a",
        "type": "note.put",
        "hlc": f"{1764331200000 + n:015d}-0000-device-a",
        "created_at": NOW - timedelta(minutes=5),
        "payload": {"lesson_id": "hessians", "body": f"note {n}"},
    }
    fields.update(changes)
    return NewEvent(**fields)


@pytest.fixture
def owners(db_session):
    return (
        create_user("ada@example.org", PASSWORD).id,
        create_user("bob@example.org", PASSWORD).id,
    )


def test_appends_number_each_owners_events_from_one(db_session, owners):
    ada, bob = owners
    seqs = [append_event(db_session, ada, new_event(n), NOW).seq for n in range(3)]
    seqs_bob = [append_event(db_session, bob, new_event(n), NOW).seq for n in range(2)]
    db_session.commit()
    assert seqs == [1, 2, 3]
    assert seqs_bob == [1, 2]  # same ids, another owner: separate events


def test_same_id_same_content_is_a_duplicate(db_session, owners):
    ada, _ = owners
    first = append_event(db_session, ada, new_event(), NOW)
    again = append_event(db_session, ada, new_event(), NOW + timedelta(hours=1))
    db_session.commit()
    assert (first.status, again.status) == (AppendStatus.ACCEPTED, AppendStatus.DUPLICATE)
    assert again.seq == first.seq
    assert db_session.query(Event).count() == 1


def test_same_id_other_content_is_a_conflict_and_keeps_the_stored_event(db_session, owners):
    ada, _ = owners
    append_event(db_session, ada, new_event(), NOW)
    db_session.commit()
    result = append_event(db_session, ada, new_event(payload={"body": "other"}), NOW)
    db_session.commit()
    assert result.status == AppendStatus.CONFLICT
    stored = db_session.get(Event, (ada, new_event().id))
    assert stored.payload == new_event().payload
    assert stored.received_at == NOW


def test_events_are_append_only(db_session, owners):
    ada, _ = owners
    append_event(db_session, ada, new_event(), NOW)
    db_session.commit()
    stored = db_session.get(Event, (ada, new_event().id))
    stored.payload = {"body": "tampered"}
    with pytest.raises(AppendOnlyError):
        db_session.commit()
    db_session.rollback()
    db_session.delete(db_session.get(Event, (ada, new_event().id)))
    with pytest.raises(AppendOnlyError):
        db_session.commit()
    db_session.rollback()
    assert db_session.get(Event, (ada, new_event().id)).payload == new_event().payload


def test_paging_returns_every_event_once_in_order(db_session, owners):
    ada, bob = owners
    for n in range(7):
        append_event(db_session, ada, new_event(n), NOW)
        append_event(db_session, bob, new_event(100 + n), NOW)
    db_session.commit()
    seen, after = [], 0
    while page := events_after(db_session, ada, after, limit=3):
        seen += [event.seq for event in page]
        after = page[-1].seq
    assert seen == list(range(1, 8))
    assert all(e.owner_id == ada for e in events_after(db_session, ada, 0, 100))


def test_a_reader_never_skips_an_event_committed_late(app, db_session, owners):
    """Writer A takes seq 1 and stalls; writer B must not commit seq 2 before A commits."""
    ada, _ = owners
    engine = db.engine
    a = Session(engine)
    append_event(a, ada, new_event(1), NOW)  # holds the write lock, uncommitted
    b_done = threading.Event()
    b_result = {}

    def writer_b() -> None:
        with Session(engine) as b:
            b_result["r"] = append_event(b, ada, new_event(2), NOW)
            b.commit()
        b_done.set()

    thread = threading.Thread(target=writer_b)
    thread.start()
    assert not b_done.wait(0.5)
    with Session(engine) as reader:
        assert events_after(reader, ada, 0, 10) == []
    a.commit()
    a.close()
    thread.join(10)
    assert b_result["r"].seq == 2
    with Session(engine) as reader:
        assert [e.seq for e in events_after(reader, ada, 0, 10)] == [1, 2]


def test_an_id_repeated_within_one_batch_is_stored_once(db_session, owners):
    ada, _ = owners
    results = append_events(
        db_session, ada, [new_event(1), new_event(1), new_event(1, payload={"x": 1})], NOW
    )
    db_session.commit()
    assert [r.status for r in results] == [
        AppendStatus.ACCEPTED,
        AppendStatus.DUPLICATE,
        AppendStatus.CONFLICT,
    ]
    assert [r.seq for r in results] == [1, 1, 1]
    assert append_event(db_session, ada, new_event(2), NOW).seq == 2
