"""Lesson parts: Markdown files with YAML front matter, validated and rendered.

A lesson file looks like this::

    ---
    id: landscape-1
    module: Optimization Landscape
    title: Critical points and the Hessian
    part: 1
    skills: [gradient, hessian]
    summary: One sentence.
    pass_mark: 4            # optional; default ceil(75% of the questions)
    skill_check:
      - id: l1-q1
        prompt: Markdown with $LaTeX$
        choices: [first, second, third]
        answer: 1           # index into choices
        explanation: Why the right one is right, and the tempting one wrong.
      - id: l1-q5
        generated: {template_id: classify_critical_point, level: 1, seed: 3}
    ---
    Markdown body, with links such as [practise](practice:hessian).

Pure Python: yaml (through `safe_load` only) and `question_bank.render`.
Generated questions are resolved through the registry when first used, so
loading lessons never needs every problem family to exist.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from question_bank.lessons.model import (
    Authored,
    Generated,
    Lesson,
    LessonError,
    SkillCheckQuestion,
    headings,
    practice_links,
    reading_minutes,
)

LESSONS_DIR = Path(__file__).resolve().parent

# CONTRACT.md: the template ids that must exist.
TEMPLATE_IDS: frozenset[str] = frozenset({
    "gradient", "hessian", "critical_points", "classify_critical_point",
    "degenerate_critical_point", "hessian_spectrum", "stable_step_size", "optimal_step_size",
    "edge_of_stability", "saddle_escape_direction", "saddle_escape_time", "newton_step",
    "interpolation_barrier", "reparameterization_sharpness",
})  # fmt: skip
# Families whose problems are multiple choice, so they can sit in a Skill Check.
CHOICE_TEMPLATE_IDS: frozenset[str] = frozenset(
    {"classify_critical_point", "degenerate_critical_point", "edge_of_stability"}
)
MIN_QUESTIONS = 4
PASS_FRACTION = 0.75

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_LESSON_FIELDS = {"id", "module", "title", "part", "skills", "summary", "skill_check", "pass_mark"}
_AUTHORED_FIELDS = {"id", "prompt", "choices", "answer", "explanation"}
_GENERATED_FIELDS = {"template_id", "level", "seed"}


def parse_lesson(path: Path) -> Lesson:
    """Read and validate one lesson file; LessonError names the file and field."""
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise LessonError(path, "front matter", "the file must start with a '---' YAML block")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise LessonError(path, "front matter", f"invalid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise LessonError(path, "front matter", "must be a mapping of fields")
    unknown = sorted(set(meta) - _LESSON_FIELDS, key=str)
    if unknown:
        raise LessonError(path, str(unknown[0]), "unknown field")
    body = match.group(2).strip() + "\n"

    lesson_id = _text(meta, "id", path)
    part = _integer(meta, "part", path, minimum=1)
    skills = _skills(meta.get("skills"), path)
    for template_id in practice_links(body):
        if template_id not in TEMPLATE_IDS:
            raise LessonError(path, "body", f"practice link to unknown template {template_id!r}")
    questions = _questions(meta.get("skill_check"), path)
    default_mark = math.ceil(PASS_FRACTION * len(questions))
    pass_mark = _integer(meta, "pass_mark", path, minimum=1, default=default_mark)
    if pass_mark > len(questions):
        raise LessonError(path, "pass_mark", f"{pass_mark} is more than {len(questions)} questions")
    return Lesson(
        id=lesson_id,
        module=_text(meta, "module", path),
        title=_text(meta, "title", path),
        part=part,
        skills=skills,
        summary=_text(meta, "summary", path),
        body=body,
        reading_minutes=reading_minutes(body),
        headings=headings(body),
        skill_check=questions,
        pass_mark=pass_mark,
        path=path,
    )


def _text(meta: dict[str, Any], field: str, path: Path) -> str:
    value = meta.get(field)
    if not isinstance(value, str) or not value.strip():
        raise LessonError(path, field, "must be non-empty text")
    return value.strip()


def _integer(
    meta: dict[str, Any], field: str, path: Path, *, minimum: int, default: int | None = None
) -> int:
    value = meta.get(field, default)
    # bool is an int subclass: `part: yes` must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise LessonError(path, field, f"must be an integer >= {minimum}, not {value!r}")
    return value


def _skills(value: Any, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise LessonError(path, "skills", "must be a non-empty list of template ids")
    for skill in value:
        if skill not in TEMPLATE_IDS:
            raise LessonError(path, "skills", f"unknown template id {skill!r}")
    if len(set(value)) != len(value):
        raise LessonError(path, "skills", "lists a template twice")
    return tuple(value)


def _questions(value: Any, path: Path) -> tuple[SkillCheckQuestion, ...]:
    if not isinstance(value, list):
        raise LessonError(path, "skill_check", "must be a list of questions")
    if len(value) < MIN_QUESTIONS:
        raise LessonError(
            path, "skill_check", f"needs at least {MIN_QUESTIONS} questions, has {len(value)}"
        )
    questions = tuple(_question(item, index, path) for index, item in enumerate(value))
    ids = [item.id for item in questions]
    for question_id in ids:
        if ids.count(question_id) > 1:
            raise LessonError(path, f"skill_check[{question_id}].id", "duplicate question id")
    if not any(item.is_generated for item in questions):
        raise LessonError(path, "skill_check", "needs at least one generated question")
    return questions


def _question(item: Any, index: int, path: Path) -> SkillCheckQuestion:
    where = f"skill_check[{index}]"
    if not isinstance(item, dict):
        raise LessonError(path, where, "must be a mapping")
    question_id = item.get("id")
    if not isinstance(question_id, str) or not question_id.strip():
        raise LessonError(path, f"{where}.id", "must be non-empty text")
    where = f"skill_check[{question_id}]"
    if "generated" in item:
        return SkillCheckQuestion(question_id, _generated(item, where, path))
    unknown = sorted(set(item) - _AUTHORED_FIELDS, key=str)
    if unknown:
        raise LessonError(path, f"{where}.{unknown[0]}", "unknown field")
    for field in ("prompt", "explanation"):
        if not isinstance(item.get(field), str) or not item[field].strip():
            raise LessonError(path, f"{where}.{field}", "must be non-empty text")
    choices = item.get("choices")
    if (
        not isinstance(choices, list)
        or len(choices) < 2
        or not all(isinstance(c, str) and c.strip() for c in choices)
    ):
        raise LessonError(path, f"{where}.choices", "must be a list of at least two texts")
    if len({c.strip() for c in choices}) != len(choices):
        raise LessonError(path, f"{where}.choices", "two choices have the same text")
    answer = item.get("answer")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise LessonError(path, f"{where}.answer", "must be the index of the right choice")
    if not 0 <= answer < len(choices):
        raise LessonError(
            path, f"{where}.answer", f"index {answer} is out of range 0..{len(choices) - 1}"
        )
    values = _choice_values(len(choices))
    return SkillCheckQuestion(
        question_id,
        Authored(
            prompt=item["prompt"].strip(),
            choices=tuple(zip(values, (c.strip() for c in choices), strict=True)),
            answer=values[answer],
            explanation=item["explanation"].strip(),
        ),
    )


def _generated(item: dict[str, Any], where: str, path: Path) -> Generated:
    extra = sorted(set(item) - {"id", "generated"}, key=str)
    if extra:
        raise LessonError(path, f"{where}.{extra[0]}", "a generated question has only id")
    spec = item["generated"]
    if not isinstance(spec, dict) or set(spec) != _GENERATED_FIELDS:
        raise LessonError(
            path, f"{where}.generated", f"must be a mapping of {sorted(_GENERATED_FIELDS)}"
        )
    template_id = spec["template_id"]
    if template_id not in TEMPLATE_IDS:
        raise LessonError(path, f"{where}.generated.template_id", f"unknown {template_id!r}")
    if template_id not in CHOICE_TEMPLATE_IDS:
        raise LessonError(
            path,
            f"{where}.generated.template_id",
            f"{template_id!r} is not a multiple-choice family ({sorted(CHOICE_TEMPLATE_IDS)})",
        )
    level, seed = spec["level"], spec["seed"]
    if not _is_int(level) or level < 1:
        raise LessonError(path, f"{where}.generated.level", "must be an integer >= 1")
    if not _is_int(seed) or seed < 0:
        raise LessonError(path, f"{where}.generated.seed", "must be an integer >= 0")
    return Generated(template_id=template_id, level=level, seed=seed)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _choice_values(count: int) -> tuple[str, ...]:
    """Return the values of authored choices: A, B, C, ..."""
    return tuple(chr(ord("A") + i) for i in range(count))


def _lesson_files(directory: Path) -> Iterable[Path]:
    return sorted(p for p in directory.rglob("*.md") if p.is_file())


@functools.cache
def _load(directory: Path) -> tuple[Lesson, ...]:
    lessons = [parse_lesson(path) for path in _lesson_files(directory)]
    seen: dict[str, Path] = {}
    for item in lessons:
        assert item.path is not None
        if item.id in seen:
            raise LessonError(item.path, "id", f"{item.id!r} is also the id of {seen[item.id]}")
        seen[item.id] = item.path
    for module in {item.module for item in lessons}:
        parts = [item for item in lessons if item.module == module]
        numbers = [item.part for item in parts]
        for item in parts:
            if numbers.count(item.part) > 1:
                assert item.path is not None
                raise LessonError(item.path, "part", f"{module!r} has two parts {item.part}")
    return tuple(sorted(lessons, key=lambda item: (item.module, item.part, item.id)))


def load_lessons(directory: Path | str | None = None) -> tuple[Lesson, ...]:
    """Return every lesson under `directory` (default: the package's), ordered by part.

    Parsed once per directory and cached; a malformed file raises LessonError.
    """
    return _load(Path(directory).resolve() if directory is not None else LESSONS_DIR)


def lesson(lesson_id: str, directory: Path | str | None = None) -> Lesson:
    """Return the lesson with this id; KeyError names an unknown one."""
    for item in load_lessons(directory):
        if item.id == lesson_id:
            return item
    raise KeyError(f"unknown lesson {lesson_id!r}")
