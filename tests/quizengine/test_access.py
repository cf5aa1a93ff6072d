"""Who may reach what: every route in `app.url_map`, as four people, against a table.

The people: nobody signed in, a learner in the class, the teacher who owns
the class (and its set, assignment and answers), and another teacher. A
route missing from the table fails the test, so a new route must say who may
reach it. Teacher pages send nobody to sign in, refuse learners (403) and
answer 404 for anything outside the teacher's own classes.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

import question_bank as qb
from quizengine.assignments import open_problems
from quizengine.auth_session import AUTH_TIME_KEY
from quizengine.content import lesson_index
from quizengine.extensions import db
from quizengine.models import Attempt, User
from tests.quizengine.history import NOW, attempt, push
from tests.quizengine.teaching import assign, make_class, make_set, person

ROLES = ("anonymous", "learner", "owner", "other")
EMAILS = {"learner": "ada@example.org", "owner": "owner@example.org", "other": "other@example.org"}
LOGIN = "login"  # a redirect to the sign-in page
CLIENT_ERROR = 400

# (rule, method): expected status as (anonymous, learner, owning teacher, other teacher)
ACCESS = {
    ("/", "GET"): (200, 200, 200, 200),
    ("/account", "GET"): (LOGIN, 200, 200, 200),
    ("/account/email", "GET"): (LOGIN, 200, 200, 200),  # a fresh sign-in (see test_sessions)
    ("/account/email", "POST"): (LOGIN, 400, 400, 400),
    ("/account/email/confirm/<token>", "GET"): (400, 400, 400, 400),  # the link is the key
    ("/account/email/confirm/<token>", "POST"): (400, 400, 400, 400),
    ("/account/export", "GET"): (LOGIN, 200, 200, 200),
    ("/account/password", "GET"): (LOGIN, 200, 200, 200),
    ("/account/password", "POST"): (LOGIN, 400, 400, 400),
    ("/account/sessions/end", "POST"): (LOGIN, 302, 302, 302),
    ("/api/v1/csrf", "GET"): (200, 200, 200, 200),
    ("/api/v1/lessons", "GET"): (200, 200, 200, 200),
    ("/api/v1/me", "GET"): (200, 200, 200, 200),
    ("/api/v1/pack", "GET"): (200, 200, 200, 200),
    ("/api/v1/preview", "POST"): (400, 400, 400, 400),
    ("/api/v1/problems/<template_id>", "GET"): (200, 200, 200, 200),
    ("/api/v1/queue", "GET"): (401, 200, 200, 200),
    ("/api/v1/sync/pull", "GET"): (401, 200, 200, 200),
    ("/api/v1/sync/push", "POST"): (401, 400, 400, 400),
    ("/app", "GET"): (200, 200, 200, 200),
    ("/assets/<version>/<path:filename>", "GET"): (200, 200, 200, 200),
    ("/classes", "GET"): (LOGIN, 200, 200, 200),
    ("/classes/join", "POST"): (LOGIN, 302, 400, 400),
    ("/lessons/", "GET"): (LOGIN, 200, 200, 200),
    ("/lessons/<lesson_id>", "GET"): (LOGIN, 200, 200, 200),
    ("/lessons/<lesson_id>/check", "POST"): (LOGIN, 302, 302, 302),
    ("/lessons/<lesson_id>/note", "POST"): (LOGIN, 302, 302, 302),
    ("/healthz", "GET"): (503, 503, 503, 503),  # the test database is made by create_all
    ("/login", "GET"): (200, 200, 200, 200),
    ("/login", "POST"): (400, 400, 400, 400),
    ("/logout", "POST"): (302, 302, 302, 302),
    ("/manifest.webmanifest", "GET"): (200, 200, 200, 200),
    ("/practice/", "GET"): (LOGIN, 200, 200, 200),
    ("/reauthenticate", "GET"): (LOGIN, 200, 200, 200),
    ("/reauthenticate", "POST"): (LOGIN, 400, 400, 400),
    ("/reset", "GET"): (200, 200, 200, 200),
    ("/reset", "POST"): (400, 400, 400, 400),
    ("/reset/<token>", "GET"): (400, 400, 400, 400),
    ("/reset/<token>", "POST"): (400, 400, 400, 400),
    ("/reset/sent", "GET"): (200, 200, 200, 200),
    ("/practice/<template_id>", "GET"): (LOGIN, 200, 200, 200),
    ("/practice/answer", "POST"): (LOGIN, 400, 400, 400),
    ("/practice/figure/<template_id>/<int:seed>/<int:level>.svg", "GET"): (LOGIN, 404, 404, 404),
    ("/progress", "GET"): (LOGIN, 200, 200, 200),
    ("/settings", "GET"): (LOGIN, 200, 200, 200),
    ("/settings", "POST"): (LOGIN, 400, 400, 400),
    ("/signup", "GET"): (200, 302, 302, 302),
    ("/signup", "POST"): (400, 302, 302, 302),
    ("/signup/confirm/<token>", "GET"): (400, 400, 400, 400),
    ("/signup/confirm/<token>", "POST"): (400, 400, 400, 400),
    ("/signup/sent", "GET"): (200, 200, 200, 200),
    ("/static/<path:filename>", "GET"): (200, 200, 200, 200),
    ("/sw.js", "GET"): (200, 200, 200, 200),
    ("/teach/", "GET"): (LOGIN, 403, 200, 200),
    ("/teach/assignments/<int:assignment_id>", "GET"): (LOGIN, 403, 200, 404),
    ("/teach/assignments/<int:assignment_id>/dates", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/assignments/<int:assignment_id>/gradebook.csv", "GET"): (LOGIN, 403, 200, 404),
    ("/teach/assignments/<int:assignment_id>/items", "GET"): (LOGIN, 403, 200, 404),
    ("/teach/assignments/<int:assignment_id>/withdraw", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/assignments/<int:assignment_id>/students/<int:student_id>/problems/<int:index>",
     "GET"): (LOGIN, 403, 200, 404),
    ("/teach/attempts/<int:student_id>/<attempt_id>/accept", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/attempts/<int:student_id>/<attempt_id>/rule", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/classes", "POST"): (LOGIN, 403, 302, 302),
    ("/teach/classes/<int:class_id>", "GET"): (LOGIN, 403, 200, 404),
    ("/teach/classes/<int:class_id>/archive", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/classes/<int:class_id>/assign", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/classes/<int:class_id>/code", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/classes/<int:class_id>/rename", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/classes/<int:class_id>/students/<int:student_id>/remove", "POST"):
        (LOGIN, 403, 302, 404),
    ("/teach/preview", "GET"): (LOGIN, 403, 200, 200),
    ("/teach/sets", "GET"): (LOGIN, 403, 200, 200),
    ("/teach/sets/<int:set_id>", "GET"): (LOGIN, 403, 200, 404),
    ("/teach/sets/<int:set_id>/duplicate", "POST"): (LOGIN, 403, 302, 404),
    ("/teach/sets/new", "GET"): (LOGIN, 403, 200, 200),
    ("/teach/sets/new", "POST"): (LOGIN, 403, 400, 400),
    ("/teach/undecided", "GET"): (LOGIN, 403, 200, 200),
}  # fmt: skip


def world() -> dict:
    """Make the people and the owner's class, set, assignment and answers; return ids."""
    owner = person("owner@example.org", "teacher", "Owner")
    other = person("other@example.org", "teacher", "Other")
    ada = person("ada@example.org", name="Ada")
    bob = person("bob@example.org", name="Bob")
    session = db.session
    classroom = make_class(session, owner, ada, bob)
    problem_set = make_set(session, owner, items=(("gradient", 1, 2),))
    due = NOW + timedelta(days=1)
    assignment = assign(session, problem_set, classroom, due=due)
    first, second = open_problems(session, ada.id, NOW)
    for item, when, received in ((first, NOW, NOW), (second, NOW, due + timedelta(hours=1))):
        problem = qb.generate(item.problem.template_id, item.seed, item.problem.level)
        push(session, ada.id, [attempt(problem.template_id, problem.solution, when,
                                       seed=item.seed, assignment_id=assignment.id)],
             now=received)  # fmt: skip
    on_time, late = sorted(session.scalars(select(Attempt)), key=lambda a: a.received_at)
    on_time.status = "undecided"
    session.commit()
    return {
        "tokens": {"learner": ada.session_token, "owner": owner.session_token,
                   "other": other.session_token},
        "values": {"class_id": classroom.id, "student_id": ada.id, "assignment_id": assignment.id,
                   "set_id": problem_set.id, "index": 0, "template_id": "gradient", "seed": 1,
                   "level": 1, "lesson_id": next(iter(lesson_index())),
                   "filename": "css/app.css", "token": "not-a-valid-token",
                   "version": "0123456789ab"},
        "undecided": on_time.event_id, "late": late.event_id, "bob": bob.id,
        "code": classroom.join_code,
    }  # fmt: skip


