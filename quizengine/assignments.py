"""Assignments: a set given to a class with dates; how each student's answers count.

Lateness is decided by the server's receive time, never the device's clock.
An answer whose own clock time is before the due date but which arrived after
it was made offline and synced late: it counts once the teacher accepts it
(a `LateAcceptance` row, the teacher's decision).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import (
    Assignment,
    Attempt,
    Classroom,
    Enrollment,
    LateAcceptance,
    ProblemSet,
    ProblemSetItem,
)
from .problem_sets import SetProblem, problem_seed, set_problems
from .projections import replay_key
from .teaching_errors import TeachingError

# Assigned work stays in the queue this long after its due date (late work is allowed).
LATE_WINDOW = timedelta(days=14)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def parse_local(text: str | None, timezone: str, field_name: str) -> datetime:
    """Return the UTC instant of a `datetime-local` value read in `timezone`.

    >>> parse_local("2026-03-02T09:00", "Europe/Paris", "due_at").isoformat()
    '2026-03-02T08:00:00+00:00'
    """
    try:
        naive = datetime.strptime((text or "").strip()[:16], LOCAL_FORMAT)
    except ValueError:
        raise TeachingError(field_name, "Enter a date and time such as 2026-03-02T09:00.") from None
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return naive.replace(tzinfo=zone).astimezone(UTC)


def to_local(moment: datetime, timezone: str) -> str:
    """Return a UTC instant as a `datetime-local` value in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone)).strftime(LOCAL_FORMAT)


def assign_set(
    session: Session,
    problem_set: ProblemSet,
    classroom: Classroom,
    opens_at: datetime,
    due_at: datetime,
    now: datetime,
) -> Assignment:
    """Give a set to a class (both already scoped to the teacher)."""
    _check_dates(classroom, opens_at, due_at)
    assignment = Assignment(
        set_id=problem_set.id, classroom_id=classroom.id, opens_at=opens_at, due_at=due_at,
        created_at=now,
    )  # fmt: skip
    session.add(assignment)
    session.flush()
    return assignment


def change_dates(assignment: Assignment, classroom: Classroom, opens_at: datetime,
                 due_at: datetime) -> None:  # fmt: skip
    """Move an assignment's opening and due times (an extension, a typo mended). Lateness
    is worked out from the due time whenever it is shown, so every answer follows."""
    _check_dates(classroom, opens_at, due_at)
    assignment.opens_at, assignment.due_at = opens_at, due_at


def withdraw(assignment: Assignment, now: datetime) -> None:
    """Take an assignment back: it leaves the students' queues and class pages at once.
    Answers already given stay, with the gradebook, and return if it is restored."""
    assignment.withdrawn_at = assignment.withdrawn_at or now


def restore(assignment: Assignment) -> None:
    assignment.withdrawn_at = None


def _check_dates(classroom: Classroom, opens_at: datetime, due_at: datetime) -> None:
    if classroom.archived_at is not None:
        raise TeachingError("classroom_id", "That class is archived.")
    if due_at <= opens_at:
        raise TeachingError("due_at", "The due time must be after the opening time.")


@dataclass(frozen=True)
class ScopedAssignment:
    assignment: Assignment
    classroom: Classroom
    problem_set: ProblemSet


def teacher_assignment(
    session: Session, teacher_id: int, assignment_id: int
) -> ScopedAssignment | None:
    """Return the assignment with its class and set if the teacher owns the class."""
    row = session.execute(
        select(Assignment, Classroom, ProblemSet)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(ProblemSet, ProblemSet.id == Assignment.set_id)
        .where(Assignment.id == assignment_id, Classroom.teacher_id == teacher_id)
    ).first()
    return ScopedAssignment(*row) if row else None


def class_assignments(session: Session, class_id: int) -> list[tuple[Assignment, ProblemSet]]:
    return list(
        session.execute(
            select(Assignment, ProblemSet)
            .join(ProblemSet, ProblemSet.id == Assignment.set_id)
            .where(Assignment.classroom_id == class_id)
            .order_by(Assignment.due_at.desc(), Assignment.id.desc())
        )
    )


# -- how answers count -------------------------------------------------------------

ON_TIME, LATE, OFFLINE_LATE, ACCEPTED = "on_time", "late", "offline_late", "accepted"


def timing(attempt: Attempt, due_at: datetime, accepted: bool = False) -> str:
    """Say whether an answer counts: on time, late, or made offline in time but received late."""
    if attempt.received_at <= due_at:
        return ON_TIME
    if accepted:
        return ACCEPTED
    return OFFLINE_LATE if attempt.answered_at <= due_at else LATE


def uses_an_attempt(attempt: Attempt) -> bool:
    """Unreadable answers are not counted; giving up is."""
    return attempt.status != "invalid" or bool((attempt.flags or {}).get("gave_up"))


@dataclass
class ProblemResult:
    """One student's standing on one problem of an assignment."""

    status: str = "not_started"  # not_started|correct|incorrect|undecided|offline_late|late
    score: float = 0.0
    used: int = 0
    attempts: list[tuple[Attempt, str]] = field(default_factory=list)  # (attempt, timing)

    @property
    def pending_late(self) -> bool:
        return any(t == OFFLINE_LATE for _, t in self.attempts)


