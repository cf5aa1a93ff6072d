"""Classes and join codes: plain functions over a session, scoped by teacher.

Every loader takes the teacher's id and returns None for anything outside
that teacher's classes, so a view answers 404 without saying what exists.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .insert_once import insert_once
from .models import Assignment, Classroom, Enrollment, ProblemSet, Role, User
from .teaching_errors import TeachingError

# No 0/O, 1/I/L: a code read aloud or copied from a board survives.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 is about 8e14: unguessable behind a rate limit
MAX_NAME = 120


def new_join_code() -> str:
    """Return a fresh random join code.

    >>> len(new_join_code()) == CODE_LENGTH and new_join_code() != new_join_code()
    True
    """
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """Return a typed code as stored: upper case, without spaces or dashes.

    >>> normalize_code(" abcd-efgh 23 ")
    'ABCDEFGH23'
    """
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def _name(name: str) -> str:
    name = (name or "").strip()
    if not 0 < len(name) <= MAX_NAME:
        raise TeachingError("name", f"Give the class a name of 1 to {MAX_NAME} characters.")
    return name


def create_class(session: Session, teacher_id: int, name: str, now: datetime) -> Classroom:
    classroom = Classroom(
        teacher_id=teacher_id, name=_name(name), join_code=new_join_code(), created_at=now
    )
    session.add(classroom)
    session.flush()
    return classroom


def teacher_class(
    session: Session, teacher_id: int, class_id: int, *, include_archived: bool = True
) -> Classroom | None:
    """Return the class if this teacher owns it, else None."""
    query = select(Classroom).where(Classroom.id == class_id, Classroom.teacher_id == teacher_id)
    if not include_archived:
        query = query.where(Classroom.archived_at.is_(None))
    return session.scalar(query)


@dataclass(frozen=True)
class ClassSummary:
    classroom: Classroom
    students: int
    assignments: int


def teacher_classes(session: Session, teacher_id: int) -> list[ClassSummary]:
    """Return the teacher's classes with student and assignment counts, active first."""
    students = (
        select(Enrollment.classroom_id, func.count().label("n"))
        .where(Enrollment.removed_at.is_(None))
        .group_by(Enrollment.classroom_id)
        .subquery()
    )
    assigned = (
        select(Assignment.classroom_id, func.count().label("n"))
        .where(Assignment.withdrawn_at.is_(None))
        .group_by(Assignment.classroom_id)
        .subquery()
    )
    rows = session.execute(
        select(Classroom, students.c.n, assigned.c.n)
        .outerjoin(students, students.c.classroom_id == Classroom.id)
        .outerjoin(assigned, assigned.c.classroom_id == Classroom.id)
        .where(Classroom.teacher_id == teacher_id)
        .order_by(Classroom.archived_at.is_not(None), Classroom.name, Classroom.id)
    )
    return [ClassSummary(c, s or 0, a or 0) for c, s, a in rows]


def rename_class(classroom: Classroom, name: str) -> None:
    classroom.name = _name(name)


def archive_class(classroom: Classroom, now: datetime) -> None:
    """Archive a class: it leaves the lists and nobody can join it any more."""
    classroom.archived_at = now
    classroom.join_code = None


def unarchive_class(classroom: Classroom) -> None:
    classroom.archived_at = None


def rotate_code(classroom: Classroom) -> str:
    """Give the class a new code; the old one stops working at once."""
    if classroom.archived_at is not None:
        raise TeachingError("join_code", "Unarchive the class before opening it to new students.")
    classroom.join_code = new_join_code()
    return classroom.join_code


def disable_code(classroom: Classroom) -> None:
    classroom.join_code = None


