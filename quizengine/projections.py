"""Keeping the projections (cards, notes, Skill Check answers) in step with events.

Each function takes the database session and the event it projects; the
caller commits. Replay order is (hlc, device_id, id) everywhere, written as
one string key so that comparing keys is comparing replay order.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fsrs import Card as FsrsCard
from fsrs import State
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from . import scheduling
from .content import template_index
from .insert_once import insert_once
from .models import Attempt, Card, LearnerSettings, Note, SkillCheckAnswer
from .scheduling import CardState, GradedAttempt, Outcome

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
KEY_SEPARATOR = "\x1f"  # sorts below every character an hlc, device or uuid holds


def replay_key(hlc: str, device_id: str, event_id: str) -> str:
    """Return the replay order of an event as one comparable string."""
    return KEY_SEPARATOR.join((hlc, device_id, event_id))


def settings_for(session: Session, user_id: int) -> LearnerSettings:
    """Return the learner's settings to change, adding the defaults on first use.

    Two requests may both find no row (a double tap): whichever inserts second
    yields to the first instead of failing on the primary key.
    """
    settings = session.get(LearnerSettings, user_id)
    if settings is None:
        insert_once(session, LearnerSettings, ["user_id"], user_id=user_id, **DEFAULT_SETTINGS)
        settings = session.get(LearnerSettings, user_id)
    return settings


def read_settings(session: Session, user_id: int) -> LearnerSettings:
    """Return the learner's settings to read: the stored row, or the defaults (not added
    to the session) until they first save some. Pages that only show or schedule use
    this, so opening them never writes."""
    found = session.get(LearnerSettings, user_id)
    return found if found is not None else LearnerSettings(user_id=user_id, **DEFAULT_SETTINGS)


DEFAULT_SETTINGS = {"desired_retention": 0.9, "daily_new_limit": 5, "timezone": "UTC",
                    "day_start_hour": 4}  # fmt: skip


# -- cards -----------------------------------------------------------------------


def graded_attempt(row) -> GradedAttempt:
    """The scheduling view of an attempt (an Attempt, a row, or anything with its fields)."""
    return _graded(
        row.template_id, row.hlc, row.device_id, row.event_id, row.answered_at, row.level,
        row.status, row.score, row.duration_ms, row.flags,
    )  # fmt: skip


_REPLAY_COLUMNS = (
    Attempt.template_id, Attempt.hlc, Attempt.device_id, Attempt.event_id, Attempt.answered_at,
    Attempt.level, Attempt.status, Attempt.score, Attempt.duration_ms, Attempt.flags,
)  # fmt: skip


def _graded(
    template_id,
    hlc,
    device_id,
    event_id,
    answered_at,
    level,
    status,
    score,
    duration_ms,
    flags,
    *,
    typical_seconds: int | None = None,
) -> GradedAttempt:
    flags = flags or {}
    if typical_seconds is None:
        typical_seconds = template_index()[template_id].typical_seconds
    outcome = Outcome(
        status=status,
        score=score,
        duration_ms=duration_ms,
        typical_seconds=typical_seconds,
        gave_up=bool(flags.get("gave_up")),
        solution_first=bool(flags.get("solution_first")),
        hint_used=bool(flags.get("hint_used")),
    )
    return GradedAttempt((hlc, device_id, event_id), answered_at, level, outcome)


def attempts_by_template(
    session: Session, user_id: int, template_id: str | None = None
) -> dict[str, list[GradedAttempt]]:
    """Return a learner's graded attempts grouped by template (plain rows, not entities)."""
    query = select(*_REPLAY_COLUMNS).where(Attempt.user_id == user_id)
    if template_id is not None:
        query = query.where(Attempt.template_id == template_id)
    typical = {tid: t.typical_seconds for tid, t in template_index().items()}
    grouped: dict[str, list[GradedAttempt]] = {}
    session.flush()  # Core rows below do not autoflush: attempts just added must count
    # Core rows, not ORM entities: a replay may read a hundred thousand of them.
    for row in session.connection().execute(query):
        if row[0] in typical:
            grouped.setdefault(row[0], []).append(_graded(*row, typical_seconds=typical[row[0]]))
    return grouped


