"""Whose data is whose: events are pulled only by their owner, a push stores under the
signed-in person whatever the body claims, and nobody's attempts or notes show up in
another person's API responses, pages or export.

The route-by-route access matrix (status codes for every route, as four kinds
of visitor) is `test_access.py`; this module checks the content behind it.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from quizengine.extensions import db
from quizengine.models import Attempt, Event, Note, User
from tests.quizengine.history import attempt, event, push
from tests.quizengine.security import rules_with, sign_in
from tests.quizengine.teaching import person
from tests.quizengine.test_access import request_for, world

NOTE = "ADA-PRIVATE-NOTE-5e1f"
ANSWER = "adaprivateanswer"  # unreadable, so stored as typed and graded invalid
OWNER_FIELDS = ("user_id", "owner", "owner_id", "user", "email")


@pytest.fixture
def site(app, cheap_passwords):
    """The access-matrix world, plus a private note and a telltale answer of Ada's."""
    with app.app_context():
        found = world()
        ada = found["values"]["student_id"]
        lesson = found["values"]["lesson_id"]
        push(db.session, ada, [event("note.put", {"lesson_id": lesson, "body": NOTE}),
                               attempt("gradient", ANSWER)])  # fmt: skip
        found["ada_events"] = set(db.session.scalars(select(Event.id).where(Event.owner_id == ada)))
        found["ada_rows"] = ada_rows(ada)
    return app, found


def ada_rows(ada: int) -> tuple:
    session = db.session
    session.expire_all()
    return (
        sorted((e.id, e.seq, e.type, repr(e.payload))
               for e in session.scalars(select(Event).where(Event.owner_id == ada))),
        sorted((a.event_id, a.answer, a.status) for a in session.scalars(
            select(Attempt).where(Attempt.user_id == ada))),
        sorted((n.lesson_id, n.body)
               for n in session.scalars(select(Note).where(Note.user_id == ada))),
    )  # fmt: skip


def pulled(client, query: str = "") -> list[dict]:
    """Page through the whole stream from the cursor in `query`."""
    events, after = [], None
    while True:
        cursor = "" if after is None else f"&after={after}"
        response = client.get(f"/api/v1/sync/pull?limit=2{query}{cursor}")
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        events += data["events"]
        after = data["next_after"]
        if not data["more"]:
            return events


def leaks(text: str, found: dict) -> list[str]:
    secrets = [NOTE, ANSWER, *found["ada_events"]]
    return [secret for secret in secrets if secret in text]


QUERIES = ["", "&after=0", "&after=1", "&after=2", "&user_id={ada}", "&owner={ada}",
           "&owner_id={ada}", "&student_id={ada}", "&user=ada@example.org"]  # fmt: skip
BAD_CURSORS = ["-1", "x", str(2**62 + 1), "1e3", "", "0x10", "1.5"]


def test_a_learner_pulls_only_their_own_events_whatever_the_query(site):
    app, found = site
    bob = sign_in(app, "bob@example.org")
    mine = event("note.put", {"lesson_id": found["values"]["lesson_id"], "body": "bob's"})
    response = bob.post("/api/v1/sync/push", json={"device_id": "bob", "events": [mine]})
    assert response.status_code == 200
    for query in QUERIES:
        events = pulled(bob, query.format(ada=found["values"]["student_id"]))
        assert {e["id"] for e in events} <= {mine["id"]}, query
        assert leaks(repr(events), found) == [], query
    for after in BAD_CURSORS:
        response = bob.get(f"/api/v1/sync/pull?after={after}")
        assert response.status_code == 400 or response.get_json()["events"] == [], after
        if response.status_code == 400:
            assert response.get_json()["error"]["field"] == "after"
        assert leaks(response.get_data(as_text=True), found) == [], after


def test_nobody_signed_in_gets_401_json_from_pull_and_push(site):
    app, found = site
    client = sign_in(app, None)
    for response in (
        client.get("/api/v1/sync/pull?after=0"),
        client.post("/api/v1/sync/push", json={"device_id": "d", "events": []}),
    ):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    with app.app_context():
        assert ada_rows(found["values"]["student_id"]) == found["ada_rows"]