def summarize(
    attempts: Iterable[Attempt],
    *,
    attempts_allowed: int | None,
    due_at: datetime,
    accepted: Collection[tuple[int, str]] = frozenset(),
) -> ProblemResult:
    """Fold one student's attempts on one problem into a status and a score.

    The first `attempts_allowed` counted answers (in replay order) count;
    the score is the best of those that are on time or `accepted` (late answers a
    teacher accepted, as (student id, attempt id): see `accepted_answers`).
    """
    result = ProblemResult()
    ordered = sorted(attempts, key=lambda a: replay_key(a.hlc, a.device_id, a.event_id))
    for attempt in ordered:
        if not uses_an_attempt(attempt):
            continue
        if attempts_allowed is not None and result.used >= attempts_allowed:
            break
        result.used += 1
        result.attempts.append((attempt, timing(attempt, due_at, answer_key(attempt) in accepted)))
    counted = [a for a, t in result.attempts if t in (ON_TIME, ACCEPTED)]
    if counted:
        result.score = max(
            a.score if a.status in ("correct", "incorrect") else 0.0 for a in counted
        )
        statuses = {a.status for a in counted}
        if "correct" in statuses:
            result.status = "correct"
        elif "undecided" in statuses:
            result.status = "undecided"
        else:
            result.status = "incorrect"
    elif result.pending_late:
        result.status = "offline_late"
    elif result.attempts:
        result.status = "late"
    return result


def is_done(result: ProblemResult, attempts_allowed: int | None) -> bool:
    """A problem leaves the queue once right, waiting for the teacher, or out of attempts."""
    if result.status in ("correct", "undecided"):
        return True
    if any(a.status in ("correct", "undecided") for a, _ in result.attempts):
        return True
    return attempts_allowed is not None and result.used >= attempts_allowed


def accepted_answers(
    session: Session, assignment_ids: list[int], student_ids=None
) -> set[tuple[int, str]]:
    """The late answers teachers accepted on these assignments, as `answer_key`s."""
    if not assignment_ids:
        return set()
    query = select(LateAcceptance.student_id, LateAcceptance.attempt_id).where(
        LateAcceptance.assignment_id.in_(assignment_ids)
    )
    if student_ids is not None:
        query = query.where(LateAcceptance.student_id.in_(student_ids))
    return {(student_id, attempt_id) for student_id, attempt_id in session.execute(query)}


def answer_key(attempt) -> tuple[int, str]:
    """Who answered and the attempt's id: a device makes the id, so it is unique only
    per learner (another learner may send the same one)."""
    return attempt.user_id, attempt.event_id


# -- the learner's side: assigned work for the queue -------------------------------


@dataclass(frozen=True)
class OpenProblem:
    assignment: Assignment
    problem: SetProblem
    seed: int


def open_problems(session: Session, student_id: int, now: datetime) -> list[OpenProblem]:
    """Return the learner's open, unfinished assigned problems, by due date (4 queries)."""
    rows = session.execute(
        select(Assignment, ProblemSet)
        .join(ProblemSet, ProblemSet.id == Assignment.set_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .where(
            Enrollment.student_id == student_id,
            Enrollment.removed_at.is_(None),
            Classroom.archived_at.is_(None),
            Assignment.opens_at <= now,
            Assignment.due_at > now - LATE_WINDOW,
            Assignment.withdrawn_at.is_(None),
        )
        .order_by(Assignment.due_at, Assignment.id)
    ).all()
    if not rows:
        return []
    set_ids = {s.id for _, s in rows}
    items: dict[int, list[ProblemSetItem]] = {}
    for item in session.scalars(select(ProblemSetItem).where(ProblemSetItem.set_id.in_(set_ids))):
        items.setdefault(item.set_id, []).append(item)
    assignment_ids = [a.id for a, _ in rows]
    by_problem: dict[tuple, list[Attempt]] = {}
    for attempt in session.scalars(
        select(Attempt).where(
            Attempt.user_id == student_id, Attempt.assignment_id.in_(assignment_ids)
        )
    ):
        key = (attempt.assignment_id, attempt.template_id, attempt.seed, attempt.level)
        by_problem.setdefault(key, []).append(attempt)
    found = []
    for assignment, problem_set in rows:
        for problem in set_problems(items.get(problem_set.id, [])):
            seed = problem_seed(problem_set, problem, student_id)
            key = (assignment.id, problem.template_id, seed, problem.level)
            result = summarize(
                by_problem.get(key, []), attempts_allowed=problem_set.attempts_allowed,
                due_at=assignment.due_at,
            )  # fmt: skip
            if not is_done(result, problem_set.attempts_allowed):
                found.append(OpenProblem(assignment, problem, seed))
    return found


def hides_solution(
    session: Session, student_id: int, assignment_id: int | None, now: datetime
) -> bool:
    """Whether an answer to this assignment must not show the solution yet."""
    if assignment_id is None:
        return False
    row = session.execute(
        select(Assignment.due_at, ProblemSet.solutions_after)
        .join(ProblemSet, ProblemSet.id == Assignment.set_id)
        .join(Enrollment, Enrollment.classroom_id == Assignment.classroom_id)
        .where(Assignment.id == assignment_id, Enrollment.student_id == student_id,
               Assignment.withdrawn_at.is_(None))
    ).first()  # fmt: skip
    return row is not None and row.solutions_after == "due_date" and now < row.due_at


def hides_variant(
    session: Session, student_id: int, template_id: str, seed: int, now: datetime
) -> bool:
    """Whether this exact variant is open assigned work whose solution waits for the due
    date: then no page shows it, however the learner reached the problem."""
    return any(
        found.problem.template_id == template_id
        and found.seed == seed
        and hides_solution(session, student_id, found.assignment.id, now)
        for found in open_problems(session, student_id, now)
    )
