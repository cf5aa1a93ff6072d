"""Teaching: classes, who is in them, problem sets, and sets assigned to classes.

These rows are configuration a teacher makes, not projections of events. Two
small projections of events sit here too: a teacher's rulings on undecided
answers (`Ruling`, from `attempt.ruled` events in the student's stream) and
the acceptance of answers made offline before a due date but received after
it (`LateAcceptance`, a row: the teacher's decision, not a learner event).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class Classroom(db.Model):
    """A teacher's class; `join_code` None means joining is turned off."""

    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Enrollment(db.Model):
    """A student in a class; `removed_at` set means the teacher removed them."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("classroom_id", "student_id", name="uq_enrollments_class_student"),
        Index("ix_enrollments_student", "student_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProblemSet(db.Model):
    """A reusable list of problems: templates, levels and how many of each."""

    __tablename__ = "problem_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(16))  # shared | per_student
    attempts_allowed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    solutions_after: Mapped[str] = mapped_column(String(16))  # each_answer | due_date
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProblemSetItem(db.Model):
    """`count` problems from one template at one level, at `position` in the set."""

    __tablename__ = "problem_set_items"
    __table_args__ = (UniqueConstraint("set_id", "position", name="uq_problem_set_items_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("problem_sets.id"))
    position: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)


class Assignment(db.Model):
    """A problem set given to a class, open from `opens_at`, due at `due_at` (UTC)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("problem_sets.id"), index=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"), index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Withdrawn: out of the students' queues and class pages; its answers stay.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Ruling(db.Model):
    """A teacher's latest ruling on an undecided attempt (projection of `attempt.ruled`)."""

    __tablename__ = "rulings"

    student_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))  # correct | incorrect
    event_id: Mapped[str] = mapped_column(String(36))
    ruled_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LateAcceptance(db.Model):
    """A teacher accepted an answer made before the due date but received after it."""

    __tablename__ = "late_acceptances"

    student_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
