"""Events made on the server for plain form posts, so pages without JavaScript
take exactly the path the offline client takes (`ingest.push_events`)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from flask import session as browser_session

from .event_schema import SCHEMA_VERSION


def device_id() -> str:
    """Return this browser's device id, kept in its signed session cookie."""
    if "device_id" not in browser_session:
        browser_session["device_id"] = f"web-{secrets.token_hex(8)}"
    return browser_session["device_id"]


def make_event(
    kind: str, payload: dict[str, Any], now: datetime, *, event_id: str | None = None
) -> dict[str, Any]:
    """Return a client-shaped event (CONTRACT.md) stamped with the server's clock."""
    millis = int(now.timestamp() * 1000)
    return {
        "id": event_id or str(uuid.uuid4()),
        "v": SCHEMA_VERSION,
        "type": kind,
        "hlc": f"{millis:015d}-0000-{device_id()}",
        "created_at": now.isoformat(),
        "payload": payload,
    }


def is_uuid(text: str | None) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True