def request_for(adapter, rule, method: str, found: dict) -> tuple[str, dict]:
    values = dict(found["values"])
    if rule.endpoint == "teach.remove_student":
        values["student_id"] = found["bob"]
    if rule.endpoint == "teach.rule":
        values["attempt_id"] = found["undecided"]
    if rule.endpoint == "teach.accept_late":
        values["attempt_id"] = found["late"]
    arguments = {name: values[name] for name in rule.arguments}
    path = adapter.build(rule.endpoint, arguments, method=method)
    data = {
        "teach.rule": {"status": "correct"},
        "teach.archive_class": {"action": "unarchive"},
        "teach.withdraw": {"action": "restore"},  # the world's assignment stays open
        "teach.rename_class": {"name": "Period 1"},
        "teach.join_code": {"action": "rotate"},
        "teach.create_class": {"name": "Period 2"},
        "teach.assign": {"set_id": found["values"]["set_id"], "opens_at": "2026-03-01T09:00",
                         "due_at": "2026-03-09T09:00"},
        # the dates the world already has: the late answer must stay late for accept_late
        "teach.change_dates": {"opens_at": "2026-03-01T12:00", "due_at": "2026-03-03T12:00"},
        "learner_classes.join": {"code": found["code"]},
        "lessons.save_note": {"body": "a note"},
    }.get(rule.endpoint, {})  # fmt: skip
    query = {"api.problem": "?seed=1", "teach.preview": "?template_id=hessian&level=1"}
    return path + query.get(rule.endpoint, ""), data