def refresh_card(
    session: Session, user_id: int, template_id: str, arrived: list[GradedAttempt],
    *, introduce_at: datetime | None = None,
) -> CardState:  # fmt: skip
    """Fold newly arrived attempts into a card: incrementally when they all sort
    after what the card has seen, otherwise by replaying every attempt.

    `introduce_at` puts the card in the learner's queue then, unless it already is.
    Core statements, not the ORM: every answer comes this way.
    """
    connection = session.connection()
    row = connection.execute(_CARD, {"user": user_id, "template": template_id}).first()
    if row is None:
        retention = desired_retention(session, user_id)
    else:  # the subquery's NULL: no settings saved, so the default holds
        retention = row.retention if row.retention is not None else _DEFAULT_RETENTION
    state = _state_from_row(row) if row is not None else None
    if state is None or any(scheduling.sort_key(a) <= state.last_key for a in arrived):
        state = replay_card(session, user_id, template_id, retention)
    else:
        scheduler = scheduling.scheduler_for(retention)
        levels = template_index()[template_id].levels
        for attempt in sorted(arrived, key=scheduling.sort_key):
            state = scheduling.apply(state, attempt, scheduler, levels)
    values = state_values(state)
    if row is None:
        connection.execute(_CARD_INSERT, {**values, "user_id": user_id, "template_id": template_id,
                                          "introduced_at": introduce_at})  # fmt: skip
    else:
        introduced = row.introduced_at if row.introduced_at is not None else introduce_at
        connection.execute(_CARD_UPDATE, {**values, "user": user_id, "template": template_id,
                                          "introduced_at": introduced})  # fmt: skip
    return state


def desired_retention(session: Session, user_id: int) -> float:
    """The learner's desired retention (the default until they save settings)."""
    found = session.connection().execute(_RETENTION, {"user": user_id}).scalar()
    return found if found is not None else _DEFAULT_RETENTION


_DEFAULT_RETENTION = DEFAULT_SETTINGS["desired_retention"]


_CARDS = Card.__table__
_SETTINGS = LearnerSettings.__table__
_RETENTION = select(_SETTINGS.c.desired_retention).where(_SETTINGS.c.user_id == bindparam("user"))
# The card and its learner's retention in one statement: this runs on every answer.
_CARD = select(_CARDS, _RETENTION.scalar_subquery().label("retention")).where(
    _CARDS.c.user_id == bindparam("user"), _CARDS.c.template_id == bindparam("template")
)
_STATE_COLUMNS = (
    "card_id", "state", "step", "stability", "difficulty", "due", "last_review", "reviews",
    "lapses", "attempts", "level", "clean_streak", "miss_streak", "last_rating", "last_time",
    "first_review", "last_key", "introduced_at",
)  # fmt: skip
_CARD_INSERT = insert(_CARDS)
# The key is matched under other names: SQLAlchemy keeps the column names for the SET values.
_CARD_UPDATE = (
    update(_CARDS)
    .where(_CARDS.c.user_id == bindparam("user"), _CARDS.c.template_id == bindparam("template"))
    .values({name: bindparam(name) for name in _STATE_COLUMNS})
)


def replay_card(
    session: Session, user_id: int, template_id: str, desired_retention: float
) -> CardState:
    """Return the card as a full replay of the learner's attempts on the template."""
    attempts = attempts_by_template(session, user_id, template_id).get(template_id, [])
    return _replay(user_id, template_id, attempts, desired_retention)


def replay_cards(session: Session, user_id: int, desired_retention: float) -> int:
    """Rebuild every card of a learner from their attempts; return how many."""
    cards = {c.template_id: c for c in session.scalars(select(Card).where(Card.user_id == user_id))}
    grouped = attempts_by_template(session, user_id)
    for template_id in set(grouped) | set(cards):
        if template_id not in template_index():
            continue
        state = _replay(user_id, template_id, grouped.get(template_id, []), desired_retention)
        row = cards.get(template_id)
        if row is None:
            row = Card(user_id=user_id, template_id=template_id, introduced_at=state.last_time)
            session.add(row)
        store_state(state, row)
    return len(cards)