def join_class(session: Session, student: User, code: str, now: datetime) -> Classroom:
    """Enroll a learner in the class whose code this is.

    A student the teacher removed joins again only with a valid code, which
    the teacher can rotate or turn off.
    """
    if student.role != Role.LEARNER.value:
        raise TeachingError("code", "Teachers do not join classes; sign in as a learner.")
    code = normalize_code(code)
    classroom = None
    if len(code) == CODE_LENGTH:
        classroom = session.scalar(
            select(Classroom).where(Classroom.join_code == code, Classroom.archived_at.is_(None))
        )
    if classroom is None:
        raise TeachingError("code", "That code matches no open class; check it with your teacher.")
    enrollment = session.scalar(
        select(Enrollment).where(
            Enrollment.classroom_id == classroom.id, Enrollment.student_id == student.id
        )
    )
    if enrollment is None:  # a double tap sends two joins at once: the second does nothing
        insert_once(session, Enrollment, ["classroom_id", "student_id"],
                    classroom_id=classroom.id, student_id=student.id, joined_at=now)  # fmt: skip
    elif enrollment.removed_at is not None:
        enrollment.removed_at = None
        enrollment.joined_at = now
    session.flush()
    return classroom


def class_students(session: Session, class_id: int) -> list[tuple[User, Enrollment]]:
    """Return the class's current students by name (call after scoping the class)."""
    rows = session.execute(
        select(User, Enrollment)
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(Enrollment.classroom_id == class_id, Enrollment.removed_at.is_(None))
    )
    return sorted(rows, key=lambda row: (name_key(row[0].display_name), row[0].id))


def name_key(name: str) -> str:
    """Sort as a class list reads: "adam" before "Bea", "Émile" among the E's (a database's
    collation puts capitals first on SQLite, and differs on PostgreSQL)."""
    letters = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in letters if not unicodedata.combining(ch))


def remove_student(
    session: Session, classroom: Classroom, student_id: int, now: datetime
) -> Enrollment | None:
    """Remove a student from the class; None when they are not in it."""
    enrollment = session.scalar(
        select(Enrollment).where(
            Enrollment.classroom_id == classroom.id,
            Enrollment.student_id == student_id,
            Enrollment.removed_at.is_(None),
        )
    )
    if enrollment is not None:
        enrollment.removed_at = now
    return enrollment


def teacher_student(session: Session, teacher_id: int, student_id: int) -> User | None:
    """Return the student if they are in one of this teacher's classes now."""
    return session.scalar(
        select(User)
        .join(Enrollment, Enrollment.student_id == User.id)
        .join(Classroom, Classroom.id == Enrollment.classroom_id)
        .where(
            User.id == student_id,
            Classroom.teacher_id == teacher_id,
            Enrollment.removed_at.is_(None),
        )
        .limit(1)
    )


@dataclass(frozen=True)
class LearnerAssignment:
    assignment: Assignment
    problem_set: ProblemSet


@dataclass(frozen=True)
class LearnerClass:
    classroom: Classroom
    teacher_name: str
    assignments: list[LearnerAssignment]


def learner_classes(session: Session, student_id: int, now: datetime) -> list[LearnerClass]:
    """Return the learner's current classes and their open assignments, by due date."""
    rows = session.execute(
        select(Classroom, User.display_name)
        .join(Enrollment, Enrollment.classroom_id == Classroom.id)
        .join(User, User.id == Classroom.teacher_id)
        .where(
            Enrollment.student_id == student_id,
            Enrollment.removed_at.is_(None),
            Classroom.archived_at.is_(None),
        )
        .order_by(Classroom.name)
    ).all()
    ids = [c.id for c, _ in rows]
    work: dict[int, list[LearnerAssignment]] = {i: [] for i in ids}
    if ids:
        for assignment, problem_set in session.execute(
            select(Assignment, ProblemSet)
            .join(ProblemSet, ProblemSet.id == Assignment.set_id)
            .where(Assignment.classroom_id.in_(ids), Assignment.opens_at <= now,
                   Assignment.withdrawn_at.is_(None))
            .order_by(Assignment.due_at, Assignment.id)
        ):
            work[assignment.classroom_id].append(LearnerAssignment(assignment, problem_set))
    return [LearnerClass(c, name, work[c.id]) for c, name in rows]
