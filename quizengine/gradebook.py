"""The gradebook: students by problems, a drill-down, item analysis, predicted retention.

Every function takes an assignment already scoped to the teacher (see
`assignments.teacher_assignment`) and reads what it needs in a handful of
queries, whatever the class size: one for the set's items, one for the
students, one for all their attempts on the assignment, one for accepted
late answers.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import scheduling
from .assignments import ScopedAssignment, accepted_answers, answer_key, summarize, timing
from .classes import name_key
from .content import template_index
from .models import Attempt, Card, Enrollment, LearnerSettings, Ruling, User
from .problem_sets import SetProblem, problem_seed, set_items, set_problems
from .projections import card_state, replay_key

STATUSES = ("not_started", "correct", "incorrect", "undecided", "offline_late", "late")
STATUS_LABELS = {
    "not_started": "not started", "correct": "correct", "incorrect": "incorrect",
    "undecided": "waiting for you", "offline_late": "answered offline, received late",
    "late": "late",
}  # fmt: skip
SORTS = ("name", "score", "-score")
# What `assignments.summarize` reads, and what finds an attempt's cell.
_SUMMARY_COLUMNS = (
    Attempt.user_id, Attempt.event_id, Attempt.template_id, Attempt.seed, Attempt.level,
    Attempt.device_id, Attempt.hlc, Attempt.answered_at, Attempt.received_at, Attempt.status,
    Attempt.score, Attempt.flags,
)  # fmt: skip
_ANALYSIS_COLUMNS = (*_SUMMARY_COLUMNS, Attempt.answer, Attempt.duration_ms, Attempt.tags)


@dataclass(frozen=True)
class Student:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Cell:
    status: str
    score: float
    used: int


@dataclass(frozen=True)
class StudentRow:
    student: Student
    cells: list[Cell]
    total: float
    done: int


@dataclass
class Gradebook:
    scoped: ScopedAssignment
    problems: list[SetProblem]
    rows: list[StudentRow]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def max_total(self) -> int:
        return len(self.problems)

    @property
    def shared_names(self) -> set[str]:
        """Names two students of the class share: the page tells them apart by email."""
        seen = Counter(row.student.name for row in self.rows)
        return {name for name, count in seen.items() if count > 1}


@dataclass
class _Data:
    problems: list[SetProblem]
    students: list[Student]
    results: dict[int, list]  # student id -> ProblemResult per problem


def class_students(session: Session, class_id: int) -> list[Student]:
    rows = session.execute(
        select(User.id, User.display_name, User.email)
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == class_id, Enrollment.removed_at.is_(None))
    )
    return sorted((Student(*row) for row in rows), key=_by_name)


def _by_name(student: Student) -> tuple[str, int]:
    return name_key(student.name), student.id


def _load(session: Session, scoped: ScopedAssignment, columns: tuple = _SUMMARY_COLUMNS) -> _Data:
    assignment, problem_set = scoped.assignment, scoped.problem_set
    problems = set_problems(set_items(session, problem_set.id))
    students = class_students(session, scoped.classroom.id)
    ids = {s.id for s in students}
    index_of: dict[tuple, int] = {}
    for student in students:
        for problem in problems:
            seed = problem_seed(problem_set, problem, student.id)
            index_of[(student.id, problem.template_id, seed, problem.level)] = problem.index
    grouped: dict[tuple[int, int], list] = {}
    active = select(Enrollment.student_id).where(
        Enrollment.classroom_id == scoped.classroom.id, Enrollment.removed_at.is_(None)
    )
    for row in session.execute(
        select(*columns).where(Attempt.assignment_id == assignment.id, Attempt.user_id.in_(active))
    ):
        index = index_of.get((row.user_id, row.template_id, row.seed, row.level))
        if index is not None and row.user_id in ids:
            grouped.setdefault((row.user_id, index), []).append(row)
    accepted = accepted_answers(session, [assignment.id])
    results = {
        s.id: [
            summarize(
                grouped.get((s.id, p.index), []),
                attempts_allowed=problem_set.attempts_allowed,
                due_at=assignment.due_at,
                accepted=accepted,
            )  # fmt: skip
            for p in problems
        ]
        for s in students
    }
    return _Data(problems, students, results)


def gradebook(
    session: Session, scoped: ScopedAssignment, *, status: str | None = None, sort: str = "name"
) -> Gradebook:
    """Return the gradebook, keeping students with a problem in `status` when given."""
    data = _load(session, scoped)
    rows, counts = [], Counter()
    for student in data.students:
        results = data.results[student.id]
        cells = [Cell(r.status, r.score, r.used) for r in results]
        counts.update({c.status for c in cells})  # students, as the status filter keeps them
        if status in STATUSES and all(c.status != status for c in cells):
            continue
        done = sum(c.status not in ("not_started",) for c in cells)
        rows.append(StudentRow(student, cells, round(sum(c.score for c in cells), 3), done))
    if sort == "score":
        rows.sort(key=lambda r: (r.total, _by_name(r.student)))
    elif sort == "-score":
        rows.sort(key=lambda r: (-r.total, _by_name(r.student)))
    return Gradebook(scoped, data.problems, rows, dict(counts))


# -- drill-down ------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    timing: str  # on_time | late | offline_late | accepted
    counted: bool
    ruling: Ruling | None


@dataclass(frozen=True)
class DrillDown:
    scoped: ScopedAssignment
    student: Student
    problem: SetProblem
    seed: int
    status: str
    score: float
    attempts: list[AttemptView]


def drill_down(
    session: Session, scoped: ScopedAssignment, student_id: int, index: int
) -> DrillDown | None:
    """Return one student's attempts on one problem, or None outside the class."""
    student = next(
        (s for s in class_students(session, scoped.classroom.id) if s.id == student_id), None
    )
    problems = set_problems(set_items(session, scoped.problem_set.id))
    if student is None or not 0 <= index < len(problems):
        return None
    problem = problems[index]
    seed = problem_seed(scoped.problem_set, problem, student_id)
    attempts = list(
        session.scalars(
            select(Attempt).where(
                Attempt.user_id == student_id, Attempt.assignment_id == scoped.assignment.id,
                Attempt.template_id == problem.template_id, Attempt.seed == seed,
                Attempt.level == problem.level,
            )
        )
    )  # fmt: skip
    attempts.sort(key=lambda a: replay_key(a.hlc, a.device_id, a.event_id))
    accepted = accepted_answers(session, [scoped.assignment.id], [student_id])
    result = summarize(
        attempts, attempts_allowed=scoped.problem_set.attempts_allowed,
        due_at=scoped.assignment.due_at, accepted=accepted,
    )  # fmt: skip
    counted = {a.event_id for a, _ in result.attempts}
    rulings = {
        r.attempt_id: r
        for r in session.scalars(select(Ruling).where(Ruling.student_id == student_id))
        if r.attempt_id in {a.event_id for a in attempts}
    }
    due = scoped.assignment.due_at
    views = [
        AttemptView(a, timing(a, due, answer_key(a) in accepted), a.event_id in counted,
                    rulings.get(a.event_id))
        for a in attempts
    ]  # fmt: skip
    return DrillDown(scoped, student, problem, seed, result.status, result.score, views)


