"""The result of checking one answer, and its JSON shape."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict


class Status(StrEnum):
    """How an answer was judged; invalid and undecided do not count against a learner."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    INVALID = "invalid"
    UNDECIDED = "undecided"


class VerdictDict(TypedDict):
    """The JSON shape of a Verdict."""

    status: str
    correct: bool
    score: float
    feedback: str
    tags: list[str]
    error: str | None
    preview: str | None


@dataclass(frozen=True)
class Verdict:
    """The judgement of one answer.

    Example:
        >>> v = Verdict.graded(1.0, "Correct.")
        >>> v.status, v.correct
        ('correct', True)
        >>> Verdict.from_dict(v.to_dict()) == v
        True
    """

    status: str
    correct: bool
    score: float
    feedback: str
    tags: tuple[str, ...] = ()
    error: str | None = None
    preview: str | None = None

    def __post_init__(self) -> None:
        Status(self.status)  # a broken invariant is a programming error
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} is outside [0, 1]")
        if self.correct != (self.status == Status.CORRECT):
            raise ValueError("correct must be True exactly when status is 'correct'")

    @classmethod
    def graded(
        cls, score: float, feedback: str, tags: tuple[str, ...] = (), preview: str | None = None
    ) -> Verdict:
        """Return a correct verdict when score is 1, else an incorrect one."""
        status = Status.CORRECT if score >= 1.0 else Status.INCORRECT
        return cls(
            status.value, status is Status.CORRECT, float(score), feedback, tags, None, preview
        )

    @classmethod
    def invalid(cls, error: str, tags: tuple[str, ...] = (), preview: str | None = None) -> Verdict:
        """Return a verdict for input that could not be read."""
        feedback = "We could not read this answer: " + error.splitlines()[0]
        return cls(Status.INVALID.value, False, 0.0, feedback, tags, error, preview)

    @classmethod
    def undecided(cls, feedback: str, preview: str | None = None) -> Verdict:
        """Return a verdict for an answer the grader could not settle in its budget."""
        return cls(Status.UNDECIDED.value, False, 0.0, feedback, (), None, preview)

    def with_mistake(self, tag: str, feedback: str) -> Verdict:
        """Return a copy with a recognised mistake's tag and feedback added."""
        text = f"{self.feedback} {feedback}".strip()
        return Verdict(
            self.status, self.correct, self.score, text, (*self.tags, tag), self.error, self.preview
        )

    def to_dict(self) -> VerdictDict:
        """Return the JSON-ready dict."""
        return VerdictDict(
            status=self.status, correct=self.correct, score=self.score,
            feedback=self.feedback, tags=list(self.tags), error=self.error,
            preview=self.preview,
        )  # fmt: skip

    @classmethod
    def from_dict(cls, data: VerdictDict) -> Verdict:
        """Return the Verdict a `to_dict` result describes."""
        return cls(
            status=data["status"], correct=data["correct"], score=float(data["score"]),
            feedback=data["feedback"], tags=tuple(data["tags"]), error=data["error"],
            preview=data["preview"],
        )  # fmt: skip
