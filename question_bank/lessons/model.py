"""Lesson values: a part of a lesson module, its Skill Check questions, and text helpers.

Pure Python: Markdown and math go through `question_bank.render`. A generated
question reaches the registry only when it is first used.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from question_bank.render import markdown_to_html

if TYPE_CHECKING:
    from question_bank.problem import Problem

WORDS_PER_MINUTE = 200

_PRACTICE_LINK = re.compile(r"\]\(\s*practice:([^)\s]*)\s*\)")
_PRACTICE_HREF = re.compile(r'href="practice:([^"]*)"')
_HEADING_TAG = re.compile(r"<h([1-6])>")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


class LessonError(ValueError):
    """A lesson file is malformed; the message names the file and the field."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = Path(path)
        self.field = field
        super().__init__(f"{self.path.name}: {field}: {message}")


@dataclass(frozen=True)
class Authored:
    """A multiple-choice question written in the lesson file."""

    prompt: str
    choices: tuple[tuple[str, str], ...]
    answer: str
    explanation: str


@dataclass(frozen=True)
class Generated:
    """A question drawn from a choice-kind problem family, resolved when first used."""

    template_id: str
    level: int
    seed: int

    def problem(self) -> Problem:
        """Return the generated problem (the registry caches it)."""
        from question_bank.registry import generate

        return generate(self.template_id, self.seed, self.level)


class ChoiceDict(TypedDict):
    value: str
    text: str
    html: str


class PublicQuestionDict(TypedDict):
    id: str
    prompt: str
    prompt_html: str
    choices: list[ChoiceDict]


@dataclass(frozen=True)
class SkillCheckQuestion:
    """One Skill Check question; `source` is authored text or a generated problem."""

    id: str
    source: Authored | Generated

    @property
    def is_generated(self) -> bool:
        return isinstance(self.source, Generated)

    @property
    def template_id(self) -> str | None:
        return self.source.template_id if isinstance(self.source, Generated) else None

    @property
    def level(self) -> int | None:
        return self.source.level if isinstance(self.source, Generated) else None

    @property
    def seed(self) -> int | None:
        return self.source.seed if isinstance(self.source, Generated) else None

    @property
    def prompt(self) -> str:
        if isinstance(self.source, Generated):
            return self.source.problem().prompt
        return self.source.prompt

    @property
    def prompt_html(self) -> str:
        if isinstance(self.source, Generated):
            return self.source.problem().prompt_html
        return markdown_to_html(self.source.prompt)

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """Return (value, text) pairs; the value is what a learner submits."""
        if isinstance(self.source, Generated):
            return tuple(self.source.problem().choices)
        return self.source.choices

    @property
    def answer(self) -> str:
        """Return the value of the right choice."""
        if isinstance(self.source, Authored):
            return self.source.answer
        problem = self.source.problem()
        values = [value for value, _ in problem.choices]
        if problem.solution in values:
            return problem.solution
        right = [value for value, text in problem.choices if problem.check(value).correct]
        if len(right) != 1:
            raise LessonError(
                f"{self.source.template_id} seed {self.source.seed}",
                f"skill_check[{self.id}].generated",
                f"expected exactly one right choice among {values}, found {right}",
            )
        return right[0]

    @property
    def explanation(self) -> str:
        if isinstance(self.source, Generated):
            return self.source.problem().explanation
        return self.source.explanation

    def check(self, choice: str) -> bool:
        """Return whether `choice` (a choice value) is the right answer; never raises."""
        if not isinstance(choice, str) or not choice.strip():
            return False
        return choice.strip() == self.answer

    def to_public_dict(self) -> PublicQuestionDict:
        """Return the question as JSON for the learner: never the answer or explanation."""
        return {
            "id": self.id,
            "prompt": self.prompt,
            "prompt_html": self.prompt_html,
            "choices": [
                {"value": value, "text": text, "html": _inline_html(text)}
                for value, text in self.choices
            ],
        }


class HeadingDict(TypedDict):
    level: int
    text: str
    anchor: str


class PublicLessonDict(TypedDict):
    id: str
    module: str
    title: str
    part: int
    skills: list[str]
    summary: str
    reading_minutes: int
    headings: list[HeadingDict]
    pass_mark: int
    skill_check: list[PublicQuestionDict]


