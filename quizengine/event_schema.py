"""Validating events as devices send them (CONTRACT.md: Event, event types).

A bad event is an expected outcome, not an exception: `parse_event` returns
the event or an `EventError` that names the field, so one bad event in a
push never stops the others.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from question_bank.registry import family

from .content import lesson_index
from .event_store import NewEvent

SCHEMA_VERSION = 1
# ASCII digits only: `\d` takes any script's, and "١٧..." sorts after every real clock.
HLC_PATTERN = re.compile(r"^([0-9]{15})-([0-9]{4})-([A-Za-z0-9_.:-]{1,64})$")
DEVICE_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_NOTE_LENGTH = 8000
MAX_ANSWER_LENGTH = 10_000
MAX_SEED = 2**53
MAX_ID = 2**31  # ids are 32-bit integer columns on PostgreSQL
MAX_JSON_INTEGER = 2**53 - 1  # what JavaScript, and so the offline client, holds exactly
CLIENT_TYPES = ("attempt", "skill_check", "note.put", "note.deleted")
ATTEMPT_FLAGS = ("gave_up", "solution_first", "hint_used")
# PostgreSQL text cannot hold NUL; no keyboard types it, so it is refused everywhere.
NUL_MESSAGE = "must not contain the NUL character"


@dataclass(frozen=True)
class EventError:
    """Why an event was refused; `field` is a dotted path such as `payload.body`."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def hlc_time(hlc: str) -> datetime:
    """Return the wall-clock part of a hybrid logical clock string.

    >>> hlc_time("001764331200000-0000-abc").isoformat()
    '2025-11-28T12:00:00+00:00'
    """
    return datetime.fromtimestamp(int(hlc[:15]) / 1000, UTC)


def parse_event(raw: Any, device_id: str) -> NewEvent | EventError:
    """Return the validated event, or what is wrong with it."""
    if not isinstance(raw, dict):
        return EventError("event", "must be a JSON object")
    try:
        event_id = str(uuid.UUID(str(raw.get("id", ""))))
    except ValueError:
        return EventError("id", "must be a UUID")
    if raw.get("v") != SCHEMA_VERSION:
        return EventError("v", f"schema version must be {SCHEMA_VERSION}")
    kind = raw.get("type")
    if kind not in CLIENT_TYPES:
        return EventError("type", f"must be one of {', '.join(CLIENT_TYPES)}")
    hlc = raw.get("hlc")
    if not isinstance(hlc, str) or not HLC_PATTERN.match(hlc):
        return EventError("hlc", "must look like MMMMMMMMMMMMMMM-CCCC-DEVICE")
    created_at = parse_timestamp(raw.get("created_at"))
    if created_at is None:
        return EventError("created_at", "must be an RFC 3339 timestamp with a time zone")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        return EventError("payload", "must be a JSON object")
    problem = unstorable(payload, "payload") or PAYLOAD_CHECKS[kind](payload)
    if problem is not None:
        return problem
    return NewEvent(event_id, device_id, kind, hlc, created_at, payload, SCHEMA_VERSION)


def unstorable(value: dict, path: str) -> EventError | None:
    """Name the first value under `path` that the database and browsers cannot hold, or None.

    Checked per event, so one note holding an unpaired UTF-16 surrogate (a bad paste)
    is refused alone instead of failing the whole push, again on every retry.

    >>> str(unstorable({"lesson_id": "a", "n": [1, 2**60]}, "payload"))
    'payload.n.1: holds an integer beyond ±9007199254740991 (2^53 - 1)'
    """
    stack: list[tuple[str, dict | list]] = [(path, value)]
    while stack:
        where, container = stack.pop()
        pairs = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in pairs:
            if isinstance(item, dict | list):
                stack.append((f"{where}.{_printable(key)}", item))
                continue
            problem = _unstorable_scalar(key) or _unstorable_scalar(item)
            if problem is not None:
                return EventError(f"{where}.{_printable(key)}", problem)
    return None


def _printable(key: Any) -> str:
    """A key as text that can be sent back even when it is the unpaired surrogate."""
    return str(key).encode("utf-8", "backslashreplace").decode("utf-8")


