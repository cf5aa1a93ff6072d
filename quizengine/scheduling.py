"""Spaced repetition with fsrs: ratings, card replay, our own deterministic fuzz.

A card is (learner, skill template). Its state is a pure function of the
learner's graded attempts on that template: sort them by (hlc, device, id),
rate each, fold with `Scheduler.review_card`. Nothing here reads the clock or
the database, so a replay on any machine gives the same cards and due dates.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

RATING_VERSION = 1
# After a miss, another attempt within this window is a retry, not a review.
RETRY_WINDOW = timedelta(minutes=30)
LEVEL_UP_AFTER = 2
LEVEL_DOWN_AFTER = 2


@dataclass(frozen=True)
class Outcome:
    """What happened in one attempt, as far as scheduling cares."""

    status: str  # correct | incorrect | invalid | undecided
    score: float
    duration_ms: int | None = None
    typical_seconds: int = 90
    gave_up: bool = False
    solution_first: bool = False
    hint_used: bool = False


def rate(outcome: Outcome) -> Rating | None:
    """Map an outcome to an fsrs rating (version 1), or None when it is no review.

    Wrong, gave up or solution seen first: Again (never Hard). Correct with
    partial credit, a hint, or over twice the typical time: Hard. Correct and
    clean: Good. Unreadable and undecided answers say nothing about memory.

    >>> rate(Outcome("correct", 1.0)).name, rate(Outcome("incorrect", 0.0)).name
    ('Good', 'Again')
    >>> rate(Outcome("incorrect", 0.5)).name, rate(Outcome("invalid", 0.0)) is None
    ('Hard', True)
    """
    if outcome.gave_up or outcome.solution_first:
        return Rating.Again
    if outcome.status not in ("correct", "incorrect"):
        return None
    if outcome.status == "incorrect":
        return Rating.Hard if outcome.score > 0 else Rating.Again
    slow = (
        outcome.duration_ms is not None and outcome.duration_ms > 2 * 1000 * outcome.typical_seconds
    )
    return Rating.Hard if outcome.hint_used or slow else Rating.Good


@dataclass(frozen=True)
class GradedAttempt:
    """One graded attempt as replay sees it; `key` is (hlc, device_id, event id)."""

    key: tuple[str, str, str]
    time: datetime
    level: int
    outcome: Outcome


@dataclass(frozen=True)
class CardState:
    """A card: the fsrs card plus what our queue and levels need."""

    card: FsrsCard
    reviews: int = 0
    lapses: int = 0
    attempts: int = 0
    level: int = 1
    clean_streak: int = 0
    miss_streak: int = 0
    last_rating: int | None = None
    last_time: datetime | None = None
    last_key: tuple[str, str, str] = ("", "", "")
    first_review: datetime | None = None

    @property
    def is_learned(self) -> bool:
        """A skill counts as learned while its latest review was a success (not Again)."""
        return self.reviews > 0 and self.last_rating not in (None, int(Rating.Again))


def card_id_for(user_id: int, template_id: str) -> int:
    """Return a stable 62-bit card id for (learner, template).

    >>> card_id_for(1, "hessian") == card_id_for(1, "hessian") != card_id_for(2, "hessian")
    True
    """
    digest = hashlib.sha256(f"card:{user_id}:{template_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 2


@functools.lru_cache(maxsize=64)
def scheduler_for(desired_retention: float) -> Scheduler:
    """Return the scheduler for a retention: no learning steps, fsrs fuzz off."""
    return Scheduler(
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def new_card(user_id: int, template_id: str, *, level: int, now: datetime) -> CardState:
    card = FsrsCard(card_id=card_id_for(user_id, template_id), due=now)
    return CardState(card=card, level=level)


def sort_key(attempt: GradedAttempt) -> tuple[str, str, str]:
    return attempt.key


def apply(
    state: CardState, attempt: GradedAttempt, scheduler: Scheduler, levels: tuple[int, ...]
) -> CardState:
    """Fold one attempt into a card; `attempt` must sort after `state.last_key`."""
    rating = rate(attempt.outcome)
    if rating is None:
        return replace(state, last_key=attempt.key)
    # Clock order can disagree with hlc order across devices; time never runs back.
    when = max(attempt.time, state.last_time) if state.last_time else attempt.time
    state = _adapt_level(state, attempt, rating, levels)
    retry = (
        state.last_rating == Rating.Again
        and state.last_time is not None
        and when - state.last_time < RETRY_WINDOW
    )
    if retry:
        return replace(state, attempts=state.attempts + 1, last_key=attempt.key)
    card, _ = scheduler.review_card(state.card, rating, when)
    card = _fuzz(card, reviews=state.reviews + 1, when=when, scheduler=scheduler)
    return replace(
        state,
        card=card,
        reviews=state.reviews + 1,
        lapses=state.lapses + (1 if rating == Rating.Again and state.reviews else 0),
        attempts=state.attempts + 1,
        last_rating=int(rating),
        last_time=when,
        last_key=attempt.key,
        first_review=state.first_review or when,
    )


def replay(
    user_id: int,
    template_id: str,
    attempts: Iterable[GradedAttempt],
    *,
    desired_retention: float,
    levels: tuple[int, ...],
    start: datetime,
) -> CardState:
    """Return the card for these attempts, in replay order, from a new card at `start`."""
    scheduler = scheduler_for(desired_retention)
    state = new_card(user_id, template_id, level=levels[0], now=start)
    for attempt in sorted(attempts, key=sort_key):
        state = apply(state, attempt, scheduler, levels)
    return state


def _adapt_level(
    state: CardState, attempt: GradedAttempt, rating: Rating, levels: tuple[int, ...]
) -> CardState:
    """Up after two clean answers at the card's level, down after two misses."""
    if attempt.level != state.level:
        return state
    clean, miss = state.clean_streak, state.miss_streak
    if rating == Rating.Good:
        clean, miss = clean + 1, 0
    elif rating == Rating.Again:
        clean, miss = 0, miss + 1
    else:
        clean, miss = 0, 0
    level = state.level
    position = levels.index(level) if level in levels else 0
    if clean >= LEVEL_UP_AFTER and position + 1 < len(levels):
        level, clean = levels[position + 1], 0
    elif miss >= LEVEL_DOWN_AFTER and position > 0:
        level, miss = levels[position - 1], 0
    return replace(state, level=level, clean_streak=clean, miss_streak=miss)


