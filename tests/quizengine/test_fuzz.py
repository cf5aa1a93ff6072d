"""Fuzzing, bounded in time: the answer parser and grader, and the sync push endpoint.

(a) Any text, random or built from the grammar's own tokens (deep nesting,
huge numbers, towers of powers) into `question_bank.parse` and `check_answer`:
parse returns a value or raises ParseError, nothing else; check_answer always
returns a Verdict. (b) Any JSON, and mutations of a valid push body, POSTed to
/api/v1/sync/push as a signed-in learner: never a 5xx, always JSON (the error
envelope for a refusal), and the valid events in a batch are stored exactly
once (the same body again is all duplicates). Budgets: a few seconds per test.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import question_bank as qb
from quizengine.content import lesson_index
from quizengine.extensions import db
from quizengine.models import Event
from tests.quizengine.history import attempt, event
from tests.quizengine.security import sign_in
from tests.quizengine.teaching import person

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WEB = settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
HANG = 3.0  # seconds: far above the 1 s contract, to catch hangs rather than a busy machine

TOKENS = ["x", "y", "z", "e", "pi", "oo", "η", "λ", "sin", "cos", "log", "ln", "exp", "sqrt",
          "abs", "0", "1", "2", "10", "1.5", ".5", "1e3", "2e-3", "+", "-", "*", "/", "^", "**",
          "²", "³", "×", "·", "÷", "−", "(", ")", "[", "]", "{", "}", ",", ";", "\n", " ", "=",
          "!", "|", "'", "_", "\\", "\x00", "½"]  # fmt: skip
GRAMMAR_SOUP = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
HUGE_NUMBERS = st.integers(10**30, 10**400).map(str)
TOWERS = st.lists(st.integers(2, 10**6).map(str), min_size=2, max_size=6).map("^".join)
NESTED = st.tuples(st.integers(1, 400), st.sampled_from(["(", "[", "sqrt(", "-", "{"])).map(
    lambda pair: pair[1] * pair[0] + "x" + ")" * pair[0]
)


def _tree(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", " ", ""]), children).map(
            "".join
        ),
        st.tuples(st.sampled_from(["sin", "exp", "sqrt", "", "-"]), children).map(
            lambda pair: f"{pair[0]}({pair[1]})"
        ),
        st.lists(children, min_size=1, max_size=3).map(lambda items: f"({', '.join(items)})"),
        st.lists(st.lists(children, min_size=2, max_size=2), min_size=1, max_size=2).map(
            lambda rows: "[" + "; ".join(", ".join(row) for row in rows) + "]"
        ),
    )


LEAVES = st.one_of(st.sampled_from(["x", "y", "2", "1/2", "e", "pi"]), HUGE_NUMBERS, TOWERS)
GRAMMAR_TREES = st.recursive(LEAVES, _tree, max_leaves=12)
ANSWERS = st.one_of(st.text(max_size=200), GRAMMAR_SOUP, GRAMMAR_TREES, NESTED, HUGE_NUMBERS,
                    TOWERS)  # fmt: skip
EXPECTED = {"expr": "x*y", "number": "1/3", "vector": "(1, x)", "matrix": "[[1, x], [y, 2]]",
            "points": "{(0, 0), (1, 1)}", "choice": "minimum"}  # fmt: skip


@FAST
@given(ANSWERS)
def test_parse_returns_a_value_or_raises_parse_error_only(text):
    start = time.perf_counter()
    try:
        qb.parse(text, ("x", "y"))
    except qb.ParseError as error:
        assert error.message and isinstance(error.describe(text), str)
    assert time.perf_counter() - start < HANG


@settings(FAST, max_examples=200)
@given(ANSWERS, st.sampled_from(sorted(EXPECTED)))
def test_check_answer_always_returns_a_verdict(text, kind):
    start = time.perf_counter()
    verdict = qb.check_answer(EXPECTED[kind], text, kind=kind)
    assert time.perf_counter() - start < HANG
    assert isinstance(verdict, qb.Verdict)
    assert verdict.status in ("correct", "incorrect", "invalid", "undecided")
    assert 0.0 <= verdict.score <= 1.0
    assert (verdict.status == "invalid") == (verdict.error is not None)


# ----------------------------------------------------------------------------- the push

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)  # lone surrogates too
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
FIELDS = ["id", "v", "type", "hlc", "created_at", "payload", "device_id", "events"]
PAYLOAD_FIELDS = ["template_id", "seed", "level", "answer", "duration_ms", "assignment_id",
                  "gave_up", "lesson_id", "body", "question_id", "choice"]  # fmt: skip
STATUSES = {"accepted", "duplicate", "conflict", "invalid"}


def valid_body(ids: list[uuid.UUID]) -> dict:
    lesson = next(iter(lesson_index()))
    events = [attempt("gradient", "(2x, 1)", seed=3), event("note.put", {"lesson_id": lesson,
              "body": "n"}), attempt("hessian", "[[2, 0], [0, 2]]", seed=4)]  # fmt: skip
    for raw, new_id in zip(events, ids, strict=False):
        raw["id"] = str(new_id)
    return {"device_id": "fuzz-device", "events": events}


@st.composite
def mutated_bodies(draw) -> dict:
    """A valid push body with a few fields replaced by arbitrary JSON or removed."""
    body = valid_body(draw(st.lists(st.uuids(), min_size=3, max_size=3, unique=True)))
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(["body", "event", "payload"]))
        events = body.get("events")
        raw = draw(st.sampled_from(events)) if isinstance(events, list) and events else None
        if target == "body" or not isinstance(raw, dict):
            where, names = body, ["device_id", "events", "client_time", "user_id"]
        elif target == "payload" and isinstance(raw.get("payload"), dict):
            where, names = raw["payload"], PAYLOAD_FIELDS
        else:
            where, names = raw, FIELDS
        name = draw(st.sampled_from(names))
        if draw(st.booleans()):
            where.pop(name, None)
        else:
            where[name] = draw(JSON)
    if draw(st.booleans()) and isinstance(body.get("events"), list) and body["events"]:
        body["events"].append(draw(st.sampled_from(body["events"])))  # a repeat in the batch
    return body


@pytest.fixture
def pusher(app, cheap_passwords):
    """A signed-in learner's client, shared by every example of one test (one database)."""
    with app.app_context():
        person("fuzz@example.org")
    return sign_in(app, "fuzz@example.org")


