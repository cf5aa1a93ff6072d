"""Problem sets: build them from the catalog, list, duplicate, and derive their variants.

A set is a list of items (template, level, how many). Problem `n` of item
`position` gets its seed from a hash of (set, position, n) when the whole
class shares one variant, and of (set, position, n, student) when each
student gets their own: stable across machines and days, never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .content import template_index
from .models import Assignment, ProblemSet, ProblemSetItem
from .teaching_errors import TeachingError

MODES = ("shared", "per_student")
SOLUTIONS_AFTER = ("each_answer", "due_date")
MAX_TITLE = 200
MAX_INSTRUCTIONS = 4000
MAX_COUNT = 10
MAX_PROBLEMS = 40
MAX_ATTEMPTS = 20


def variant_seed(set_id: int, position: int, n: int, student_id: int | None = None) -> int:
    """Return the seed of copy `n` of item `position`: shared, or per student when given.

    >>> variant_seed(1, 0, 0) == variant_seed(1, 0, 0) != variant_seed(1, 0, 1)
    True
    >>> variant_seed(1, 0, 0, student_id=7) != variant_seed(1, 0, 0, student_id=8)
    True
    """
    name = f"set:{set_id}:{position}:{n}" + ("" if student_id is None else f":{student_id}")
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class ItemSpec:
    """One line of the builder: `count` problems of `template_id` at `level`."""

    template_id: str
    level: int
    count: int


@dataclass(frozen=True)
class SetProblem:
    """One problem of a set, in order; `index` is 0-based, `label` is what teachers see."""

    index: int
    position: int
    n: int
    template_id: str
    level: int

    @property
    def label(self) -> str:
        return f"P{self.index + 1}"

    @property
    def title(self) -> str:
        template = template_index().get(self.template_id)
        return template.title if template else self.template_id


def set_problems(items: Iterable[ProblemSetItem]) -> list[SetProblem]:
    """Expand a set's items into its problems, in order."""
    problems: list[SetProblem] = []
    for item in sorted(items, key=lambda i: i.position):
        for n in range(item.count):
            problems.append(
                SetProblem(len(problems), item.position, n, item.template_id, item.level)
            )
    return problems


def problem_seed(problem_set: ProblemSet, problem: SetProblem, student_id: int) -> int:
    """Return the seed a student sees for a problem of this set."""
    per_student = problem_set.mode == "per_student"
    return variant_seed(
        problem_set.id, problem.position, problem.n, student_id if per_student else None
    )


@dataclass(frozen=True)
class SetSettings:
    title: str
    instructions: str
    mode: str
    attempts_allowed: int | None
    solutions_after: str
    items: tuple[ItemSpec, ...]


