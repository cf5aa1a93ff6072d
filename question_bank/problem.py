"""Templates and problems: the values a problem family produces.

A family's `generate(rng, level)` returns a `Draft`; the registry adds the
identity (template, seed, level) and the rendered prompt to make a `Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from question_bank.direction import check_direction
from question_bank.grader import check_answer
from question_bank.render import markdown_to_html
from question_bank.rules import MistakeRule
from question_bank.verdict import Verdict


@dataclass(frozen=True)
class Template:
    """A problem family as the catalog lists it.

    `answer_kind` is the family's usual kind; a problem may ask for another
    (a spectrum problem may want the eigenvalues or just the sharpness).
    `prerequisites` are template ids a learner should know first; `part` is
    the lesson part that teaches it; `typical_seconds` is how long a clean
    answer usually takes (the scheduler calls an answer slow past twice that).
    """

    id: str
    title: str
    skill: str
    levels: tuple[int, ...]
    answer_kind: str
    version: int = 1
    part: int = 1
    prerequisites: tuple[str, ...] = ()
    typical_seconds: int = 90

    def to_dict(self) -> TemplateDict:
        return {
            "id": self.id,
            "title": self.title,
            "skill": self.skill,
            "levels": list(self.levels),
            "answer_kind": self.answer_kind,
            "version": self.version,
            "part": self.part,
            "prerequisites": list(self.prerequisites),
            "typical_seconds": self.typical_seconds,
        }


class TemplateDict(TypedDict):
    id: str
    title: str
    skill: str
    levels: list[int]
    answer_kind: str
    version: int
    part: int
    prerequisites: list[str]
    typical_seconds: int


@dataclass(frozen=True)
class Draft:
    """What a family generates: everything about a problem but its identity.

    `prompt` and `explanation` are Markdown with `$...$` LaTeX. `solution` is
    canonical answer text that `check_answer` accepts. `choices` lists
    (label, text shown) for choice answers; `precision` overrides the number
    kind's 3 significant figures; `rules` recognise this problem's mistakes.
    """

    prompt: str
    answer_kind: str
    solution: str
    explanation: str
    params: dict[str, Any]
    variables: tuple[str, ...] = ("x", "y")
    choices: tuple[tuple[str, str], ...] = ()
    precision: int | None = None
    rules: tuple[MistakeRule, ...] = ()
    answer_hint: str = ""
    equivalence: str | None = None
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Problem:
    """One generated problem: equal (template, seed, level) give equal problems."""

    template_id: str
    seed: int
    level: int
    version: int
    prompt: str
    prompt_html: str
    answer_kind: str
    solution: str
    explanation: str
    params: dict[str, Any]
    variables: tuple[str, ...] = ("x", "y")
    choices: tuple[tuple[str, str], ...] = ()
    precision: int | None = None
    answer_hint: str = ""
    equivalence: str | None = None
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rules: tuple[MistakeRule, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_draft(cls, template: Template, seed: int, level: int, draft: Draft) -> Problem:
        return cls(
            template_id=template.id,
            seed=seed,
            level=level,
            version=template.version,
            prompt=draft.prompt,
            prompt_html=markdown_to_html(draft.prompt),
            answer_kind=draft.answer_kind,
            solution=draft.solution,
            explanation=draft.explanation,
            params=draft.params,
            variables=draft.variables,
            choices=draft.choices,
            precision=draft.precision,
            answer_hint=draft.answer_hint,
            equivalence=draft.equivalence,
            synonyms=draft.synonyms,
            rules=draft.rules,
        )

    @property
    def explanation_html(self) -> str:
        return markdown_to_html(self.explanation)

    def check(self, answer: str) -> Verdict:
        """Grade a learner's answer; never raises on the answer's text."""
        if self.equivalence == "direction":
            return check_direction(self.solution, answer, self.variables, rules=self.rules)
        return check_answer(
            self.solution,
            answer,
            self.answer_kind,
            self.variables,
            precision=self.precision,
            rules=self.rules,
            choices=self._choice_table() or None,
        )

    def _choice_table(self) -> dict[str, list[str]]:
        table = {label: [text] for label, text in self.choices}
        for label, words in self.synonyms:
            table.setdefault(label, []).extend(words)
        return table

    def to_dict(self, *, include_solution: bool = True) -> ProblemDict:
        """Return the problem as JSON; without the solution before an answer."""
        data: ProblemDict = {
            "template_id": self.template_id,
            "seed": self.seed,
            "level": self.level,
            "version": self.version,
            "prompt": self.prompt,
            "prompt_html": self.prompt_html,
            "answer_kind": self.answer_kind,
            "variables": list(self.variables),
            "choices": [{"label": label, "text": text} for label, text in self.choices],
            "answer_hint": self.answer_hint,
        }
        if include_solution:
            data["solution"] = self.solution
            data["explanation"] = self.explanation
            data["params"] = self.params
        return data

    @classmethod
    def from_dict(cls, data: ProblemDict) -> Problem:
        """Rebuild a problem from its identity; the stored version must still match."""
        from question_bank.registry import generate

        problem = generate(data["template_id"], data["seed"], data["level"])
        if problem.version != data["version"]:
            raise ValueError(
                f"{data['template_id']} is at version {problem.version}, not {data['version']}"
            )
        return problem


class ProblemDict(TypedDict, total=False):
    template_id: str
    seed: int
    level: int
    version: int
    prompt: str
    prompt_html: str
    answer_kind: str
    variables: list[str]
    choices: list[dict[str, str]]
    answer_hint: str
    solution: str
    explanation: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Samples:
    """Known answers to a problem, for the registry-wide test.

    `incorrect` pairs each wrong answer with the mistake tag it should get
    ("" when no rule should name it).
    """

    correct: tuple[str, ...]
    incorrect: tuple[tuple[str, str], ...]
    invalid: tuple[str, ...] = ("", "x +", "(((")
