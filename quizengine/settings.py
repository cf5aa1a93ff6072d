"""Changing a learner's scheduling settings (retention, new skills a day, time zone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from .event_store import lock_owner
from .projections import replay_cards, settings_for


@dataclass
class SettingsError(Exception):
    field: str
    message: str


def update_settings(session: Session, user_id: int, form: Mapping[str, str], now: datetime) -> None:
    """Validate and save the settings; a new retention replays every card under it."""
    retention = _number(
        form, "desired_retention", float, 0.70, 0.99, "a retention from 0.70 to 0.99"
    )
    new_limit = _number(form, "daily_new_limit", int, 0, 50, "a whole number from 0 to 50")
    hour = _number(form, "day_start_hour", int, 0, 23, "an hour from 0 to 23")
    timezone = form.get("timezone", "").strip()
    if timezone not in available_timezones():
        raise SettingsError("timezone", "Choose a time zone from the list, such as Europe/Paris.")
    # A new retention rewrites every card: a push from another device must not update one
    # between this replay's reads and its writes (the push's review would be lost).
    lock_owner(session, user_id)
    settings = settings_for(session, user_id)
    changed_retention = abs(settings.desired_retention - retention) > 1e-9
    settings.desired_retention = retention
    settings.daily_new_limit = new_limit
    settings.day_start_hour = hour
    settings.timezone = timezone
    if changed_retention:
        replay_cards(session, user_id, retention)
    session.commit()


def _number(form: Mapping[str, str], field: str, kind, low, high, wanted: str):
    try:
        value = kind(form.get(field, "").strip())
    except ValueError:
        raise SettingsError(field, f"Enter {wanted}.") from None
    if not low <= value <= high:
        raise SettingsError(field, f"Enter {wanted}.")
    return value
