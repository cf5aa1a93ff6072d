"""The JSON API under /api/v1 (CONTRACT.md). Errors here are JSON (see `errors.py`).

Views only parse the request, call one service and shape the JSON.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from question_bank.registry import generate

from .content import lesson_index, skill_order, template_index
from .errors import ApiError
from .event_schema import DEVICE_PATTERN, MAX_JSON_INTEGER, parse_timestamp
from .event_store import event_json, events_after
from .extensions import db, limiter
from .grading import preview as read_answer
from .ingest import push_events
from .packs import PackItem, build_pack
from .queue import build_queue

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PUSH_EVENTS = 200
MAX_PUSH_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32  # a push is five deep (body, events, event, payload, value)
_TOO_DEEP = f"the body nests more than {MAX_JSON_DEPTH} levels deep"


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/csrf")
def csrf_token():
    """Hand a fresh CSRF token to a script about to push (tokens can go stale offline)."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/me")
def me():
    """Who is signed in here (null for nobody): the offline client keys its data by it."""
    response = jsonify({"user": None if not current_user.is_authenticated else {
        "id": current_user.id, "email": current_user.email,
        "display_name": current_user.display_name, "role": current_user.role,
    }})  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/queue")
@login_required
def queue():
    limit = _int_arg("limit", default=20, low=1, high=100)
    items = build_queue(db.session, current_user.id, _now(), limit=limit)
    db.session.commit()
    return {"items": [item.to_dict() for item in items]}


@bp.get("/pack")
def pack():
    """Upcoming problems for offline practice: the queue's, or the first skills when
    nobody is signed in (an anonymous learner practises on the device)."""
    size = _int_arg("size", default=20, low=1, high=60)
    _refuse_another_owner()  # nobody signed in any more is another owner too
    if current_user.is_authenticated:
        queue = build_queue(db.session, current_user.id, _now(), limit=20)
        db.session.commit()
        items = [PackItem(i.template_id, i.seed, i.level, i.reason, i.assignment_id,
                          i.due if i.reason == "assigned" else None) for i in queue]  # fmt: skip
    else:
        items = []
    if not items:
        first = skill_order()[:5]
        items = [(tid, secrets.randbelow(2**31), template_index()[tid].levels[0], "new", None)
                 for tid in first]  # fmt: skip
    response = jsonify(build_pack(items, size))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/lessons")
def lessons():
    return {"lessons": [lesson.to_public_dict() for lesson in lesson_index().values()]}


@bp.get("/problems/<template_id>")
def problem(template_id: str):
    template = template_index().get(template_id)
    if template is None:
        raise ApiError(404, "not_found", f"no problem template {template_id!r}", "template_id")
    seed = _int_arg("seed", default=None, low=0, high=2**53 - 1)
    level = _int_arg("level", default=template.levels[0], low=min(template.levels),
                     high=max(template.levels))  # fmt: skip
    return generate(template_id, seed, level).to_dict(include_solution=False)


def _preview_limit() -> str:
    return current_app.config["PREVIEW_RATE_LIMIT"]


def _reader() -> str:
    """Who is asking: the account when signed in (a class may share one IP), else the IP."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


# Reading runs in the grading process that answers also need: nobody may keep it busy.
@bp.post("/preview")
@limiter.limit(_preview_limit, key_func=_reader)
def preview():
    """Say how an answer was read, without grading it."""
    body = _json_object()
    template = template_index().get(body.get("template_id"))
    if template is None:
        raise ApiError(400, "invalid", "template_id is not a known template", "template_id")
    answer = body.get("answer")
    if not isinstance(answer, str):
        raise ApiError(400, "invalid", "answer must be text", "answer")
    seed, level = body.get("seed", 0), body.get("level", template.levels[0])
    if not isinstance(seed, int) or not isinstance(level, int) or level not in template.levels:
        raise ApiError(400, "invalid", "seed and level must be integers the template has", "level")
    if not answer.strip():
        return {"status": "empty", "preview": None, "preview_html": "", "error": None}
    # Reading learner text builds sympy objects: a worker does it, under the grading limit.
    return read_answer(template.id, seed, level, answer)


@bp.post("/sync/push")
@login_required
def sync_push():
    if (request.content_length or 0) > MAX_PUSH_BYTES:
        raise ApiError(413, "too_large", f"a push holds at most {MAX_PUSH_BYTES} bytes", "events")
    _refuse_another_owner()
    # Each event is judged alone (`parse_event`): one unstorable note must not refuse the rest.
    body = _json_object(max_bytes=MAX_PUSH_BYTES, events_judged=True)
    device_id = body.get("device_id")
    if not isinstance(device_id, str) or not DEVICE_PATTERN.match(device_id):
        raise ApiError(
            400, "invalid", "device_id must be 1-64 letters, digits or -_.:", "device_id"
        )
    events = body.get("events")
    if not isinstance(events, list):
        raise ApiError(400, "invalid", "events must be a list", "events")
    if len(events) > MAX_PUSH_EVENTS:
        raise ApiError(413, "too_large", f"a push holds at most {MAX_PUSH_EVENTS} events", "events")
    client_time = parse_timestamp(body.get("client_time"))
    now = _now()
    results = push_events(
        db.session, current_user.id, device_id, events, now, client_time=client_time
    )
    response = {
        "results": [result.to_dict() for result in results],
        "server_time": now.isoformat().replace("+00:00", "Z"),
    }
    if client_time is not None:
        response["clock_skew_ms"] = int((client_time - now).total_seconds() * 1000)
    return response


def _refuse_another_owner() -> None:
    """Refuse a sync request its client made for another account than the one signed in.

    Events are stored and sent for the session's user, whoever the client meant
    (CONTRACT.md). On a shared computer the session can change mid-sync (a sign-out
    and another sign-in in a second tab): a client that says whose data it syncs, in
    `X-Quizengine-Owner`, gets a 409 then, instead of filing one learner's answers
    and notes under another's account (a push) or taking the other's in (a pull, a
    pack). Without the header nothing changes.
    """
    claimed = request.headers.get(OWNER_HEADER)
    signed_in = str(current_user.id) if current_user.is_authenticated else None
    if claimed is not None and claimed != signed_in:
        raise ApiError(409, "another_user", "Another account is signed in here now than the "
                       "one this device is syncing for; nothing was stored or sent.",
                       OWNER_HEADER)  # fmt: skip


OWNER_HEADER = "X-Quizengine-Owner"


@bp.get("/sync/pull")
@login_required
def sync_pull():
    """Page through the learner's events by sequence number (the sync cursor)."""
    _refuse_another_owner()
    after = _int_arg("after", default=0, low=0, high=2**62)
    limit = _int_arg("limit", default=200, low=1, high=1000)
    events = events_after(db.session, current_user.id, after, limit + 1)
    page = events[:limit]
    return {
        "events": [event_json(event) for event in page],
        "next_after": page[-1].seq if page else after,
        "more": len(events) > limit,
    }


