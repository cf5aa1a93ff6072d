"""Taking in pushed events: store once, refuse bad ones by field, grade attempts on the server.

Each behaviour is checked through the service (`push_events`) and through
`POST /api/v1/sync/push`, since both paths must agree (CONTRACT.md).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

import question_bank as qb
from quizengine.accounts import create_user
from quizengine.content import lesson_index
from quizengine.extensions import db
from quizengine.ingest import push_events
from quizengine.models import Attempt, Event
from tests.helpers import PASSWORD, AuthActions, make_app
from tests.quizengine.history import DEVICE, NOW, answered, attempt, event, known_answer


def note(body: str = "remember the cross term", lesson_id: str | None = None) -> dict:
    return event("note.put", {"lesson_id": lesson_id or first_lesson(), "body": body})


def first_lesson() -> str:
    return next(iter(lesson_index()))


def replace(raw: dict, **changes: Any) -> dict:
    return {**raw, **changes}


def with_payload(raw: dict, **changes: Any) -> dict:
    return {**raw, "payload": {**raw["payload"], **changes}}


def client_graded() -> dict:
    payload = {"attempt_id": note()["id"], "correct": True, "score": 1.0, "status": "correct",
               "feedback": "", "tags": []}  # fmt: skip
    return event("attempt.graded", payload)


def skill_check(question_id: str) -> dict:
    return event(
        "skill_check",
        {"lesson_id": first_lesson(), "question_id": question_id, "choice": "A"},
    )


# (case, build the bad event, the field its error must name)
INVALID_EVENTS: list[tuple[str, Callable[[], Any], str]] = [
    ("not an object", lambda: "attempt", "event"),
    ("no payload", lambda: {k: v for k, v in note().items() if k != "payload"}, "payload"),
    ("bad uuid", lambda: replace(note(), id="not-a-uuid"), "id"),
    ("wrong v", lambda: replace(note(), v=2), "v"),
    ("unknown type", lambda: replace(note(), type="telemetry"), "type"),
    ("client-sent attempt.graded", client_graded, "type"),
    ("bad hlc", lambda: replace(note(), hlc="1764331200000-0-device-a"), "hlc"),
    ("hlc in Arabic-Indic digits", lambda: replace(note(), hlc="١٧٦٤٣٣١٢٠٠٠٠٠٠٠-0000-device-a"),
     "hlc"),
    ("naive created_at", lambda: replace(note(), created_at="2026-03-02T12:00:00"), "created_at"),
    ("unknown template", lambda: attempt("no_such_template", "1"), "payload.template_id"),
    ("level not in template", lambda: attempt("gradient", "1", level=9), "payload.level"),
    ("negative seed", lambda: attempt("gradient", "1", seed=-1), "payload.seed"),
    ("answer too long", lambda: attempt("gradient", "x" * 10_001), "payload.answer"),
    ("note of 8001 characters", lambda: note("n" * 8001), "payload.body"),
    ("unknown lesson", lambda: note(lesson_id="no-such-lesson"), "payload.lesson_id"),
    ("skill_check unknown question", lambda: skill_check("no-such"), "payload.question_id"),
]

SURROGATE_OUTSIDE = {"device_id": DEVICE, "events": [], "client_time": "\ud800"}
# (case, request body, the field the 400 names)
MALFORMED_BODIES: list[tuple[str, bytes, str]] = [
    ("not JSON", b"{not json", "body"),
    ("a list, not an object", b"[]", "body"),
    ("no device_id", json.dumps({"events": []}).encode(), "device_id"),
    ("empty device_id", json.dumps({"device_id": "", "events": []}).encode(), "device_id"),
    ("device_id not text", json.dumps({"device_id": 7, "events": []}).encode(), "device_id"),
    ("no events", json.dumps({"device_id": DEVICE}).encode(), "events"),
    ("events not a list", json.dumps({"device_id": DEVICE, "events": {}}).encode(), "events"),
    ("a surrogate outside the events", json.dumps(SURROGATE_OUTSIDE).encode(), "body"),
]

# (case, the bad note's payload, the field its error must name): what a browser can send but
# nothing can store. The push stores everything else in it.
UNSTORABLE_PAYLOADS: list[tuple[str, dict, str]] = [
    ("lone high surrogate", {"body": "det H < 0 \ud83d"}, "payload.body"),
    ("lone low surrogate", {"body": "\udc00 then text"}, "payload.body"),
    ("surrogate in a key", {"body": "ok", "x\udfff": 1}, "payload.x\\udfff"),
    ("integer past 2^53", {"body": "ok", "extra": [2**60]}, "payload.extra.0"),
]

GRADED_KEYS = {"attempt_id", "correct", "score", "status", "feedback", "tags"}


class Pusher:
    """Push events for one learner, through the service or the HTTP endpoint."""

    def __init__(self, app, client, user_id: int, via: str):
        self.app, self.client, self.user_id, self.via = app, client, user_id, via

    def __call__(self, events: list, device: str = DEVICE) -> list[dict]:
        if self.via == "api":
            response = self.client.post(
                "/api/v1/sync/push", json={"device_id": device, "events": events}
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.json["server_time"].endswith("Z")
            return response.json["results"]
        with self.app.app_context():
            results = push_events(db.session, self.user_id, device, events, NOW)
            return [result.to_dict() for result in results]

    def events(self, kind: str | None = None, owner: int | None = None) -> list[dict]:
        with self.app.app_context():
            query = select(Event).where(Event.owner_id == (owner or self.user_id))
            if kind:
                query = query.where(Event.type == kind)
            rows = db.session.scalars(query.order_by(Event.seq))
            return [{"id": r.id, "type": r.type, "seq": r.seq, "payload": r.payload,
                     "received_at": r.received_at} for r in rows]  # fmt: skip

    def attempts(self) -> list[dict]:
        with self.app.app_context():
            rows = db.session.scalars(select(Attempt).where(Attempt.user_id == self.user_id))
            return [{"id": r.event_id, "status": r.status, "answer": r.answer} for r in rows]


@pytest.fixture(params=["service", "api"])
def pusher(request, app, client, cheap_passwords) -> Pusher:
    if request.param == "api":
        user_id = request.getfixturevalue("learner")
    else:
        with app.app_context():
            user_id = create_user("ada@example.org", PASSWORD).id
    return Pusher(app, client, user_id, request.param)


def test_accepted_events_get_increasing_seq_for_their_owner(pusher, app):
    first = pusher([note("one"), note("two"), note("three")])
    second = pusher([answered("gradient", "correct"), note("four")])
    assert [r["status"] for r in first + second] == ["accepted"] * 5
    assert all(r["error"] is None for r in first + second)
    seqs = [r["seq"] for r in first + second]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert seqs[:3] == [1, 2, 3]
    stored = pusher.events()
    assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
    with app.app_context():
        other = create_user("bob@example.org", PASSWORD).id
        [result] = push_events(db.session, other, DEVICE, [note("bob's")], NOW)
    assert result.seq == 1  # numbering is per owner


def test_same_id_and_payload_again_is_a_duplicate_and_changes_nothing(pusher):
    events = [note("keep"), answered("gradient", "wrong")]
    first = pusher(events)
    before = (pusher.events(), pusher.attempts())
    again = pusher(events)
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert [r["seq"] for r in again] == [r["seq"] for r in first]
    assert (pusher.events(), pusher.attempts()) == before


def test_same_id_other_payload_is_a_conflict_and_the_stored_event_is_untouched(pusher):
    wrong = answered("gradient", "wrong")
    pusher([wrong])
    before = (pusher.events(), pusher.attempts())
    _, right_answer = known_answer("gradient", 1, "correct", seed=wrong["payload"]["seed"])
    [result] = pusher([with_payload(wrong, answer=right_answer)])
    assert result["status"] == "conflict"
    assert (pusher.events(), pusher.attempts()) == before
    assert pusher.attempts()[0]["status"] == "incorrect"


@pytest.mark.parametrize(
    ("build", "field"),
    [pytest.param(build, field, id=case) for case, build, field in INVALID_EVENTS],
)
def test_an_invalid_event_is_refused_by_field_and_the_rest_of_the_push_is_stored(
    pusher, build, field
):
    good_note, bad, good_attempt = note(), build(), answered("gradient", "correct")
    results = pusher([good_note, bad, good_attempt])
    assert [r["status"] for r in results] == ["accepted", "invalid", "accepted"]
    assert results[1]["seq"] is None
    assert results[1]["error"].startswith(field), results[1]["error"]
    stored_ids = {e["id"] for e in pusher.events()}
    assert {good_note["id"], good_attempt["id"]} <= stored_ids
    if isinstance(bad, dict):
        assert bad.get("id") not in stored_ids
    assert not pusher.events("telemetry")
    assert [a["id"] for a in pusher.attempts()] == [good_attempt["id"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [pytest.param(payload, field, id=case) for case, payload, field in UNSTORABLE_PAYLOADS],
)
@pytest.mark.parametrize("utf8", [False, True], ids=["escaped", "raw UTF-8"])
def test_an_unstorable_value_refuses_its_event_alone_and_the_rest_is_stored(
    app, client, learner, payload, field, utf8
):
    good = [answered("gradient", "correct"), note("kept")]
    bad = note()
    bad["payload"].update(payload)
    body = {"device_id": DEVICE, "events": [good[0], bad, good[1]]}
    # A lone surrogate as a \\u escape (JSON.stringify), or as the UTF-8 bytes a careless
    # client sends.
    data = json.dumps(body, ensure_ascii=not utf8).encode("utf-8", "surrogatepass")
    response = client.post("/api/v1/sync/push", data=data, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.json["results"]
    assert [r["status"] for r in results] == ["accepted", "invalid", "accepted"]
    assert results[1]["id"] == bad["id"] and results[1]["error"].startswith(field + ":")
    pusher = Pusher(app, client, learner, "api")
    stored = [e["id"] for e in pusher.events() if e["type"] != "attempt.graded"]
    assert stored == [good[0]["id"], good[1]["id"]]


def test_an_id_that_is_not_text_is_not_sent_back(client, learner):
    # The answer must stay JSON every client can read: an unpaired surrogate is not text.
    bad = {**note(), "id": "\ud800"}
    body = json.dumps({"device_id": DEVICE, "events": [bad, note("kept")]}).encode()
    response = client.post("/api/v1/sync/push", data=body, content_type="application/json")
    assert response.status_code == 200
    first, second = response.json["results"]
    assert (first["id"], first["status"], first["error"].split(":")[0]) == (None, "invalid", "id")
    assert second["status"] == "accepted" and b"\\ud800" not in response.get_data()


def test_a_client_sent_verdict_is_ignored_and_the_server_grades(pusher):
    lying = answered("gradient", "wrong", correct=True, status="correct", score=1.0)
    [result] = pusher([lying])
    assert result["status"] == "accepted"
    [graded] = pusher.events("attempt.graded")
    assert graded["payload"]["status"] == "incorrect"
    assert graded["payload"]["correct"] is False
    assert graded["payload"]["score"] == 0
    assert pusher.attempts()[0]["status"] == "incorrect"


def test_every_accepted_attempt_gets_exactly_one_graded_event(pusher):
    seed, wrong_answer = known_answer("gradient", 1, "wrong")
    events = [
        answered("gradient", "correct"),
        attempt("gradient", wrong_answer, seed=seed),
        answered("gradient", "invalid"),
        note(),
    ]
    pusher(events)
    pusher(events)  # duplicates: no second grading
    graded = {e["payload"]["attempt_id"]: e for e in pusher.events("attempt.graded")}
    assert len(pusher.events("attempt.graded")) == 3
    assert set(graded) == {e["id"] for e in events[:3]}
    for raw in events[:3]:
        payload = graded[raw["id"]]["payload"]
        assert GRADED_KEYS <= set(payload)
        p = raw["payload"]
        verdict = qb.generate(p["template_id"], p["seed"], p["level"]).check(p["answer"])
        assert payload["status"] == verdict.status
        assert payload["correct"] is verdict.correct
        assert payload["score"] == pytest.approx(verdict.score)
        assert payload["feedback"] == verdict.feedback
        assert payload["tags"] == list(verdict.tags)
    wrong_tags = graded[events[1]["id"]]["payload"]["tags"]
    assert wrong_tags, "a recognised mistake is tagged"


def test_owner_fields_in_the_body_are_ignored(app, client, learner):
    with app.app_context():
        other = create_user("bob@example.org", PASSWORD).id
    raw = {**note("mine"), "owner_id": other, "owner": other}
    response = client.post(
        "/api/v1/sync/push",
        json={"device_id": DEVICE, "owner_id": other, "owner": other, "events": [raw]},
    )
    assert response.status_code == 200
    assert response.json["results"][0]["status"] == "accepted"
    pusher = Pusher(app, client, learner, "api")
    assert [e["id"] for e in pusher.events()] == [raw["id"]]
    assert pusher.events(owner=other) == []


def test_a_push_meant_for_another_account_than_the_signed_in_one_stores_nothing(
    app, client, learner
):
    # A shared computer: the client sends Bob's outbox, but Ada signed in meanwhile.
    with app.app_context():
        bob = create_user("bob@example.org", PASSWORD).id
    pushed = note("Bob's private note")
    refused = client.post("/api/v1/sync/push", json={"device_id": DEVICE, "events": [pushed]},
                          headers={"X-Quizengine-Owner": str(bob)})  # fmt: skip
    assert refused.status_code == 409 and refused.json["error"]["code"] == "another_user"
    pusher = Pusher(app, client, learner, "api")
    assert pusher.events() == [] and pusher.events(owner=bob) == []
    mine = client.post("/api/v1/sync/push", json={"device_id": DEVICE, "events": [note()]},
                       headers={"X-Quizengine-Owner": str(learner)})  # fmt: skip
    assert mine.status_code == 200 and mine.json["results"][0]["status"] == "accepted"


@pytest.mark.parametrize("path", ["/api/v1/sync/pull", "/api/v1/pack"])
def test_a_pull_or_pack_meant_for_another_account_gets_nothing(app, client, learner, path):
    # Bob's device asks while Ada is signed in (or nobody is): Ada's data must not be
    # filed under Bob on that device.
    client.post("/api/v1/sync/push", json={"device_id": DEVICE, "events": [note("Ada's")]})
    refused = client.get(path, headers={"X-Quizengine-Owner": str(learner + 1)})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "another_user"
    assert client.get(path, headers={"X-Quizengine-Owner": str(learner)}).status_code == 200
    client.post("/logout")
    gone = client.get(path, headers={"X-Quizengine-Owner": str(learner)})
    assert gone.status_code == (409 if path.endswith("pack") else 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/sync/push"), ("get", "/api/v1/queue")],
)
def test_not_signed_in_is_a_json_401_not_a_redirect(client, method, path):
    response = getattr(client, method)(path, json={"device_id": DEVICE, "events": [note()]})
    assert response.status_code == 401
    assert "Location" not in response.headers
    assert response.is_json and response.json["error"]["code"]


@pytest.mark.parametrize(
    ("body", "field"),
    [pytest.param(body, field, id=case) for case, body, field in MALFORMED_BODIES],
)
def test_a_malformed_body_is_a_400_naming_the_field(client, learner, body, field):
    response = client.post(
        "/api/v1/sync/push", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.is_json
    assert response.json["error"]["field"] == field
    assert response.json["error"]["message"]


def test_two_hundred_events_are_accepted(app, client, learner):
    response = client.post(
        "/api/v1/sync/push",
        json={"device_id": DEVICE, "events": [note(f"n{i}") for i in range(200)]},
    )
    assert response.status_code == 200
    assert {r["status"] for r in response.json["results"]} == {"accepted"}


@pytest.mark.parametrize(
    "events",
    [
        pytest.param(lambda: [note(f"n{i}") for i in range(201)], id="201 events"),
        pytest.param(
            lambda: [answered("gradient", "correct") | {"pad": "p" * 5000} for _ in range(60)],
            id="over 256 KiB",
        ),
    ],
)
def test_an_oversized_push_is_a_413_and_stores_nothing(app, client, learner, events):
    body = {"device_id": DEVICE, "events": events()}
    response = client.post("/api/v1/sync/push", json=body)
    assert response.status_code == 413
    assert response.is_json and response.json["error"]["field"] in ("events", "body")
    pusher = Pusher(app, client, learner, "api")
    assert pusher.events() == [] and pusher.attempts() == []


def test_with_csrf_on_a_push_needs_the_token_from_the_csrf_endpoint(tmp_path, cheap_passwords):
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    try:
        client = app.test_client()
        assert AuthActions(client).signup().status_code == 302
        body = {"device_id": DEVICE, "events": [note()]}
        refused = client.post("/api/v1/sync/push", json=body)
        assert refused.status_code == 400 and refused.is_json
        token = client.get("/api/v1/csrf").json["csrf_token"]
        response = client.post("/api/v1/sync/push", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 200
        assert response.json["results"][0]["status"] == "accepted"
    finally:
        with app.app_context():
            db.engine.dispose()


def test_two_first_pushes_from_one_new_device_at_once_both_succeed(app, learner_id):
    """Two tabs of one browser share a device id: its first row is written once."""
    solution = qb.generate("gradient", 1, 1).solution
    outcomes, failures = [], []
    for round_ in range(5):
        barrier = threading.Barrier(2)

        def push(device: str = f"new-{round_}", barrier=barrier) -> None:
            events = [attempt("gradient", solution) for _ in range(2)]
            with app.app_context():
                barrier.wait()
                try:
                    outcomes.append([r.status for r in push_events(
                        db.session, learner_id, device, events, NOW)])  # fmt: skip
                except Exception as error:  # the test reports it, whatever it is
                    db.session.rollback()
                    failures.append(repr(error))

        threads = [threading.Thread(target=push) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert failures == []
    assert outcomes == [["accepted", "accepted"]] * 10