def parse_settings(form, items: list[ItemSpec]) -> SetSettings:
    """Validate the builder's fields; raise `TeachingError` naming the first bad one."""
    title = (form.get("title") or "").strip()
    if not 0 < len(title) <= MAX_TITLE:
        raise TeachingError("title", f"Give the set a title of 1 to {MAX_TITLE} characters.")
    instructions = (form.get("instructions") or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS:
        raise TeachingError(
            "instructions", f"Keep instructions under {MAX_INSTRUCTIONS} characters."
        )
    mode = form.get("mode") or "shared"
    if mode not in MODES:
        raise TeachingError("mode", "Choose one variant for the class or one per student.")
    solutions_after = form.get("solutions_after") or "each_answer"
    if solutions_after not in SOLUTIONS_AFTER:
        raise TeachingError("solutions_after", "Choose when solutions show.")
    raw_attempts = (form.get("attempts_allowed") or "").strip()
    attempts = None
    if raw_attempts:
        try:
            attempts = int(raw_attempts)
        except ValueError:
            attempts = 0
        if not 1 <= attempts <= MAX_ATTEMPTS:
            raise TeachingError(
                "attempts_allowed", f"Allow 1 to {MAX_ATTEMPTS} attempts, or leave it empty."
            )
    validate_items(items)
    return SetSettings(title, instructions, mode, attempts, solutions_after, tuple(items))


def parse_items(form) -> list[ItemSpec]:
    """Read the builder's rows: `count-<template>` and `level-<template>`, catalog order."""
    items = []
    for template_id, template in template_index().items():
        raw = (form.get(f"count-{template_id}") or "").strip()
        if not raw or raw == "0":
            continue
        try:
            count = int(raw)
            level = int(form.get(f"level-{template_id}") or template.levels[0])
        except ValueError:
            raise TeachingError(f"count-{template_id}", "Enter a whole number.") from None
        items.append(ItemSpec(template_id, level, count))
    return items


def validate_items(items: list[ItemSpec]) -> None:
    templates = template_index()
    if not items:
        raise TeachingError("items", "Pick at least one problem from the catalog.")
    for item in items:
        template = templates.get(item.template_id)
        if template is None:
            raise TeachingError("items", f"{item.template_id!r} is not in the catalog.")
        if item.level not in template.levels:
            raise TeachingError(
                f"level-{item.template_id}", f"{template.title}: pick a listed level."
            )
        if not 1 <= item.count <= MAX_COUNT:
            raise TeachingError(
                f"count-{item.template_id}", f"{template.title}: 1 to {MAX_COUNT} problems."
            )
    if sum(item.count for item in items) > MAX_PROBLEMS:
        raise TeachingError("items", f"A set holds at most {MAX_PROBLEMS} problems.")


def create_set(
    session: Session, teacher_id: int, settings: SetSettings, now: datetime
) -> ProblemSet:
    problem_set = ProblemSet(
        teacher_id=teacher_id, title=settings.title, instructions=settings.instructions,
        mode=settings.mode, attempts_allowed=settings.attempts_allowed,
        solutions_after=settings.solutions_after, created_at=now,
    )  # fmt: skip
    session.add(problem_set)
    session.flush()
    session.add_all(
        ProblemSetItem(set_id=problem_set.id, position=position, template_id=item.template_id,
                       level=item.level, count=item.count)
        for position, item in enumerate(settings.items)
    )  # fmt: skip
    session.flush()
    return problem_set


def teacher_set(session: Session, teacher_id: int, set_id: int) -> ProblemSet | None:
    """Return the set if this teacher made it, else None."""
    return session.scalar(
        select(ProblemSet).where(ProblemSet.id == set_id, ProblemSet.teacher_id == teacher_id)
    )


def set_items(session: Session, set_id: int) -> list[ProblemSetItem]:
    return list(
        session.scalars(
            select(ProblemSetItem)
            .where(ProblemSetItem.set_id == set_id)
            .order_by(ProblemSetItem.position)
        )
    )


@dataclass(frozen=True)
class SetSummary:
    problem_set: ProblemSet
    problems: int
    assigned: int


def teacher_sets(session: Session, teacher_id: int) -> list[SetSummary]:
    """Return the teacher's sets, newest first, with problem and assignment counts."""
    problems = (
        select(ProblemSetItem.set_id, func.sum(ProblemSetItem.count).label("n"))
        .group_by(ProblemSetItem.set_id)
        .subquery()
    )
    assigned = (
        select(Assignment.set_id, func.count().label("n"))
        .where(Assignment.withdrawn_at.is_(None))  # taken back: not assigned, as classes count
        .group_by(Assignment.set_id)
        .subquery()
    )
    rows = session.execute(
        select(ProblemSet, problems.c.n, assigned.c.n)
        .outerjoin(problems, problems.c.set_id == ProblemSet.id)
        .outerjoin(assigned, assigned.c.set_id == ProblemSet.id)
        .where(ProblemSet.teacher_id == teacher_id)
        .order_by(ProblemSet.created_at.desc(), ProblemSet.id.desc())
    )
    return [SetSummary(s, int(p or 0), int(a or 0)) for s, p, a in rows]


def duplicate_set(
    session: Session, problem_set: ProblemSet, now: datetime, *, title: str | None = None
) -> ProblemSet:
    """Copy a set (new id, so new shared variants); assignments stay with the original."""
    items = set_items(session, problem_set.id)
    settings = SetSettings(
        title=(title or f"{problem_set.title} (copy)")[:MAX_TITLE],
        instructions=problem_set.instructions, mode=problem_set.mode,
        attempts_allowed=problem_set.attempts_allowed,
        solutions_after=problem_set.solutions_after,
        items=tuple(ItemSpec(i.template_id, i.level, i.count) for i in items),
    )  # fmt: skip
    return create_set(session, problem_set.teacher_id, settings, now)