def browser_id(app, client) -> str:
    """Flask-Login's fingerprint of this client (address and user agent) for its session."""
    with app.test_request_context(environ_base=client.environ_base):
        return app.login_manager._session_identifier_generator()


def restore_session_tokens(found: dict) -> None:
    """Undo "sign out everywhere", so the next routes are asked as the same people."""
    for role, token in found["tokens"].items():
        user = db.session.scalar(select(User).where(User.email == EMAILS[role]))
        user.session_token = token
    db.session.commit()


def rules_and_methods(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_table(app):
    found = rules_and_methods(app)
    assert sorted(found - set(ACCESS)) == [], "routes missing from the access table"
    assert sorted(set(ACCESS) - found) == [], "the table lists routes that do not exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_person_as_the_table_says(app, cheap_passwords, role):
    with app.app_context():
        found = world()
    rules = {(r.rule, m): r for r in app.url_map.iter_rules() for m in r.methods}
    column = ROLES.index(role)
    adapter = app.url_map.bind("localhost")
    wrong = []
    for (path_rule, method), expected in sorted(ACCESS.items()):
        rule = rules[(path_rule, method)]
        path, data = request_for(adapter, rule, method, found)
        client = app.test_client()
        if role != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = found["tokens"][role]
                session["_fresh"] = True
                session[AUTH_TIME_KEY] = int(time.time())  # signed in with the password now
                session["_id"] = browser_id(app, client)  # else Flask-Login drops freshness
        response = client.open(path, method=method, data=data)
        response.close()
        if rule.endpoint == "account.end_sessions":
            with app.app_context():
                restore_session_tokens(found)
        wanted = expected[column]
        got = response.status_code
        if wanted == LOGIN:
            ok = got == 302 and "/login" in response.headers.get("Location", "")
        else:
            ok = got == wanted
        if not ok:
            wrong.append(f"{method} {path}: expected {wanted}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_no_teacher_page_shows_a_students_notes(app, cheap_passwords):
    with app.app_context():
        found = world()
        ada = db.session.get(User, found["values"]["student_id"])
        lesson = found["values"]["lesson_id"]
        from tests.quizengine.history import event

        push(db.session, ada.id, [event("note.put", {"lesson_id": lesson,
                                                     "body": "PRIVATE-NOTE-TEXT"})])  # fmt: skip
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = found["tokens"]["owner"]
    seen = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/teach") or "GET" not in rule.methods:
            continue
        path, _ = request_for(app.url_map.bind("localhost"), rule, "GET", found)
        response = client.get(path)
        seen.append(response.get_data(as_text=True))
        response.close()
    assert len(seen) >= 8 and not any("PRIVATE-NOTE-TEXT" in page for page in seen)
