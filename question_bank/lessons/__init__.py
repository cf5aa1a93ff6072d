"""Lessons: the module's parts as Markdown with front matter, and their Skill Checks.

Pure Python (yaml and `question_bank.render`); the app renders and records them.
"""

from question_bank.lessons.loader import (
    CHOICE_TEMPLATE_IDS,
    LESSONS_DIR,
    TEMPLATE_IDS,
    lesson,
    load_lessons,
    parse_lesson,
)
from question_bank.lessons.model import (
    Authored,
    Generated,
    Lesson,
    LessonError,
    SkillCheckQuestion,
    headings,
    practice_links,
    reading_minutes,
    slugify,
)

__all__ = [
    "CHOICE_TEMPLATE_IDS",
    "LESSONS_DIR",
    "TEMPLATE_IDS",
    "Authored",
    "Generated",
    "Lesson",
    "LessonError",
    "SkillCheckQuestion",
    "headings",
    "lesson",
    "load_lessons",
    "parse_lesson",
    "practice_links",
    "reading_minutes",
    "slugify",
]
