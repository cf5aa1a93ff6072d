"""A learner's progress: per-skill memory, streak, accuracy over time, the review forecast."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import scheduling
from .content import template_index
from .models import Attempt, Card, Device
from .projections import card_state, read_settings

SKEW_WORTH_SAYING_MS = 2 * 60 * 1000


@dataclass(frozen=True)
class SkillProgress:
    template_id: str
    title: str
    retrievability: float | None
    level: int
    reviews: int
    due: datetime | None


@dataclass(frozen=True)
class DayActivity:
    day: date
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None


@dataclass(frozen=True)
class Progress:
    skills: list[SkillProgress]
    streak: int
    activity: list[DayActivity]  # the last 30 learner-days, oldest first
    forecast: list[tuple[date, int]]  # reviews due on each of the next 14 days
    total_attempts: int
    total_correct: int
    skewed_devices: list[tuple[str, int]]  # (device id, clock skew in ms) beyond 2 minutes


def learner_day(moment: datetime, timezone: str, hour: int) -> date:
    """Return the learner's calendar day of a moment (days start at `hour` local)."""
    return (moment.astimezone(ZoneInfo(timezone)) - timedelta(hours=hour)).date()


def progress(session: Session, user_id: int, now: datetime) -> Progress:
    settings = read_settings(session, user_id)
    templates = template_index()
    tz, hour = settings.timezone, settings.day_start_hour
    cards = [c for c in session.scalars(select(Card).where(Card.user_id == user_id))
             if c.template_id in templates]  # fmt: skip
    skills = [
        SkillProgress(
            template_id=c.template_id,
            title=templates[c.template_id].title,
            retrievability=(scheduling.retrievability(card_state(c), now,
                                                      settings.desired_retention)
                            if c.reviews else None),
            level=c.level,
            reviews=c.reviews,
            due=c.due if c.reviews else None,
        )
        for c in sorted(cards, key=lambda c: list(templates).index(c.template_id))
    ]  # fmt: skip
    rows = session.execute(
        select(Attempt.answered_at, Attempt.status, Attempt.flags).where(Attempt.user_id == user_id)
    ).all()
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for answered_at, status, flags in rows:
        # Giving up is a missed answer; an unreadable one is no answer at all.
        if status not in ("correct", "incorrect") and not (flags or {}).get("gave_up"):
            continue
        tally = per_day[learner_day(answered_at, tz, hour)]
        tally[0] += 1
        tally[1] += status == "correct"
    today = learner_day(now, tz, hour)
    activity = [
        DayActivity(day, *per_day.get(day, (0, 0)))
        for day in (today - timedelta(days=n) for n in range(29, -1, -1))
    ]
    due_days = Counter(max(learner_day(c.due, tz, hour), today) for c in cards if c.reviews)
    forecast = [(today + timedelta(days=n), due_days.get(today + timedelta(days=n), 0))
                for n in range(14)]  # fmt: skip
    return Progress(
        skills=skills,
        streak=_streak(set(per_day), today),
        activity=activity,
        forecast=forecast,
        total_attempts=sum(t[0] for t in per_day.values()),
        total_correct=sum(t[1] for t in per_day.values()),
        skewed_devices=[
            (d.device_id, d.clock_skew_ms)
            for d in session.scalars(select(Device).where(Device.user_id == user_id))
            if d.clock_skew_ms is not None and abs(d.clock_skew_ms) > SKEW_WORTH_SAYING_MS
        ],
    )


def _streak(days: set[date], today: date) -> int:
    """Count consecutive days with an answer, ending today (or yesterday, if not yet today).

    >>> _streak({date(2026, 1, 1), date(2026, 1, 2)}, date(2026, 1, 3))
    2
    """
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