@pytest.mark.parametrize("where", ["body", "event", "payload"])
def test_a_push_naming_another_owner_stores_under_the_session_user_only(site, where):
    app, found = site
    ada, lesson = found["values"]["student_id"], found["values"]["lesson_id"]
    claims = {name: ada for name in OWNER_FIELDS} | {"email": "ada@example.org"}
    note = event("note.put", {"lesson_id": lesson, "body": "written by bob"})
    answer = attempt("gradient", "(1, 2)", seed=5)
    for raw in (note, answer):
        (raw if where == "event" else raw["payload"] if where == "payload" else {}).update(claims)
    body = {"device_id": "bob", "events": [note, answer]}
    if where == "body":
        body.update(claims)
    bob = sign_in(app, "bob@example.org")
    results = bob.post("/api/v1/sync/push", json=body).get_json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    with app.app_context():
        bob_id = db.session.scalar(select(User.id).where(User.email == "bob@example.org"))
        owners = db.session.scalars(select(Event.owner_id).where(
            Event.id.in_([note["id"], answer["id"]]))).all()  # fmt: skip
        assert owners == [bob_id, bob_id]
        assert db.session.get(Note, (bob_id, lesson)).body == "written by bob"
        assert db.session.get(Attempt, (bob_id, answer["id"])) is not None
        assert ada_rows(ada) == found["ada_rows"]
    ada_client = sign_in(app, "ada@example.org")
    assert "written by bob" not in repr(pulled(ada_client))


def test_reusing_another_owners_event_id_neither_leaks_nor_touches_it(site):
    app, found = site
    bob = sign_in(app, "bob@example.org")
    lesson = found["values"]["lesson_id"]
    events = [event("note.put", {"lesson_id": lesson, "body": "bob's"}, event_id=taken)
              for taken in sorted(found["ada_events"])]  # fmt: skip
    results = bob.post("/api/v1/sync/push", json={"device_id": "b", "events": events}).get_json()
    # "duplicate" or "conflict" here would tell Bob that Ada has an event with this id.
    assert {r["status"] for r in results["results"]} == {"accepted"}
    with app.app_context():
        assert ada_rows(found["values"]["student_id"]) == found["ada_rows"]


@pytest.mark.parametrize("email", ["owner@example.org", "other@example.org"])
def test_a_teacher_cannot_pull_a_students_events(site, email):
    app, found = site
    teacher = sign_in(app, email)
    ada = found["values"]["student_id"]
    for query in ("", f"&user_id={ada}", f"&student_id={ada}", f"&owner_id={ada}"):
        assert pulled(teacher, query) == []


@pytest.mark.parametrize("email", ["bob@example.org", "other@example.org", "owner@example.org"])
def test_no_one_else_sees_adas_notes_or_answers_in_any_api_response_page_or_export(site, email):
    app, found = site
    client = sign_in(app, email)
    adapter = app.url_map.bind("localhost")
    seen = []
    for rule, _ in rules_with(app, {"GET"}):
        if email.startswith("owner") and rule.rule.startswith("/teach/"):
            continue  # Ada's teacher grades her assigned answers; notes: test_access.py
        path, _ = request_for(adapter, rule, "GET", found)
        response = client.get(path)
        seen += [f"{path}: {secret}" for secret in leaks(response.get_data(as_text=True), found)]
        response.close()
    assert seen == []


def test_ada_herself_sees_the_markers_so_the_search_above_can_find_them(site):
    app, found = site
    ada = sign_in(app, "ada@example.org")
    export = ada.get("/account/export").get_data(as_text=True)
    assert set(leaks(export, found)) == {NOTE, ANSWER, *found["ada_events"]}
    assert set(leaks(repr(pulled(ada)), found)) == {NOTE, ANSWER, *found["ada_events"]}


def test_an_attempt_for_someone_elses_class_stays_out_of_its_gradebook(site):
    app, found = site
    with app.app_context():
        person("carol@example.org", name="Carol-Outsider")
    carol = sign_in(app, "carol@example.org")
    spoof = attempt("gradient", "(1, 2)", seed=1, assignment_id=found["values"]["assignment_id"])
    spoof["id"] = str(uuid.uuid4())
    response = carol.post("/api/v1/sync/push", json={"device_id": "c", "events": [spoof]})
    assert response.get_json()["results"][0]["status"] == "accepted"
    teacher = sign_in(app, "owner@example.org")
    for path in (
        f"/teach/assignments/{found['values']['assignment_id']}",
        f"/teach/assignments/{found['values']['assignment_id']}/gradebook.csv",
    ):
        assert "Carol-Outsider" not in teacher.get(path).get_data(as_text=True), path
