"""Hostile math over HTTP: the grader's hostile corpus (tests/question_bank/test_hostile.py)
through the practice form, the sync push and the preview, as a signed-in learner.

Every answer gets a 2xx or 4xx with a clear message, never a 5xx or a
traceback; an answer that arrives is stored and graded (never correct), and
what is echoed back cannot run as script. Afterwards the server is healthy and
grades an ordinary right answer as right.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from flask_migrate import stamp
from sqlalchemy import select

import question_bank as qb
from quizengine.extensions import db
from quizengine.models import Attempt, User
from tests.question_bank.test_hostile import ALLOWED_VALID, HUGE, INJECTION, ODD
from tests.quizengine.history import attempt
from tests.quizengine.security import inline_script, sign_in
from tests.quizengine.teaching import person

pytestmark = pytest.mark.slow
EMAIL = "hostile@example.org"
# Markup and template syntax: harmless to the grader, dangerous if echoed unescaped.
MARKUP = [
    "<script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</pre><svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}{% raw %}",
]
GROUPS = {"injection": INJECTION, "huge": HUGE, "odd": ODD, "markup": MARKUP}
GRADED = {"invalid", "incorrect", "undecided"}  # hostile text is never "correct"
UNREAD = {"invalid", "undecided"}  # ... and, outside ALLOWED_VALID, never even read
TOO_LARGE = 413  # MAX_CONTENT_LENGTH (1 MiB), the push's 256 KiB, the preview's 64 KiB
# Not JSON text: an unpaired surrogate. The API refuses the whole body (400, field "body").
NOT_TEXT = {"\ud800"}
@pytest.fixture
def learner(app, cheap_passwords):
    with app.app_context():
        person(EMAIL)
        stamp()  # create_all made the newest schema; say so, so /healthz can answer 200
    return sign_in(app, EMAIL)


def stored(app, event_id: str) -> Attempt | None:
    with app.app_context():
        user = db.session.scalar(select(User.id).where(User.email == EMAIL))
        found = db.session.get(Attempt, (user, event_id))
        db.session.expunge_all()
        return found


def common_problems(response, label: str) -> list[str]:
    text = response.get_data(as_text=True)
    problems = []
    if response.status_code >= 500:
        problems.append(f"{label}: {response.status_code}")
    if "Traceback" in text or 'File "' in text:
        problems.append(f"{label}: a traceback in the body")
    if response.mimetype == "text/html":
        problems += [f"{label}: {p}" for p in inline_script(text)]
    elif response.status_code >= 400 and not (response.get_json(silent=True) or {}).get("error"):
        problems.append(f"{label}: {response.status_code} without the JSON error envelope")
    return problems


def verdict_problems(app, event_id: str, answer: str, label: str) -> list[str]:
    found = stored(app, event_id)
    if found is None:
        return [f"{label}: the attempt was not stored"]
    allowed = GRADED if answer in ALLOWED_VALID or answer in MARKUP else UNREAD
    return [] if found.status in allowed else [f"{label}: graded {found.status}"]


def answer_by_form(client, answer: str, *, template_id="gradient", seed=1):
    event_id = str(uuid.uuid4())
    fields = {"template_id": template_id, "seed": seed, "level": 1, "event_id": event_id,
              "started_ms": 0, "reason": "chosen", "answer": answer}  # fmt: skip
    # A lone surrogate goes as the (invalid UTF-8) bytes a careless client would send.
    body = urlencode(fields, errors="surrogatepass")
    response = client.post("/practice/answer", data=body,
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    return event_id, response


def answer_by_push(client, answer: str, *, template_id="hessian", seed=1):
    raw = attempt(template_id, answer, seed=seed)
    response = client.post("/api/v1/sync/push", json={"device_id": "fuzz", "events": [raw]})
    return raw["id"], response


def refused_as_not_text(response, answer: str) -> bool:
    error = (response.get_json(silent=True) or {}).get("error") or {}
    return answer in NOT_TEXT and response.status_code == 400 and error.get("field") == "body"


def label_of(answer: str) -> str:
    return repr(answer[:40]) + (f"... ({len(answer)} chars)" if len(answer) > 40 else "")


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_answers_through_the_practice_form(app, database, learner, group):
    wrong = []
    for answer in GROUPS[group]:
        label = label_of(answer)
        event_id, response = answer_by_form(learner, answer)
        wrong += common_problems(response, label)
        if response.status_code == TOO_LARGE:
            wrong += [f"{label}: refused as too large, yet stored"] if stored(app, event_id) else []
        elif "\x00" in answer:  # no keyboard types NUL: the whole form is refused, clearly
            refused = response.status_code == 400 and b"NUL" in response.data
            wrong += [] if refused and not stored(app, event_id) else [f"{label}: not refused"]
        elif response.status_code not in (200, 400):
            wrong.append(f"{label}: status {response.status_code}")
        else:
            wrong += verdict_problems(app, event_id, answer, label)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_answers_through_the_sync_push(app, database, learner, group):
    wrong = []
    for answer in GROUPS[group]:
        label = label_of(answer)
        event_id, response = answer_by_push(learner, answer)
        wrong += common_problems(response, label)
        if response.status_code == TOO_LARGE or refused_as_not_text(response, answer):
            wrong += [f"{label}: refused, yet stored"] if stored(app, event_id) else []
            continue
        if response.status_code != 200:
            wrong.append(f"{label}: status {response.status_code}")
            continue
        [result] = response.get_json()["results"]
        if result["status"] == "invalid":  # too long for an answer: named, and not stored
            if "payload.answer" not in (result["error"] or "") or stored(app, event_id):
                wrong.append(f"{label}: refused without naming the answer, or stored")
        elif result["status"] != "accepted":
            wrong.append(f"{label}: {result}")
        else:
            wrong += verdict_problems(app, event_id, answer, label)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_answers_through_the_preview(learner, group):
    wrong = []
    for answer in GROUPS[group]:
        label = label_of(answer)
        body = {"template_id": "hessian", "seed": 1, "level": 1, "answer": answer}
        response = learner.post("/api/v1/preview", json=body)
        wrong += common_problems(response, label)
        if refused_as_not_text(response, answer):
            continue
        if response.status_code == 200:
            data = response.get_json()
            if data["status"] not in ("ok", "invalid", "empty", "undecided"):
                wrong.append(f"{label}: preview status {data['status']}")
            if data["status"] == "invalid" and not data.get("error"):
                wrong.append(f"{label}: invalid without a message")
            wrong += [f"{label}: {p}" for p in inline_script(data.get("preview_html") or "")]
        elif response.status_code != TOO_LARGE:
            wrong.append(f"{label}: status {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_after_the_whole_corpus_the_server_is_healthy_and_grades_right_answers(app, learner):
    for answers in GROUPS.values():
        for answer in answers:  # the known bugs too: a 500 must not leave the server broken
            answer_by_form(learner, answer)[1].close()
            answer_by_push(learner, answer)[1].close()
    health = learner.get("/healthz")
    assert health.status_code == 200, health.get_json()
    gradient, hessian = qb.generate("gradient", 7, 1), qb.generate("hessian", 7, 1)
    event_id, response = answer_by_form(learner, gradient.solution, seed=7)
    assert response.status_code == 200 and stored(app, event_id).status == "correct"
    event_id, response = answer_by_push(learner, hessian.solution, seed=7)
    assert response.get_json()["results"][0]["status"] == "accepted"
    assert stored(app, event_id).status == "correct"
    preview = learner.post(
        "/api/v1/preview",
        json={"template_id": "hessian", "seed": 7, "level": 1, "answer": hessian.solution},
    )
    assert preview.get_json()["status"] == "ok"


# JSON that Python's parser reads but nothing downstream can hold: stack-deep nesting,
# NaN and Infinity (not JSON), unpaired surrogates (not text), integers past 2^53.
HOSTILE_JSON = [
    b"[" * 5000,
    b'{"device_id": "d", "events": ' + b"[" * 900 + b"]" * 900 + b"}",
    b'{"device_id": "d", "events": [], "x": NaN}',
    b'{"device_id": "d", "events": [-Infinity]}',
    b'{"device_id": "d", "events": ["\\ud800"]}',
    b'{"device_id": "d", "events": ["\xed\xa0\x80"]}',
    b'{"device_id": "d", "events": [], "n": 1180591620717411303424}',
    # A number past the largest double parses as infinity, and comes back as Infinity.
    b'{"device_id": "d", "events": [{"payload": {"extra": 1e400}}]}',
    b'{"device_id": "d", "events": [], "n": -2E+999}',
]


@pytest.mark.parametrize("path", ["/api/v1/sync/push", "/api/v1/preview"])
def test_json_that_python_reads_but_storage_cannot_hold_is_a_clear_400(learner, path):
    for body in HOSTILE_JSON:
        response = learner.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, body[:60]
        error = response.get_json()["error"]
        assert error["code"] == "invalid_json" and error["field"] == "body" and error["message"]