@dataclass(frozen=True)
class Lesson:
    """One part of a lesson module: its text, its table of contents and its Skill Check."""

    id: str
    module: str
    title: str
    part: int
    skills: tuple[str, ...]
    summary: str
    body: str
    reading_minutes: int
    headings: tuple[tuple[int, str, str], ...]
    skill_check: tuple[SkillCheckQuestion, ...]
    pass_mark: int
    path: Path | None = None

    def body_html(self, practice_url: Callable[[str], str]) -> str:
        """Return the body as HTML with MathML, heading ids, and practice links resolved.

        `practice_url(template_id)` gives the address a `practice:ID` link points to.
        """
        rendered = markdown_to_html(self.body)
        anchors = iter(anchor for _, _, anchor in self.headings)

        def add_id(match: re.Match[str]) -> str:
            anchor = next(anchors, None)
            if anchor is None:
                return match.group(0)
            return f'<h{match.group(1)} id="{anchor}">'

        rendered = _HEADING_TAG.sub(add_id, rendered)
        return _PRACTICE_HREF.sub(
            lambda m: f'href="{html.escape(practice_url(m.group(1)), quote=True)}"', rendered
        )

    def question(self, question_id: str) -> SkillCheckQuestion:
        """Return the Skill Check question with this id; KeyError names an unknown one."""
        for item in self.skill_check:
            if item.id == question_id:
                return item
        raise KeyError(f"lesson {self.id!r} has no question {question_id!r}")

    def score(self, choices: dict[str, str]) -> int:
        """Return how many questions the answers (question id -> choice value) get right."""
        return sum(1 for item in self.skill_check if item.check(choices.get(item.id, "")))

    def passed(self, choices: dict[str, str]) -> bool:
        return self.score(choices) >= self.pass_mark

    def to_public_dict(self) -> PublicLessonDict:
        """Return the lesson as `GET /api/v1/lessons` lists it (no answers)."""
        return {
            "id": self.id,
            "module": self.module,
            "title": self.title,
            "part": self.part,
            "skills": list(self.skills),
            "summary": self.summary,
            "reading_minutes": self.reading_minutes,
            "headings": [
                {"level": level, "text": text, "anchor": anchor}
                for level, text, anchor in self.headings
            ],
            "pass_mark": self.pass_mark,
            "skill_check": [item.to_public_dict() for item in self.skill_check],
        }


def slugify(text: str) -> str:
    """Return an anchor for a heading: lower case words joined by hyphens.

    Example:
        >>> slugify("2. The Hessian, and $\\\\lambda_{\\\\max}$!")
        '2-the-hessian-and-lambda-max'
    """
    text = re.sub(r"\\([A-Za-z]+)", r" \1 ", text.lower())
    return "-".join(re.findall(r"[a-z0-9]+", text)) or "section"


def reading_minutes(body: str) -> int:
    """Return the reading time in minutes: words / 200, rounded up, at least 1.

    Example:
        >>> reading_minutes("word " * 201)
        2
    """
    return max(1, math.ceil(len(body.split()) / WORDS_PER_MINUTE))


def headings(body: str) -> tuple[tuple[int, str, str], ...]:
    """Return (level, text, anchor) for each ATX heading outside code blocks.

    Example:
        >>> headings("# One\\n\\n```\\n# not a heading\\n```\\n## One")
        ((1, 'One', 'one'), (2, 'One', 'one-2'))
    """
    found: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    in_code = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            continue
        match = None if in_code else _ATX.match(line)
        if match:
            text = match.group(2)
            base = slugify(text)
            seen[base] = seen.get(base, 0) + 1
            anchor = base if seen[base] == 1 else f"{base}-{seen[base]}"
            found.append((len(match.group(1)), text, anchor))
    return tuple(found)


def practice_links(text: str) -> list[str]:
    """Return the template ids of the `practice:ID` links in Markdown text.

    Example:
        >>> practice_links("[drill it](practice:hessian) and [this](practice:gradient)")
        ['hessian', 'gradient']
    """
    return _PRACTICE_LINK.findall(text)


def _inline_html(text: str) -> str:
    """Return Markdown+math for a short text as HTML without the enclosing paragraph."""
    rendered = markdown_to_html(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered
