"""What a learner has done with the lessons: Skill Check answers and notes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from question_bank.lessons import Lesson

from .models import Note, SkillCheckAnswer


@dataclass(frozen=True)
class SkillCheckState:
    """A learner's standing on one Skill Check."""

    choices: dict[str, str]  # question id -> chosen value
    answered: int
    right: int
    total: int
    pass_mark: int

    @property
    def status(self) -> str:
        if self.right >= self.pass_mark:
            return "passed"
        return "in progress" if self.answered else "not attempted"


def skill_check_state(session: Session, user_id: int, lesson: Lesson) -> SkillCheckState:
    rows = session.scalars(
        select(SkillCheckAnswer).where(
            SkillCheckAnswer.user_id == user_id, SkillCheckAnswer.lesson_id == lesson.id
        )
    ).all()
    questions = {q.id for q in lesson.skill_check}
    choices = {row.question_id: row.choice for row in rows if row.question_id in questions}
    return SkillCheckState(
        choices=choices,
        answered=len(choices),
        right=lesson.score(choices),
        total=len(lesson.skill_check),
        pass_mark=lesson.pass_mark,
    )


def note_body(session: Session, user_id: int, lesson_id: str) -> str:
    """Return the learner's note on a lesson ('' when there is none)."""
    note = session.get(Note, (user_id, lesson_id))
    return "" if note is None or note.deleted else note.body
