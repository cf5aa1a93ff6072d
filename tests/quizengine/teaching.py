"""Teaching fixtures: people made directly (cheap), classes, sets and assignments by service."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from quizengine import accounts, assignments, classes, problem_sets
from quizengine.models import Assignment, Classroom, ProblemSet, User
from quizengine.problem_sets import ItemSpec, SetSettings
from tests.helpers import PASSWORD
from tests.quizengine.history import NOW


def person(email: str, role: str = "learner", name: str | None = None) -> User:
    return accounts.create_user(email, PASSWORD, role, display_name=name)


def make_set(
    session: Session,
    teacher: User,
    items=(("gradient", 1, 1), ("hessian", 1, 1)),
    *,
    mode: str = "shared",
    attempts_allowed: int | None = None,
    solutions_after: str = "each_answer",
    title: str = "Hessians and step sizes",
) -> ProblemSet:
    settings = SetSettings(title, "Show your work.", mode, attempts_allowed, solutions_after,
                           tuple(ItemSpec(*item) for item in items))  # fmt: skip
    return problem_sets.create_set(session, teacher.id, settings, NOW)


def make_class(session: Session, teacher: User, *students: User, name="Period 1") -> Classroom:
    classroom = classes.create_class(session, teacher.id, name, NOW)
    for student in students:
        classes.join_class(session, student, classroom.join_code, NOW)
    session.commit()
    return classroom


def assign(
    session: Session,
    problem_set: ProblemSet,
    classroom: Classroom,
    *,
    opens: datetime = NOW - timedelta(days=1),
    due: datetime = NOW + timedelta(days=2),
) -> Assignment:
    assignment = assignments.assign_set(session, problem_set, classroom, opens, due, NOW)
    session.commit()
    return assignment


def assigned_answer(problem, kind: str) -> str:
    """Return an answer of `kind` (correct or wrong) for a generated problem."""
    import question_bank as qb

    if kind == "correct":
        return problem.solution
    if problem.answer_kind == "choice":
        return next(label for label, _ in problem.choices if label != problem.solution)
    for answer, _tag in qb.samples(problem).incorrect:
        verdict = problem.check(answer)
        if verdict.status == "incorrect" and verdict.score == 0:
            return answer
    return next(a for a, _ in qb.samples(problem).incorrect)
