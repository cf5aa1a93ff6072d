"""Appending events and reading them back in sequence order.

Each event is stored once under (owner, id): the same id with the same content
again is a duplicate and changes nothing; with other content it is a conflict
and the stored event stays as it was.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from . import write_gate
from .models import Event, User


class AppendStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class NewEvent:
    """An event as a device sent it, already validated."""

    id: str
    device_id: str
    type: str
    hlc: str
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    v: int = 1

    def same_content(self, stored: Any) -> bool:
        """True if `stored` (an event row, or another NewEvent) holds this very event."""
        return (
            stored.device_id == self.device_id
            and stored.type == self.type
            and stored.v == self.v
            and stored.hlc == self.hlc
            and stored.created_at == self.created_at
            and stored.payload == self.payload
        )


@dataclass(frozen=True)
class AppendResult:
    id: str
    status: AppendStatus
    seq: int | None


def append_events(
    session: Session, owner_id: int, events: list[NewEvent], now: datetime
) -> list[AppendResult]:
    """Store each event for `owner_id` unless its id is taken; the caller commits.

    The owner's counter row is locked first and stays locked until the
    transaction ends, so one owner's appends run one at a time: ids cannot race,
    and events commit in `seq` order, so a reader paging by `seq` never skips
    one that commits late. Statements go straight to the session's connection
    (Core, not ORM units of work): this is every answer's path, and the write
    lock is held from the first statement to the commit.
    """
    connection = session.connection()
    last_seq = lock_owner(session, owner_id)
    known = _stored(session, owner_id, {event.id for event in events})
    results, rows = [], []
    for new in events:
        stored = known.get(new.id)
        if stored is not None:
            record, seq = stored
            status = AppendStatus.DUPLICATE if new.same_content(record) else AppendStatus.CONFLICT
            results.append(AppendResult(new.id, status, seq))
            continue
        last_seq += 1
        known[new.id] = (new, last_seq)
        rows.append(_row(owner_id, new, seq=last_seq, received_at=now))
        results.append(AppendResult(new.id, AppendStatus.ACCEPTED, last_seq))
    if rows:
        connection.execute(_INSERT, rows)
        connection.execute(_SET_LAST_SEQ, {"owner": owner_id, "last": last_seq})
    return results


def stored_ids(session: Session, owner_id: int, ids: set[str]) -> set[str]:
    """Return which of `ids` the owner already has (a read: it takes no lock)."""
    return set(_stored(session, owner_id, ids, _IDS))


_EVENTS = Event.__table__
_USERS = User.__table__
# Built once: these run on every push, and building a statement costs more than running it.
_LOCK = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("owner"))
    .values(last_event_seq=_USERS.c.last_event_seq)
    .returning(_USERS.c.last_event_seq)
)
_SET_LAST_SEQ = (
    update(_USERS).where(_USERS.c.id == bindparam("owner")).values(last_event_seq=bindparam("last"))
)
_INSERT = insert(_EVENTS)
_STORED_WHERE = (_EVENTS.c.owner_id == bindparam("owner"),
                 _EVENTS.c.id.in_(bindparam("ids", expanding=True)))  # fmt: skip
_IDS = select(_EVENTS.c.id, _EVENTS.c.seq).where(*_STORED_WHERE)
_CONTENT = select(
    _EVENTS.c.id, _EVENTS.c.seq, _EVENTS.c.device_id, _EVENTS.c.type, _EVENTS.c.v,
    _EVENTS.c.hlc, _EVENTS.c.created_at, _EVENTS.c.payload,
).where(*_STORED_WHERE)  # fmt: skip


def _stored(
    session: Session, owner_id: int, ids: set[str], query=_CONTENT
) -> dict[str, tuple[Any, int]]:
    """Return the owner's stored events among `ids` as (row, seq), one query per 500 ids."""
    connection = session.connection()
    found: dict[str, tuple[Any, int]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        rows = connection.execute(query, {"owner": owner_id, "ids": ordered[start : start + 500]})
        found.update((row.id, (row, row.seq)) for row in rows)
    return found


def append_event(session: Session, owner_id: int, new: NewEvent, now: datetime) -> AppendResult:
    """Store one event; see `append_events`."""
    return append_events(session, owner_id, [new], now)[0]


def lock_owner(session: Session, owner_id: int) -> int:
    """Lock the owner's event counter until the transaction ends; return its value.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite
    (where it is also the statement that begins the transaction, after any
    earlier reads, so it waits on the busy timeout instead of failing). It must
    be the transaction's first write: on SQLite it first takes `write_gate`.
    """
    connection = session.connection()
    write_gate.enter(connection)
    return connection.execute(_LOCK, {"owner": owner_id}).scalar_one()


def events_after(session: Session, owner_id: int, after: int, limit: int) -> list[Event]:
    """Return up to `limit` of the owner's events with `seq > after`, in `seq` order."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.owner_id == owner_id, Event.seq > after)
            .order_by(Event.seq)
            .limit(limit)
        )
    )


def event_json(event: Event) -> dict[str, Any]:
    """Return a stored event as the sync protocol sends it (CONTRACT.md)."""
    return {
        "id": event.id,
        "v": event.v,
        "type": event.type,
        "hlc": event.hlc,
        "device_id": event.device_id,
        "created_at": _rfc3339(event.created_at),
        "received_at": _rfc3339(event.received_at),
        "seq": event.seq,
        "payload": event.payload,
    }


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _row(owner_id: int, new: NewEvent, *, seq: int, received_at: datetime) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "id": new.id,
        "device_id": new.device_id,
        "type": new.type,
        "v": new.v,
        "hlc": new.hlc,
        "created_at": new.created_at,
        "received_at": received_at,
        "seq": seq,
        "payload": new.payload,
    }
