"""Teachers' decisions on answers: rulings on undecided answers, accepting offline-late ones.

A ruling is an event in the STUDENT's stream (owner = the student), type
`attempt.ruled`, device `teacher-<id>`, payload {attempt_id, status,
teacher_id}, appended with `event_store.append_events` so it has a place in
the student's sequence and reaches their devices through sync pull. Clients
cannot push it (it is not in `event_schema.CLIENT_TYPES`).

Projection: the Attempt row takes the ruled status and score, and the card of
that skill is replayed. A full rebuild that re-grades attempts from `attempt`
events must call `apply_rulings(session, user_id)` after grading and before
`projections.replay_cards`; it re-applies every `attempt.ruled` event, latest
by `seq` winning. Late acceptances are `LateAcceptance` rows (the teacher's
configuration of a grade, not a learner event).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .assignments import OFFLINE_LATE, timing
from .event_store import NewEvent, append_events
from .insert_once import insert_once
from .models import (
    Assignment,
    Attempt,
    Card,
    Classroom,
    Enrollment,
    Event,
    LateAcceptance,
    ProblemSet,
    Ruling,
    User,
)
from .problem_sets import SetProblem, problem_seed, set_items, set_problems
from .projections import read_settings, replay_card, store_state
from .teaching_errors import TeachingError

RULED = "attempt.ruled"
RULINGS = ("correct", "incorrect")


@dataclass(frozen=True)
class ScopedAttempt:
    attempt: Attempt
    assignment: Assignment
    student: User


def teacher_attempt(
    session: Session, teacher_id: int, student_id: int, attempt_id: str
) -> ScopedAttempt | None:
    """Return an attempt answering a problem of an assignment of one of the teacher's
    classes where the student is enrolled now, else None (what a teacher may rule on or
    accept: a device can tag any answer with any assignment id)."""
    row = session.execute(
        select(Attempt, Assignment, User, ProblemSet)
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .join(ProblemSet, ProblemSet.id == Assignment.set_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .join(User, User.id == Attempt.user_id)
        .where(
            Attempt.user_id == student_id, Attempt.event_id == attempt_id,
            Classroom.teacher_id == teacher_id, Enrollment.student_id == student_id,
            Enrollment.removed_at.is_(None),
        )
    ).first()  # fmt: skip
    if row is None or not _answers_its_set(row[0], row[3], _problems(session, row[3])):
        return None
    return ScopedAttempt(*row[:3])


def undecided(
    session: Session, teacher_id: int
) -> list[tuple[Attempt, User, Assignment, ProblemSet]]:
    """Return the undecided answers waiting for this teacher, oldest first: those that
    answer a problem of the assigned set (a device could tag any answer with any id)."""
    rows = list(
        session.execute(
            select(Attempt, User, Assignment, ProblemSet)
            .join(Assignment, Assignment.id == Attempt.assignment_id)
            .join(ProblemSet, ProblemSet.id == Assignment.set_id)
            .join(Classroom, Classroom.id == Assignment.classroom_id)
            .join(Enrollment, (Enrollment.classroom_id == Classroom.id)
                  & (Enrollment.student_id == Attempt.user_id))
            .join(User, User.id == Attempt.user_id)
            .where(Classroom.teacher_id == teacher_id, Attempt.status == "undecided",
                   Enrollment.removed_at.is_(None))
            .order_by(Attempt.received_at, Attempt.event_id)
        )
    )  # fmt: skip
    problems: dict[int, list[SetProblem]] = {}
    for _, _, _, problem_set in rows:
        if problem_set.id not in problems:
            problems[problem_set.id] = _problems(session, problem_set)
    return [row for row in rows if _answers_its_set(row[0], row[3], problems[row[3].id])]


def _problems(session: Session, problem_set: ProblemSet) -> list[SetProblem]:
    return set_problems(set_items(session, problem_set.id))


def _answers_its_set(attempt: Attempt, problem_set: ProblemSet, problems) -> bool:
    return any(
        (attempt.template_id, attempt.level, attempt.seed)
        == (p.template_id, p.level, problem_seed(problem_set, p, attempt.user_id))
        for p in problems
    )


def rule(
    session: Session, teacher_id: int, scoped: ScopedAttempt, status: str, now: datetime
) -> Ruling:
    """Rule an answer correct or incorrect: an event, then the attempt and the card follow."""
    if status not in RULINGS:
        raise TeachingError("status", "Rule the answer correct or incorrect.")
    attempt = scoped.attempt
    if attempt.status not in ("undecided", *RULINGS) or (
        attempt.status != "undecided"
        and session.get(Ruling, (attempt.user_id, attempt.event_id)) is None
    ):
        raise TeachingError("status", "Only answers the grader could not decide wait for a ruling.")
    device = f"teacher-{teacher_id}"
    millis = int(now.timestamp() * 1000)
    event = NewEvent(
        id=str(uuid.uuid4()), device_id=device, type=RULED,
        hlc=f"{millis:015d}-0000-{device}", created_at=now,
        payload={"attempt_id": attempt.event_id, "status": status, "teacher_id": teacher_id},
    )  # fmt: skip
    append_events(session, attempt.user_id, [event], now)
    ruling = _project(session, attempt, event, now)
    session.flush()
    _replay(session, attempt.user_id, attempt.template_id)
    return ruling


def _project(session: Session, attempt: Attempt, event: NewEvent | Event, now) -> Ruling:
    status = event.payload["status"]
    attempt.status = status
    attempt.score = 1.0 if status == "correct" else 0.0
    ruling = session.get(Ruling, (attempt.user_id, attempt.event_id))
    if ruling is None:
        ruling = Ruling(student_id=attempt.user_id, attempt_id=attempt.event_id)
        session.add(ruling)
    ruling.teacher_id = event.payload["teacher_id"]
    ruling.status = status
    ruling.event_id = event.id
    ruling.ruled_at = now
    return ruling


def _replay(session: Session, user_id: int, template_id: str) -> None:
    settings = read_settings(session, user_id)
    state = replay_card(session, user_id, template_id, settings.desired_retention)
    card = session.get(Card, (user_id, template_id))
    if card is None:
        card = Card(user_id=user_id, template_id=template_id, introduced_at=state.last_time)
        session.add(card)
    store_state(state, card)
    if card.introduced_at is None and state.reviews:
        card.introduced_at = state.first_review


def apply_rulings(session: Session, user_id: int) -> int:
    """Re-apply every `attempt.ruled` event of a learner to their attempts (for a rebuild)."""
    count = 0
    for event in session.scalars(
        select(Event).where(Event.owner_id == user_id, Event.type == RULED).order_by(Event.seq)
    ):
        attempt = session.get(Attempt, (user_id, event.payload["attempt_id"]))
        if attempt is not None:
            _project(session, attempt, event, event.received_at)
            count += 1
    return count


def accept_late(
    session: Session, teacher_id: int, scoped: ScopedAttempt, now: datetime
) -> LateAcceptance:
    """Count an answer made offline before the due date that arrived after it."""
    attempt = scoped.attempt
    if timing(attempt, scoped.assignment.due_at) != OFFLINE_LATE:
        raise TeachingError("attempt", "Only answers made before the due date can be accepted.")
    # Accepting twice (a double click) keeps the first acceptance.
    insert_once(session, LateAcceptance, ["student_id", "attempt_id"],
                student_id=attempt.user_id, attempt_id=attempt.event_id,
                assignment_id=scoped.assignment.id, teacher_id=teacher_id,
                accepted_at=now)  # fmt: skip
    return session.get(LateAcceptance, (attempt.user_id, attempt.event_id))