# -- item analysis and predicted retention ----------------------------------------


@dataclass(frozen=True)
class Mistake:
    tag: str
    count: int
    examples: list[str]


@dataclass(frozen=True)
class ItemStats:
    problem: SetProblem
    answered: int
    correct: int
    median_seconds: float | None
    mistakes: list[Mistake]

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def item_analysis(session: Session, scoped: ScopedAssignment, *, top: int = 3) -> list[ItemStats]:
    """Per problem: how many students answered, how many of them got it right (late or not),
    the median time, and the mistakes the most students made."""
    data = _load(session, scoped, _ANALYSIS_COLUMNS)
    stats = []
    for problem in data.problems:
        answered = correct = 0
        durations: list[int] = []
        tags: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for student in data.students:
            result = data.results[student.id][problem.index]
            if not result.attempts:
                continue
            answered += 1
            # How hard the problem is, not who met the deadline: a late right answer is right.
            correct += any(attempt.status == "correct" for attempt, _ in result.attempts)
            made: set[str] = set()
            for attempt, _ in result.attempts:
                if attempt.duration_ms is not None:
                    durations.append(attempt.duration_ms)
                if attempt.status != "incorrect":
                    continue
                for tag in attempt.tags or ["untagged"]:
                    made.add(tag)
                    seen = examples.setdefault(tag, [])
                    if attempt.answer not in seen and len(seen) < 3:
                        seen.append(attempt.answer)
            tags.update(made)  # how many students make the mistake, not how often one does
        median = statistics.median(durations) / 1000 if durations else None
        mistakes = [Mistake(tag, n, examples[tag]) for tag, n in tags.most_common(top)]
        stats.append(ItemStats(problem, answered, correct, median, mistakes))
    return stats


@dataclass(frozen=True)
class SkillRetention:
    template_id: str
    title: str
    started: int
    students: int
    recall_now: float | None
    recall_week: float | None
    fading: int  # students whose recall will be under 70% in a week


FADING_BELOW = 0.7


def class_retention(
    session: Session, scoped: ScopedAssignment, now: datetime
) -> list[SkillRetention]:
    """Predicted recall per skill of the set, averaged over the class (from each card)."""
    skills = list(dict.fromkeys(i.template_id for i in set_items(session, scoped.problem_set.id)))
    students = class_students(session, scoped.classroom.id)
    ids = [s.id for s in students]
    retention: dict[int, float] = {}
    if ids:
        query = select(LearnerSettings.user_id, LearnerSettings.desired_retention)
        retention = {
            uid: r for uid, r in session.execute(query.where(LearnerSettings.user_id.in_(ids)))
        }
    cards: dict[str, list[Card]] = {}
    if ids and skills:
        for card in session.scalars(
            select(Card).where(Card.user_id.in_(ids), Card.template_id.in_(skills))
        ):
            cards.setdefault(card.template_id, []).append(card)
    week = now + timedelta(days=7)
    found = []
    for skill in skills:
        now_values, week_values = [], []
        for card in cards.get(skill, []):
            if card.reviews == 0:
                continue
            state, wanted = card_state(card), retention.get(card.user_id, 0.9)
            now_values.append(scheduling.retrievability(state, now, wanted))
            week_values.append(scheduling.retrievability(state, week, wanted))
        template = template_index().get(skill)
        found.append(SkillRetention(
            skill, template.title if template else skill, len(now_values), len(students),
            statistics.fmean(now_values) if now_values else None,
            statistics.fmean(week_values) if week_values else None,
            sum(v < FADING_BELOW for v in week_values),
        ))  # fmt: skip
    return found