def _json_object(max_bytes: int = 64 * 1024, *, events_judged: bool = False) -> dict:
    """Return the body as a dict of I-JSON (RFC 7493), or raise a 400/413 naming the body.

    With `events_judged`, text and integers inside the objects of `events` are left to
    `parse_event`, which refuses the one event that holds them, not the whole body.
    """
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise ApiError(413, "too_large", f"the body holds at most {max_bytes} bytes", "body")
    try:
        body = json.loads(raw, parse_constant=_not_a_number)
    except RecursionError:  # "[[[[..." a few hundred deep exhausts the parser's stack
        raise ApiError(400, "invalid_json", _TOO_DEEP, "body") from None
    except ValueError:  # also UnicodeDecodeError
        raise ApiError(400, "invalid_json", "the body must be a JSON object", "body") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object", "body")
    if not _plainly_storable(raw):
        problem = _not_storable(body, judged=body.get("events") if events_judged else None)
        if problem is not None:
            raise ApiError(400, "invalid_json", problem, "body")
    return body


def _not_a_number(constant: str):
    raise ApiError(400, "invalid_json", f"{constant} is not a JSON number", "body")


def _plainly_storable(raw: bytes) -> bool:
    """True when the raw text alone shows the checks of `_not_storable` pass: too few
    brackets to nest too deep, no surrogate (as a \\u escape or as UTF-8 bytes), no run
    of 16 digits (2^53 has 16) and no exponent. Most pushes; the rest are walked."""
    return (raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH and b"\\u" not in raw
            and _NEEDS_A_LOOK.search(raw) is None)  # fmt: skip


# 16 digits, an exponent, or a UTF-16 surrogate written in UTF-8 (json.loads lets it pass).
_NEEDS_A_LOOK = re.compile(rb"[0-9]{16}|[0-9][eE]|\xed[\xa0-\xbf]")


def _not_storable(body: dict, judged: object = None) -> str | None:
    """Say why a parsed body is not I-JSON we can store and send back, or None.

    Python's parser accepts what the database and the browser cannot hold:
    unpaired UTF-16 surrogates ("\\ud800" is not text; storing it raises),
    integers past 2^53, numbers past the largest double (1e400 reads as
    infinity, and would go back out as `Infinity`, which no JSON parser takes),
    and nesting deep enough to exhaust the stack later. Inside the objects of
    the list `judged`, only depth and infinity are checked here (no browser's
    JSON.stringify writes either); their text and integers are judged per event.
    """
    stack: list[tuple[object, int, bool]] = [(body, 1, False)]
    while stack:
        value, depth, lenient = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return _TOO_DEEP
        if isinstance(value, dict):
            stack.extend((key, depth, lenient) for key in value)
            stack.extend((item, depth + 1, lenient) for item in value.values())
        elif isinstance(value, list):
            inner = value is judged  # its objects are events: lenient from here down
            stack.extend((item, depth + 1, lenient or (inner and isinstance(item, dict)))
                         for item in value)  # fmt: skip
        elif isinstance(value, float) and not math.isfinite(value):
            return "the body holds a number too large for a double (it reads as infinity)"
        elif lenient:
            continue
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "the body holds an unpaired UTF-16 surrogate (\\ud800 to \\udfff)"
        elif isinstance(value, int) and abs(value) > MAX_JSON_INTEGER:
            return f"the body holds an integer beyond ±{MAX_JSON_INTEGER} (2^53 - 1)"
    return None


def _int_arg(name: str, *, default: int | None, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        if default is None:
            raise ApiError(400, "invalid", f"{name} is required", name)
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid", f"{name} must be an integer", name) from None
    if not low <= value <= high:
        raise ApiError(400, "invalid", f"{name} must be from {low} to {high}", name)
    return value