def _replay(user_id, template_id, attempts, desired_retention) -> CardState:
    return scheduling.replay(
        user_id, template_id, attempts, desired_retention=desired_retention,
        levels=template_index()[template_id].levels, start=EPOCH,
    )  # fmt: skip


def _state_from_row(row: Card) -> CardState:
    card = FsrsCard(
        card_id=row.card_id, state=State(row.state), step=row.step, stability=row.stability,
        difficulty=row.difficulty, due=row.due, last_review=row.last_review,
    )  # fmt: skip
    key = tuple(row.last_key.split(KEY_SEPARATOR)) if row.last_key else ("", "", "")
    return CardState(
        card=card, reviews=row.reviews, lapses=row.lapses, attempts=row.attempts,
        level=row.level, clean_streak=row.clean_streak, miss_streak=row.miss_streak,
        last_rating=row.last_rating, last_time=row.last_time, last_key=key,  # type: ignore[arg-type]
        first_review=row.first_review,
    )  # fmt: skip


def state_values(state: CardState) -> dict:
    """A card state as the columns of its cached row (all but the key and `introduced_at`)."""
    card = state.card
    return {
        "card_id": card.card_id,
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
        "reviews": state.reviews,
        "lapses": state.lapses,
        "attempts": state.attempts,
        "level": state.level,
        "clean_streak": state.clean_streak,
        "miss_streak": state.miss_streak,
        "last_rating": state.last_rating,
        "last_time": state.last_time,
        "first_review": state.first_review,
        "last_key": replay_key(*state.last_key) if state.last_key[0] else "",
    }


def store_state(state: CardState, row: Card) -> None:
    """Write a card state into its cached row."""
    for name, value in state_values(state).items():
        setattr(row, name, value)


def card_state(row: Card) -> CardState:
    """Return the scheduling view of a cached card row."""
    return _state_from_row(row)


# -- notes and Skill Check answers ------------------------------------------------


def project_notes(session: Session, user_id: int, events: list) -> None:
    """Apply note.put and note.deleted events: per lesson, the write latest in replay
    order wins, whatever order they arrive in."""
    if not events:
        return
    lessons = {event.payload["lesson_id"] for event in events}
    notes = {
        note.lesson_id: note
        for note in session.scalars(
            select(Note).where(Note.user_id == user_id, Note.lesson_id.in_(lessons))
        )
    }
    for event in events:
        key = replay_key(event.hlc, event.device_id, event.id)
        lesson_id = event.payload["lesson_id"]
        note = notes.get(lesson_id)
        if note is not None and note.last_key >= key:
            continue
        if note is None:
            note = notes[lesson_id] = Note(user_id=user_id, lesson_id=lesson_id)
            session.add(note)
        deleted = event.type == "note.deleted"
        note.body = "" if deleted else event.payload["body"]
        note.deleted = deleted
        note.last_key = key
        note.updated_at = event.created_at


def project_skill_checks(
    session: Session, user_id: int, events: list, correct: list[bool]
) -> dict[str, list[SkillCheckAnswer]]:
    """Record each latest choice (by replay order); return every answer of the lessons
    touched, by lesson, so their scores can be counted."""
    if not events:
        return {}
    lessons = {event.payload["lesson_id"] for event in events}
    answers = {
        (a.lesson_id, a.question_id): a
        for a in session.scalars(
            select(SkillCheckAnswer).where(
                SkillCheckAnswer.user_id == user_id, SkillCheckAnswer.lesson_id.in_(lessons)
            )
        )
    }
    for event, right in zip(events, correct, strict=True):
        key = replay_key(event.hlc, event.device_id, event.id)
        where = (event.payload["lesson_id"], event.payload["question_id"])
        answer = answers.get(where)
        if answer is not None and answer.last_key >= key:
            continue
        if answer is None:
            answer = answers[where] = SkillCheckAnswer(
                user_id=user_id, lesson_id=where[0], question_id=where[1]
            )
            session.add(answer)
        answer.choice = event.payload["choice"]
        answer.correct = right
        answer.last_key = key
        answer.answered_at = event.created_at
    by_lesson: dict[str, list[SkillCheckAnswer]] = {}
    for (lesson_id, _), answer in answers.items():
        by_lesson.setdefault(lesson_id, []).append(answer)
    return by_lesson
