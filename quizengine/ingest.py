"""Taking in a device's events: validate, store once, grade attempts, update projections.

This is the server side of `POST /api/v1/sync/push`, and the same path a plain
form post takes, so an answer is handled alike online, offline or without
JavaScript. The server's grading is itself an event (`attempt.graded`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from question_bank import Verdict

from .content import lesson_index
from .event_schema import EventError, hlc_time, parse_event
from .event_store import AppendStatus, NewEvent, append_events, stored_ids
from .grading import PushGrading
from .models import Attempt, Device
from .projections import (
    graded_attempt,
    project_notes,
    project_skill_checks,
    refresh_card,
)
from .scheduling import rate

SERVER_DEVICE = "server"
GRADED_NAMESPACE = uuid.UUID("5b0e3f52-8f7c-4a0e-9d51-3c1f6a2b7e90")


@dataclass(frozen=True)
class PushResult:
    """The outcome for one pushed event (CONTRACT.md)."""

    id: str | None
    status: str  # accepted | duplicate | conflict | invalid
    seq: int | None
    error: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "seq": self.seq, "error": self.error}


def push_events(
    session: Session,
    user_id: int,
    device_id: str,
    raw_events: list,
    now: datetime,
    *,
    client_time: datetime | None = None,
) -> list[PushResult]:
    """Store a device's events for `user_id` and project them; commits once.

    `client_time` is the device's clock when it sent the push: the difference
    from `now` is recorded as the device's clock skew.
    """
    parsed = [parse_event(raw, device_id) for raw in raw_events]
    valid = [event for event in parsed if isinstance(event, NewEvent)]
    # Grade before the first write: the owner's row lock (on SQLite, the database's
    # write lock) is then held for storing, not for grading.
    verdicts = _grade_new_attempts(session, user_id, valid)
    # Each verdict's `attempt.graded` event goes in the same append: one lock, one
    # lookup. Its id derives from the attempt's, so it is stored exactly when the
    # attempt is (a push that raced ours and stored the attempt stored it too).
    graded = [_graded_event(user_id, event_id, verdict, now, index)
              for index, (event_id, verdict) in enumerate(verdicts.items())]  # fmt: skip
    stored = iter(append_events(session, user_id, valid + graded, now))
    # Under the owner's lock: two first pushes from one new device insert it once.
    record_device(session, user_id, device_id, now, client_time)
    results, accepted = [], []
    for raw, event in zip(raw_events, parsed, strict=True):
        if isinstance(event, EventError):
            results.append(PushResult(_raw_id(raw), "invalid", None, str(event)))
            continue
        outcome = next(stored)
        # Answer under the id as the device wrote it; it is stored in canonical form.
        results.append(PushResult(_raw_id(raw), outcome.status.value, outcome.seq))
        if outcome.status is AppendStatus.ACCEPTED:
            accepted.append(event)
    _project(session, user_id, accepted, now, verdicts)
    session.commit()
    return results


def _grade_new_attempts(
    session: Session, user_id: int, events: list[NewEvent]
) -> dict[str, Verdict]:
    """Grade the attempts not already stored (a retried push is not graded twice)."""
    attempts = [event for event in events if event.type == "attempt"]
    known = stored_ids(session, user_id, {event.id for event in attempts}) if attempts else set()
    grading = PushGrading()  # the app's GRADING_* settings; one time budget for the push
    verdicts = {}
    for event in attempts:
        if event.id not in known and event.id not in verdicts:
            payload = event.payload
            verdicts[event.id] = grading.grade(
                payload["template_id"], payload["seed"], payload["level"], payload["answer"]
            )
    return verdicts


def _project(
    session: Session, user_id: int, events: list[NewEvent], now: datetime,
    verdicts: dict[str, Verdict],
) -> None:  # fmt: skip
    arrived: dict[str, list] = defaultdict(list)
    rows = []
    for event in events:
        if event.type == "attempt":
            # An accepted attempt was new when grading looked, so it has a verdict.
            row = _attempt_row(user_id, event, now, verdicts[event.id])
            rows.append(row)
            arrived[row["template_id"]].append(graded_attempt(SimpleNamespace(**row)))
    if rows:
        session.connection().execute(_INSERT_ATTEMPT, rows)
    with session.no_autoflush:
        project_notes(session, user_id, [e for e in events if e.type.startswith("note.")])
    checks = [e for e in events if e.type == "skill_check"]
    if checks:  # their events depend on what the projection holds now
        offset = len(verdicts)
        append_events(session, user_id, _record_skill_checks(session, user_id, checks, now,
                                                             offset), now)  # fmt: skip
    for template_id, attempts in arrived.items():
        reviews = [a.time for a in attempts if rate(a.outcome) is not None]
        # An unreadable answer says nothing: it must not unlock a skill either.
        refresh_card(session, user_id, template_id, attempts,
                     introduce_at=min(reviews) if reviews else None)  # fmt: skip


_INSERT_ATTEMPT = insert(Attempt.__table__)


def _attempt_row(user_id: int, event: NewEvent, now: datetime, verdict: Verdict) -> dict:
    payload = event.payload
    return {
        "user_id": user_id,
        "event_id": event.id,
        "template_id": payload["template_id"],
        "seed": payload["seed"],
        "level": payload["level"],
        "answer": payload["answer"],
        "duration_ms": payload.get("duration_ms"),
        "assignment_id": payload.get("assignment_id"),
        "device_id": event.device_id,
        "hlc": event.hlc,
        # Nobody answers in the future: a fast device clock is capped at arrival.
        "answered_at": min(hlc_time(event.hlc), now),
        "received_at": now,
        "status": verdict.status,
        "score": verdict.score,
        "feedback": verdict.feedback,
        "tags": list(verdict.tags),
        "preview": verdict.preview,
        "flags": {
            flag: True for flag in ("gave_up", "solution_first", "hint_used") if payload.get(flag)
        },
        "graded_event_id": server_event_id("attempt.graded", f"{user_id}:{event.id}"),
    }


def _graded_event(
    user_id: int, attempt_id: str, verdict: Verdict, now: datetime, index: int
) -> NewEvent:
    payload = {
        "attempt_id": attempt_id,
        "correct": verdict.status == "correct",
        "score": verdict.score,
        "status": verdict.status,
        "feedback": verdict.feedback,
        "tags": list(verdict.tags),
        "preview": verdict.preview,
    }
    return _server_event(f"{user_id}:{attempt_id}", "attempt.graded", payload, now, index)


def server_event_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(GRADED_NAMESPACE, f"{kind}:{name}"))


def _server_event(name: str, kind: str, payload: dict, now: datetime, index: int) -> NewEvent:
    """Return an event the server writes; its id is derived from `name`, so replaying
    the same input writes the same event."""
    millis = int(now.timestamp() * 1000)
    return NewEvent(
        id=server_event_id(kind, name),
        device_id=SERVER_DEVICE,
        type=kind,
        hlc=f"{millis:015d}-{index % 10000:04d}-{SERVER_DEVICE}",
        created_at=now,
        payload=payload,
    )


def _record_skill_checks(
    session: Session, user_id: int, events: list[NewEvent], now: datetime, offset: int
) -> list[NewEvent]:
    """Project Skill Check answers, introduce the skills of a part once it is passed, and
    return a `skill_check.graded` server event for each answer."""
    lessons = lesson_index()
    correct = [
        lessons[e.payload["lesson_id"]]
        .question(e.payload["question_id"])
        .check(e.payload["choice"])
        for e in events
    ]
    answers = project_skill_checks(session, user_id, events, correct)
    right = {lesson_id: sum(a.correct for a in rows) for lesson_id, rows in answers.items()}
    graded, passed_at = [], {}
    for index, (event, is_right) in enumerate(zip(events, correct, strict=True)):
        lesson = lessons[event.payload["lesson_id"]]
        passed = right[lesson.id] >= lesson.pass_mark
        if passed:
            when = min(hlc_time(event.hlc), now)
            passed_at[lesson.id] = min(passed_at.get(lesson.id, when), when)
        payload = {"skill_check_id": event.id, "lesson_id": lesson.id,
                   "question_id": event.payload["question_id"], "correct": is_right,
                   "right": right[lesson.id], "passed": passed}  # fmt: skip
        graded.append(
            _server_event(
                f"{user_id}:{event.id}", "skill_check.graded", payload, now, offset + index
            )  # fmt: skip
        )
    for lesson_id, when in passed_at.items():
        introduce_skills(session, user_id, lessons[lesson_id].skills, when=when)
    return graded


def introduce_skills(session: Session, user_id: int, skills, when: datetime) -> None:
    """Put a lesson's skills into the learner's queue as new cards (once)."""
    for template_id in skills:
        refresh_card(session, user_id, template_id, [], introduce_at=when)


def record_device(
    session: Session, user_id: int, device_id: str, now: datetime, client_time: datetime | None
) -> None:
    """Note that the device was seen now (and its clock skew); the first time, add it."""
    values = {"user": user_id, "device": device_id, "last_seen": now,
              "skew": None if client_time is None else
              int((client_time - now).total_seconds() * 1000)}  # fmt: skip
    connection = session.connection()
    statement = _TOUCH_DEVICE if client_time is not None else _TOUCH_DEVICE_KEEP_SKEW
    if connection.execute(statement, values).rowcount == 0:
        connection.execute(_ADD_DEVICE, {"user_id": user_id, "device_id": device_id,
                                         "first_seen": now, "last_seen": now,
                                         "clock_skew_ms": values["skew"]})  # fmt: skip


_DEVICES = Device.__table__
_DEVICE_WHERE = (_DEVICES.c.user_id == bindparam("user"),
                 _DEVICES.c.device_id == bindparam("device"))  # fmt: skip
_TOUCH_DEVICE_KEEP_SKEW = (
    update(_DEVICES).where(*_DEVICE_WHERE).values(last_seen=bindparam("last_seen"))
)
_TOUCH_DEVICE = _TOUCH_DEVICE_KEEP_SKEW.values(clock_skew_ms=bindparam("skew"))
_ADD_DEVICE = insert(_DEVICES)


def _raw_id(raw) -> str | None:
    """The id to answer under, as the device wrote it, if it can go back out as JSON text."""
    value = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(value, str) or len(value) > 64:
        return None
    return value if value.isascii() or _encodable(value) else None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")  # an unpaired surrogate is not text
    except UnicodeEncodeError:
        return False
    return True
