"""The event store: every learner action, append-only, the only source of truth."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove a stored event (a bug)."""


class Event(db.Model):
    """One thing that happened, keyed by its owner and its client-made UUID.

    `seq` is the owner's sync cursor: it only grows, and it is allocated while
    the owner's counter row is locked, so a reader paging by `seq` never skips
    an event that commits after a later-numbered one could be read.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("owner_id", "seq", name="uq_events_owner_seq"),
        # The owner's latest clock, which a web page's event must follow (web_events.py).
        Index("ix_events_owner_id_hlc", "owner_id", "hlc"),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    v: Mapped[int] = mapped_column(Integer, default=1)
    hlc: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seq: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<Event {self.owner_id}/{self.seq} {self.type} {self.id}>"


@event.listens_for(Event, "before_update")
def _refuse_update(mapper, connection, target: Event) -> None:
    raise AppendOnlyError(f"events are append-only; refused to update {target!r}")


@event.listens_for(Event, "before_delete")
def _refuse_delete(mapper, connection, target: Event) -> None:
    raise AppendOnlyError(f"events are append-only; refused to delete {target!r}")
