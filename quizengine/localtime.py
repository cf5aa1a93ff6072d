"""Dates as the learner sees them: in their time zone, with their day's start hour."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_login import current_user

from .extensions import db
from .projections import read_settings
from .stats import learner_day


def learner_date(moment: datetime | None) -> str:
    """Return the learner's calendar day of `moment` (ISO), as the forecast counts it."""
    if moment is None:
        return "–"
    timezone, hour = _learner_clock()
    return learner_day(moment, timezone, hour).isoformat()


def learner_time(moment: datetime | None) -> str:
    """Return `moment` as the learner's wall clock shows it, naming the zone: a deadline
    is an instant, so no day-start shift and never the date alone."""
    if moment is None:
        return "–"
    timezone, _ = _learner_clock()
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} ({timezone})"


def _learner_clock() -> tuple[str, int]:
    """The signed-in learner's time zone and day-start hour, read once per request."""
    if "learner_clock" not in g:
        if current_user.is_authenticated:
            settings = read_settings(db.session, current_user.id)
            g.learner_clock = (settings.timezone, settings.day_start_hour)
        else:
            g.learner_clock = ("UTC", 0)
    return g.learner_clock


def register(app: Flask) -> None:
    app.add_template_filter(learner_date, "learner_date")
    app.add_template_filter(learner_time, "learner_time")
