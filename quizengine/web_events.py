"""Events made on the server for plain form posts, so pages without JavaScript
take exactly the path the offline client takes (`ingest.push_events`)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from flask import g
from flask import session as browser_session
from flask_login import current_user
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from .event_schema import HLC_PATTERN, SCHEMA_VERSION
from .extensions import db
from .models import Event

MAX_CLOCK = (10**15 - 1, 9999)  # the largest (ms, counter) the HLC text can write


def device_id() -> str:
    """Return this browser's device id, kept in its signed session cookie."""
    if "device_id" not in browser_session:
        browser_session["device_id"] = f"web-{secrets.token_hex(8)}"
    return browser_session["device_id"]


def make_event(
    kind: str, payload: dict[str, Any], now: datetime, *, event_id: str | None = None
) -> dict[str, Any]:
    """Return a client-shaped event (CONTRACT.md) for the signed-in learner.

    Its clock follows every event already stored for them, as a device's does after a
    sync: a note saved on the page, after reading it, must win over the edit of a phone
    whose clock runs fast. Several events made in one request keep their order.
    """
    after = max(latest_hlc(db.session, current_user.id) or "", g.get("web_hlc") or "")
    g.web_hlc = next_hlc(after, now, device_id())
    return {
        "id": event_id or str(uuid.uuid4()),
        "v": SCHEMA_VERSION,
        "type": kind,
        "hlc": g.web_hlc,
        "created_at": now.isoformat(),
        "payload": payload,
    }


def next_hlc(after: str | None, now: datetime, device: str) -> str:
    """Return the HLC of a new event on `device`: past `now` and strictly after `after`.

    >>> earlier = datetime.fromisoformat("2025-01-01T00:00Z")
    >>> next_hlc("001764331200000-0007-b-phone", earlier, "web-1")
    '001764331200000-0008-web-1'
    >>> next_hlc("001764331200000-9999-b-phone", earlier, "web-1")
    '001764331200001-0000-web-1'
    """
    clock = (int(now.timestamp() * 1000), 0)
    match = HLC_PATTERN.match(after or "")
    if match:
        ms, counter = int(match[1]), int(match[2])
        following = (ms, counter + 1) if counter < 9999 else (ms + 1, 0)
        clock = max(clock, min(following, MAX_CLOCK))
    return f"{clock[0]:015d}-{clock[1]:04d}-{device}"


def latest_hlc(session: Session, user_id: int) -> str | None:
    """Return the greatest HLC among the learner's stored events (string order is clock order)."""
    return session.execute(_LATEST, {"owner": user_id}).scalar()


_EVENTS = Event.__table__
_LATEST = select(func.max(_EVENTS.c.hlc)).where(_EVENTS.c.owner_id == bindparam("owner"))


def is_uuid(text: str | None) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True
