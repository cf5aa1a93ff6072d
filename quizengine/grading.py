"""Grading learner text under a hard time limit enforced from outside the work.

The grader's own budgets (`question_bank.budget`) are cooperative: a slow step
gives up only when it next asks. Whatever slips past them must still not tie
up a web worker, so learner text reaches sympy only in a child process that
the web process kills and replaces when it overruns (`grading_pool`).
Waiting for a free child does not count against the limit, only against a
push's budget. `isolation="inline"` runs the same functions in this process
(for the operator's CLI).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context

from question_bank.errors import ParseError
from question_bank.parser import parse
from question_bank.registry import generate
from question_bank.verdict import Verdict, VerdictDict

from .grading_pool import NoTimeLeft, Overrun, pool, resolve, shutdown, worker_pids
from .mathtext import latex_html, value_latex

__all__ = ["GradingSettings", "PushGrading", "grade", "preview", "run", "shutdown", "warm_up",
           "worker_pids"]  # fmt: skip

log = logging.getLogger(__name__)

ISOLATIONS = ("process", "inline")
DEFAULT_LIMIT = 2.0  # wall seconds; the grader's cooperative CPU budgets total about 0.9
DEFAULT_PUSH_LIMIT = 10.0  # no attempt of one push starts grading after this (gunicorn: 30 s)
GRADE_TARGET = "quizengine.grading:grade_inline"
PREVIEW_TARGET = "quizengine.grading:preview_inline"
TOO_SLOW = (
    "This answer took too long to check, so it was not graded and does not count against "
    "you. Try writing it more simply."
)
NO_TIME_LEFT = (
    "Too many answers arrived at once to check them all, so this one was not graded and "
    "does not count against you."
)
CHECK_FAILED = (
    "This answer could not be checked, so it was not graded and does not count against you. "
    "Your teacher can rule on it."
)
PREVIEW_TOO_SLOW = "this answer took too long to read; try writing it more simply"
PREVIEW_FAILED = "this answer could not be read just now"


@dataclass(frozen=True)
class GradingSettings:
    """How answers are graded: `GRADING_*` app config, with strings from the environment."""

    isolation: str = "process"
    limit: float = DEFAULT_LIMIT
    push_limit: float = DEFAULT_PUSH_LIMIT
    workers: int = 1

    def __post_init__(self) -> None:
        if self.isolation not in ISOLATIONS:
            raise ValueError(f"GRADING_ISOLATION must be one of {ISOLATIONS}")
        if not (self.limit > 0 and self.push_limit >= 0 and self.workers >= 1):
            raise ValueError("grading limits must be positive and workers at least 1")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> GradingSettings:
        """Read the `GRADING_*` keys; a key left out keeps its default."""

        def number(key: str, kind: type, default: float) -> Any:
            try:
                return kind(config.get(key, default))
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number, not {config.get(key)!r}") from None

        return cls(
            isolation=str(config.get("GRADING_ISOLATION", "process")).strip().lower(),
            limit=number("GRADING_TIME_LIMIT", float, DEFAULT_LIMIT),
            push_limit=number("GRADING_PUSH_TIME_LIMIT", float, DEFAULT_PUSH_LIMIT),
            workers=number("GRADING_WORKERS", int, 1),
        )


def current_settings() -> GradingSettings:
    """Return the running app's settings (the defaults outside an app)."""
    return (
        GradingSettings.from_config(current_app.config) if has_app_context() else GradingSettings()
    )


# What a child runs; `isolation="inline"` runs it here.


def grade_inline(template_id: str, seed: int, level: int, answer: str) -> VerdictDict:
    """Grade in this process: the work a child does for `grade`."""
    return generate(template_id, seed, level).check(answer).to_dict()


def preview_inline(template_id: str, seed: int, level: int, answer: str) -> dict[str, Any]:
    """Say how an answer was read, without grading it (`POST /api/v1/preview`)."""
    problem = generate(template_id, seed, level)
    try:
        latex = value_latex(parse(answer, problem.variables), problem.answer_kind)
    except ParseError as error:
        return _unread(error.describe(answer))
    return {"status": "ok", "preview": latex, "preview_html": str(latex_html(latex)), "error": None}


def _unread(error: str) -> dict[str, Any]:
    return {"status": "invalid", "preview": None, "preview_html": "", "error": error}


def grade(
    template_id: str, seed: int, level: int, answer: str, *,
    settings: GradingSettings | None = None, target: str = GRADE_TARGET,
    wait: float | None = None,
) -> Verdict:  # fmt: skip
    """Grade a learner's answer; undecided when it overruns the hard limit, when no
    grading child comes free within `wait` seconds, or when the grader fails.

    A grader failure is logged as the bug it is, but the answer is kept: an
    exception here would fail the whole push, and the device would send it forever.
    `target` is for tests only: the dotted name (`module:function`) of a
    module-level function taking the same four arguments and returning a
    VerdictDict, run in place of `grade_inline` (a test cannot monkeypatch a child).
    """
    settings = settings or current_settings()
    try:
        reply = run(target, (template_id, seed, level, answer), settings, wait=wait)
        return Verdict.from_dict(reply)
    except Overrun as overrun:
        log.warning("grading worker %s on %s seed %s level %s (%d characters); replaced",
                    overrun, template_id, seed, level, len(answer))  # fmt: skip
        return Verdict.undecided(TOO_SLOW)
    except NoTimeLeft:
        return Verdict.undecided(NO_TIME_LEFT)
    except Exception:
        log.exception("grading failed on %s seed %s level %s", template_id, seed, level)
        return Verdict.undecided(CHECK_FAILED)


def preview(
    template_id: str, seed: int, level: int, answer: str, *, settings: GradingSettings | None = None
) -> dict[str, Any]:
    """Return how an answer was read, under the same hard limit as grading."""
    try:
        return run(
            PREVIEW_TARGET, (template_id, seed, level, answer), settings or current_settings()
        )
    except Overrun:
        return _unread(PREVIEW_TOO_SLOW)
    except Exception:
        log.exception("reading an answer failed on %s seed %s level %s", template_id, seed, level)
        return _unread(PREVIEW_FAILED)


def run(target: str, args: tuple, settings: GradingSettings, *, wait: float | None = None) -> Any:
    """Run `target(*args)` as the settings say; raise Overrun when a child overruns, and
    NoTimeLeft when none comes free within `wait` seconds.

    An exception raised by the target is raised here again, as inline.
    """
    if settings.isolation == "inline":
        return resolve(target)(*args)
    status, value = pool(settings.workers).run((target, args), settings.limit, wait)
    if status == "raise":
        raise value
    return value


@dataclass
class PushGrading:
    """Grade one push's attempts: each under the hard limit, none started past the push's
    budget (a push holds up to 200 attempts; the web server's own timeout must not hit)."""

    settings: GradingSettings = field(default_factory=current_settings)
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.settings.push_limit

    def grade(self, template_id: str, seed: int, level: int, answer: str) -> Verdict:
        """Grade one attempt, or leave it undecided once the push's time is spent
        (waiting for a free grading child counts too)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            return Verdict.undecided(NO_TIME_LEFT)
        return grade(template_id, seed, level, answer, settings=self.settings, wait=left)


def warm_up(settings: GradingSettings | None = None) -> None:
    """Start this process's grading child now: the first one waits seconds for its
    forkserver, which a learner's first answer should not."""
    settings = settings or current_settings()
    if settings.isolation == "process":
        run(GRADE_TARGET, ("gradient", 0, 1, "0"), settings)
