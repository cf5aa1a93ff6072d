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

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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

    def same_content(self, stored: Event) -> bool:
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


def append_event(session: Session, owner_id: int, new: NewEvent, now: datetime) -> AppendResult:
    """Store `new` for `owner_id` unless its id is taken; the caller commits.

    The sequence number comes from an UPDATE of the owner's counter row, which
    holds that row's lock until the transaction ends: events of one owner thus
    commit in `seq` order, and a reader paging by `seq` never skips one.
    """
    stored = session.get(Event, (owner_id, new.id))
    if stored is not None:
        return _against_stored(new, stored)
    try:
        with session.begin_nested():
            seq = session.execute(
                update(User)
                .where(User.id == owner_id)
                .values(last_event_seq=User.last_event_seq + 1)
                .returning(User.last_event_seq)
            ).scalar_one()
            session.add(
                Event(
                    owner_id=owner_id,
                    id=new.id,
                    device_id=new.device_id,
                    type=new.type,
                    v=new.v,
                    hlc=new.hlc,
                    created_at=new.created_at,
                    received_at=now,
                    seq=seq,
                    payload=new.payload,
                )
            )
    except IntegrityError:
        # Another request stored the same id between our read and our insert.
        stored = session.get(Event, (owner_id, new.id), populate_existing=True)
        if stored is None:
            raise
        return _against_stored(new, stored)
    return AppendResult(new.id, AppendStatus.ACCEPTED, seq)


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


def _against_stored(new: NewEvent, stored: Event) -> AppendResult:
    status = AppendStatus.DUPLICATE if new.same_content(stored) else AppendStatus.CONFLICT
    return AppendResult(new.id, status, stored.seq)