def push_raw(client, body) -> tuple[int, dict | None]:
    data = json.dumps(body).encode("utf-8", "surrogatepass")
    response = client.post("/api/v1/sync/push", data=data, content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", response.mimetype
    payload = response.get_json()
    if response.status_code >= 400:
        error = payload["error"]
        assert error["code"] and error["message"], payload
    return response.status_code, payload


def stored_count(app, event_id: str) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Event).where(Event.id == event_id)
        return db.session.scalar(query)


@pytest.mark.slow
@WEB
@given(
    body=st.one_of(
        JSON,
        st.fixed_dictionaries({"device_id": JSON, "events": JSON}),
        st.fixed_dictionaries({"device_id": st.just("d"), "events": st.lists(JSON, max_size=4)}),
    )
)
def test_any_json_pushed_is_answered_in_json_never_a_5xx(database, pusher, body):
    status, payload = push_raw(pusher, body)
    if status == 200:
        assert len(payload["results"]) == len(body["events"])
        assert {r["status"] for r in payload["results"]} <= STATUSES


@pytest.mark.slow
@WEB
@given(body=mutated_bodies())
def test_valid_events_in_a_mutated_push_are_stored_exactly_once(app, database, pusher, body):
    status, first = push_raw(pusher, body)
    if status != 200:
        return
    again_status, again = push_raw(pusher, body)
    assert again_status == 200
    for raw, before, after in zip(body["events"], first["results"], again["results"], strict=True):
        assert before["status"] in STATUSES and before["id"] == after["id"]
        if before["status"] in ("accepted", "duplicate"):
            assert after["status"] == "duplicate" and after["seq"] == before["seq"]
            assert stored_count(app, str(uuid.UUID(str(raw["id"])))) == 1
        else:
            assert after["status"] == before["status"], (before, after)


def _refuse_constant(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


# A number as a client may write it: huge, tiny, with or without an exponent.
NUMBER_TEXT = st.from_regex(r"\A-?[0-9]{1,30}(\.[0-9]{1,5})?([eE][+-]?[0-9]{1,4})?\Z")


@settings(FAST, max_examples=300)
@given(
    JSON,
    st.lists(NUMBER_TEXT, max_size=3),
    st.sampled_from(["", "\ud800", "x\udfff"]),
    st.booleans(),
)
def test_the_push_bodys_fast_check_never_passes_what_the_walk_refuses(
    value, numbers, odd, raw_utf8
):
    """`_plainly_storable` skips the walk for most pushes: it may only do so when the walk
    would find nothing (a lone surrogate, a huge integer, infinity, deep nesting)."""
    from quizengine.api import _not_storable, _plainly_storable

    # A lone surrogate as a \\u escape, or as the UTF-8 bytes a careless client sends.
    raw = json.dumps({"v": value, "t": odd}, allow_nan=True, ensure_ascii=not raw_utf8)
    raw = raw.encode("utf-8", "surrogatepass")
    raw = raw[:-1] + b"".join(b', "n%d": %s' % (i, n.encode()) for i, n in enumerate(numbers))
    raw += b"}"
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)  # as `api._json_object`
    except (ValueError, RecursionError):
        return  # refused before either check runs (NaN and Infinity among them)
    if _plainly_storable(raw):
        assert _not_storable(body) is None