def _unstorable_scalar(value: Any) -> str | None:
    if isinstance(value, str):
        if value.isascii():
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "holds an unpaired UTF-16 surrogate (\\ud800 to \\udfff)"
    elif isinstance(value, int) and abs(value) > MAX_JSON_INTEGER:
        return f"holds an integer beyond ±{MAX_JSON_INTEGER} (2^53 - 1)"
    elif isinstance(value, float) and not math.isfinite(value):
        return "holds a number too large for a double"
    return None


def parse_timestamp(value: Any) -> datetime | None:
    """Return an aware UTC datetime for RFC 3339 text with a zone, else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def _attempt(payload: dict) -> EventError | None:
    template_id = payload.get("template_id")
    try:
        template = family(template_id).TEMPLATE if isinstance(template_id, str) else None
    except KeyError:
        template = None
    if template is None:
        return EventError("payload.template_id", "is not a known problem template")
    seed, level = payload.get("seed"), payload.get("level")
    if not _is_int(seed) or not 0 <= seed < MAX_SEED:
        return EventError("payload.seed", f"must be an integer from 0 to {MAX_SEED - 1}")
    if not _is_int(level) or level not in template.levels:
        return EventError("payload.level", f"must be one of {list(template.levels)}")
    answer = payload.get("answer")
    if not isinstance(answer, str) or len(answer) > MAX_ANSWER_LENGTH:
        return EventError(
            "payload.answer", f"must be text of at most {MAX_ANSWER_LENGTH} characters"
        )
    if "\x00" in answer:
        return EventError("payload.answer", NUL_MESSAGE)
    duration = payload.get("duration_ms")
    if duration is not None and (not _is_int(duration) or duration < 0):
        return EventError("payload.duration_ms", "must be a non-negative integer or null")
    assignment = payload.get("assignment_id")
    if assignment is not None and not (_is_int(assignment) and 0 < assignment < MAX_ID):
        return EventError(
            "payload.assignment_id", f"must be an integer from 1 to {MAX_ID - 1} or null"
        )
    for flag in ATTEMPT_FLAGS:
        if not isinstance(payload.get(flag, False), bool):
            return EventError(f"payload.{flag}", "must be true or false")
    return None


def _skill_check(payload: dict) -> EventError | None:
    found = _lesson(payload)
    if found is None:
        return EventError("payload.lesson_id", "is not a known lesson")
    if _text(payload.get("question_id")) not in {q.id for q in found.skill_check}:
        return EventError("payload.question_id", "is not a question of this lesson's Skill Check")
    choice = payload.get("choice")
    if not isinstance(choice, str) or not 0 < len(choice) <= 200:
        return EventError("payload.choice", "must be text of 1 to 200 characters")
    if "\x00" in choice:
        return EventError("payload.choice", NUL_MESSAGE)
    return None


def _note_put(payload: dict) -> EventError | None:
    if _lesson(payload) is None:
        return EventError("payload.lesson_id", "is not a known lesson")
    body = payload.get("body")
    if not isinstance(body, str):
        return EventError("payload.body", "must be text")
    if len(body) > MAX_NOTE_LENGTH:
        return EventError(
            "payload.body",
            f"is {len(body)} characters; a note holds at most {MAX_NOTE_LENGTH}",
        )
    if "\x00" in body:
        return EventError("payload.body", NUL_MESSAGE)
    return None


def _note_deleted(payload: dict) -> EventError | None:
    if _lesson(payload) is None:
        return EventError("payload.lesson_id", "is not a known lesson")
    return None


def _lesson(payload: dict):
    """Return the lesson `payload.lesson_id` names, or None (whatever JSON it holds)."""
    return lesson_index().get(_text(payload.get("lesson_id")))


def _text(value: Any) -> str | None:
    """Return `value` if it is a string: JSON lists and objects cannot be looked up."""
    return value if isinstance(value, str) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


PAYLOAD_CHECKS: dict[str, Callable[[dict], EventError | None]] = {
    "attempt": _attempt,
    "skill_check": _skill_check,
    "note.put": _note_put,
    "note.deleted": _note_deleted,
}
