"""Learner histories as devices send them: events at chosen clock times, and known answers."""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

import question_bank as qb
from quizengine.content import template_index
from quizengine.ingest import push_events
from quizengine.models import Card

# A fixed "now": Monday noon UTC, well after the learner day's 04:00 start.
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DEVICE = "device-a"
TYPO = "(1, 2"
HOSTILE = "<script>alert(1)</script>"


def hlc(when: datetime, counter: int = 0, device: str = DEVICE) -> str:
    """Return the hybrid logical clock string of a moment."""
    return f"{int(when.timestamp() * 1000):015d}-{counter:04d}-{device}"


def event(
    kind: str,
    payload: dict[str, Any],
    when: datetime = NOW,
    *,
    event_id: str | None = None,
    device: str = DEVICE,
    counter: int = 0,
) -> dict[str, Any]:
    """Return an event shaped as CONTRACT.md says a device sends it."""
    return {
        "id": event_id or str(uuid.uuid4()),
        "v": 1,
        "type": kind,
        "hlc": hlc(when, counter, device),
        "created_at": when.isoformat().replace("+00:00", "Z"),
        "payload": payload,
    }


def attempt(
    template_id: str,
    answer: str,
    when: datetime = NOW,
    *,
    seed: int = 1,
    level: int = 1,
    duration_ms: int | None = 20_000,
    **extra: Any,
) -> dict[str, Any]:
    """Return an `attempt` event answering (template, seed, level) with `answer`."""
    payload = {"template_id": template_id, "seed": seed, "level": level, "answer": answer,
               "duration_ms": duration_ms, **extra}  # fmt: skip
    return event("attempt", payload, when)


def answered(template_id: str, kind: str, when: datetime = NOW, *, level: int = 1,
             seed: int | None = None, **extra: Any) -> dict[str, Any]:  # fmt: skip
    """Return an attempt whose answer is `kind`: correct, wrong, partial or invalid."""
    seed, answer = known_answer(template_id, level, kind, seed=seed)
    return attempt(template_id, answer, when, seed=seed, level=level, **extra)


@functools.cache
def known_answer(template_id: str, level: int, kind: str, *, seed: int | None = None):
    """Return (seed, answer) for an answer of `kind`, checked against the grader.

    `wrong` scores 0, `partial` is incorrect with some credit, `invalid` cannot be read.
    """
    seeds = [seed] if seed is not None else range(1, 60)
    for candidate in seeds:
        problem = qb.generate(template_id, candidate, level)
        if kind == "correct":
            return candidate, problem.solution
        if kind == "invalid":
            assert problem.check(TYPO).status == "invalid"
            return candidate, TYPO
        for answer, _tag in qb.samples(problem).incorrect:
            verdict = problem.check(answer)
            if verdict.status != "incorrect":
                continue
            if (kind == "wrong" and verdict.score == 0) or (
                kind == "partial" and 0 < verdict.score < 1
            ):
                return candidate, answer
    raise LookupError(f"no {kind} answer for {template_id} level {level}")


def push(session: Session, user_id: int, events: list, now: datetime = NOW, device=DEVICE):
    """Push events through the ingest service, as `POST /api/v1/sync/push` does."""
    return push_events(session, user_id, device, events, now)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def card(session: Session, user_id: int, template_id: str) -> Card | None:
    session.expire_all()
    return session.get(Card, (user_id, template_id))


def related(a: str, b: str) -> bool:
    """Skills are related when one builds on the other or both build on the same one."""
    templates = template_index()
    pa, pb = set(templates[a].prerequisites), set(templates[b].prerequisites)
    return a in pb or b in pa or bool(pa & pb)


def form_fields(page: str) -> dict[str, str]:
    """Return the hidden fields of the practice form on a page."""
    names = ("template_id", "seed", "level", "event_id", "started_ms", "reason")
    found = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    return {name: found[name] for name in names if name in found}
