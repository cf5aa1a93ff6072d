"""The lessons and templates the app serves, looked up by id."""

from __future__ import annotations

import functools

from question_bank.lessons import Lesson, load_lessons
from question_bank.problem import Template
from question_bank.registry import catalog


@functools.cache
def lesson_index() -> dict[str, Lesson]:
    """Return the lessons by id, in teaching order."""
    return {lesson.id: lesson for lesson in load_lessons()}


@functools.cache
def template_index() -> dict[str, Template]:
    """Return the templates by id, in teaching order."""
    return {template.id: template for template in catalog()}


def lesson_of_skill(template_id: str) -> Lesson | None:
    """Return the lesson part that introduces a skill."""
    for lesson in lesson_index().values():
        if template_id in lesson.skills:
            return lesson
    return None


@functools.cache
def skill_order() -> tuple[str, ...]:
    """Return template ids in teaching order: lesson by lesson, then the rest."""
    ordered = [skill for lesson in lesson_index().values() for skill in lesson.skills]
    known = template_index()
    ordered = [skill for skill in dict.fromkeys(ordered) if skill in known]
    return tuple(ordered + [t for t in known if t not in ordered])