def _fuzz(card: FsrsCard, *, reviews: int, when: datetime, scheduler: Scheduler) -> FsrsCard:
    """Spread due dates a little, seeded by (card id, review count) so replay agrees.

    The same ranges as fsrs's own fuzz (and Anki's): none under 2.5 days,
    then ±15%, ±10% and ±5% of the interval in bands, at least one day.
    """
    days = (card.due - when).total_seconds() / 86400
    if days < 2.5:
        return card
    delta = 1.0
    for low, high, factor in ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, float("inf"), 0.05)):
        delta += factor * max(0.0, min(days, high) - low)
    rng = random.Random(f"fuzz:{card.card_id}:{reviews}")
    low = max(2, round(days - delta))
    high = min(round(days + delta), scheduler.maximum_interval)
    fuzzed = rng.randint(low, max(low, high))
    return replace(card, due=when + timedelta(days=fuzzed))


def retrievability(state: CardState, now: datetime, desired_retention: float) -> float:
    """Return the probability of recall now (0 for a card never reviewed)."""
    if state.reviews == 0:
        return 0.0
    return scheduler_for(desired_retention).get_card_retrievability(state.card, now)


def day_start(now: datetime, timezone: str, hour: int) -> datetime:
    """Return the start (UTC) of the learner's current day, which begins at `hour` local.

    >>> day_start(datetime(2026, 3, 1, 2, 0, tzinfo=UTC), "UTC", 4).isoformat()
    '2026-02-28T04:00:00+00:00'
    """
    return _start_of(_local_day(now, timezone, hour), timezone, hour)


def next_day_start(now: datetime, timezone: str, hour: int) -> datetime:
    """Return the start (UTC) of the learner's next day: 23 or 25 hours after today's
    start when the clocks change in between, never "today + 24 h".

    >>> next_day_start(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), "Europe/Paris", 4).isoformat()
    '2026-03-29T02:00:00+00:00'
    """
    return _start_of(_local_day(now, timezone, hour) + timedelta(days=1), timezone, hour)


def _local_day(now: datetime, timezone: str, hour: int) -> date:
    local = now.astimezone(ZoneInfo(timezone))
    return local.date() if local.hour >= hour else local.date() - timedelta(days=1)


def _start_of(day: date, timezone: str, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(timezone)).astimezone(UTC)
