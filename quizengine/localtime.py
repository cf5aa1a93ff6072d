"""Dates as the learner sees them: in their time zone, with their day's start hour."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g
from flask_login import current_user

from .extensions import db
from .projections import read_settings
from .stats import learner_day


def learner_date(moment: datetime | None) -> str:
    """Return the learner's calendar day of `moment` (ISO), as the forecast counts it."""
    if moment is None:
        return "–"
    if "learner_clock" not in g:
        if current_user.is_authenticated:
            settings = read_settings(db.session, current_user.id)
            g.learner_clock = (settings.timezone, settings.day_start_hour)
        else:
            g.learner_clock = ("UTC", 0)
    timezone, hour = g.learner_clock
    return learner_day(moment, timezone, hour).isoformat()


def register(app: Flask) -> None:
    app.add_template_filter(learner_date, "learner_date")
