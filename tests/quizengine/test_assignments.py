"""Assigned work: it feeds the practice queue by due date, and lateness follows the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import question_bank as qb
from quizengine import assignments
from quizengine.extensions import db
from quizengine.models import Attempt
from quizengine.queue import build_queue
from quizengine.teaching_errors import TeachingError
from tests.quizengine.history import NOW, attempt, card, days, push
from tests.quizengine.teaching import assign, assigned_answer, make_class, make_set, person


@pytest.fixture
def setup(db_session, cheap_passwords):
    teacher = person("t@example.org", "teacher")
    ada = person("ada@example.org")
    classroom = make_class(db_session, teacher, ada)
    return teacher, ada, classroom


def assigned(session, user_id, now=NOW):
    return [i for i in build_queue(session, user_id, now, limit=50) if i.reason == "assigned"]


def answer(session, user_id, item, kind, when=NOW, received=NOW):
    problem = qb.generate(item.template_id, item.seed, item.level)
    event = attempt(item.template_id, assigned_answer(problem, kind), when, seed=item.seed,
                    level=item.level, assignment_id=item.assignment_id)  # fmt: skip
    push(session, user_id, [event], now=received)


def test_assigned_problems_enter_the_queue_by_due_date(db_session, setup):
    teacher, ada, classroom = setup
    late_set = make_set(db_session, teacher, items=(("gradient", 1, 1),), title="Later")
    soon_set = make_set(db_session, teacher, items=(("hessian", 1, 1),), title="Sooner")
    later = assign(db_session, late_set, classroom, due=NOW + days(5))
    sooner = assign(db_session, soon_set, classroom, due=NOW + days(1))
    assign(db_session, make_set(db_session, teacher, items=(("newton_step", 1, 1),)),
           classroom, opens=NOW + days(1), due=NOW + days(3))  # fmt: skip
    items = assigned(db_session, ada.id)
    assert [(i.template_id, i.assignment_id) for i in items] == [
        ("hessian", sooner.id), ("gradient", later.id),
    ]  # fmt: skip
    queue = build_queue(db_session, ada.id, NOW, limit=50)
    assert queue[0].reason == "assigned"  # nothing due yet: assigned work leads
    assert queue[0].to_dict()["assignment_id"] == sooner.id


def test_answering_right_finishes_a_problem_and_counts_as_a_review(db_session, setup):
    teacher, ada, classroom = setup
    assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 2),)), classroom)
    first = assigned(db_session, ada.id)[0]
    answer(db_session, ada.id, first, "correct")
    assert card(db_session, ada.id, "gradient").reviews == 1
    [second] = assigned(db_session, ada.id, NOW + timedelta(minutes=1))
    assert second.seed != first.seed
    answer(db_session, ada.id, second, "correct", NOW + timedelta(minutes=1))
    assert assigned(db_session, ada.id, NOW + timedelta(minutes=2)) == []


def test_attempts_allowed_end_a_problem(db_session, setup):
    teacher, ada, classroom = setup
    problem_set = make_set(db_session, teacher, items=(("gradient", 1, 1),), attempts_allowed=2)
    assign(db_session, problem_set, classroom)
    for n in range(2):
        [item] = assigned(db_session, ada.id, NOW + timedelta(hours=n))
        when = NOW + timedelta(hours=n)
        answer(db_session, ada.id, item, "wrong", when, when)
    assert assigned(db_session, ada.id, NOW + timedelta(hours=3)) == []


def test_removed_students_and_archived_classes_get_no_assigned_work(db_session, setup):
    teacher, ada, classroom = setup
    assign(db_session, make_set(db_session, teacher), classroom)
    assert assigned(db_session, ada.id)
    classroom.archived_at = NOW
    assert assigned(db_session, ada.id) == []


# (case, answered before due?, received before due?, expected timing)
TIMINGS = [
    ("on time", True, True, "on_time"),
    ("offline, synced late", True, False, "offline_late"),
    ("answered late", False, False, "late"),
]


@pytest.mark.parametrize(("case", "answered", "received", "expected"), TIMINGS,
                         ids=[t[0] for t in TIMINGS])  # fmt: skip
def test_lateness_is_decided_by_the_server_receive_time(db_session, setup, case, answered,
                                                        received, expected):  # fmt: skip
    teacher, ada, classroom = setup
    due = NOW + days(1)
    assignment = assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)),
                        classroom, due=due)  # fmt: skip
    [item] = assigned(db_session, ada.id)
    when = due - timedelta(hours=1) if answered else due + timedelta(hours=1)
    arrival = due - timedelta(minutes=30) if received else due + timedelta(hours=2)
    answer(db_session, ada.id, item, "correct", when=when, received=arrival)
    row = db_session.scalar(select(Attempt).where(Attempt.user_id == ada.id))
    assert assignments.timing(row, assignment.due_at) == expected
    result = assignments.summarize([row], attempts_allowed=None, due_at=due)
    assert result.status == ("correct" if expected == "on_time" else expected)
    assert result.score == (1.0 if expected == "on_time" else 0.0)
    if expected == "offline_late":
        accepted = assignments.summarize([row], attempts_allowed=None, due_at=due,
                                         accepted={(row.user_id, row.event_id)})  # fmt: skip
        assert (accepted.status, accepted.score) == ("correct", 1.0)


def test_a_device_clock_cannot_make_an_answer_on_time(db_session, setup):
    teacher, ada, classroom = setup
    due = NOW + days(1)
    assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)), classroom,
           due=due)  # fmt: skip
    [item] = assigned(db_session, ada.id)
    # the device claims an early time but the server receives it a day after the due date
    answer(db_session, ada.id, item, "correct", when=due - days(3), received=due + days(1))
    row = db_session.scalar(select(Attempt).where(Attempt.user_id == ada.id))
    assert assignments.timing(row, due) == "offline_late"  # the teacher decides, not the clock


def test_times_are_entered_in_the_teachers_zone_and_stored_utc(db_session, setup):
    teacher, _, classroom = setup
    opens = assignments.parse_local("2026-03-02T09:00", "America/New_York", "opens_at")
    assert opens.isoformat() == "2026-03-02T14:00:00+00:00"
    assert assignments.to_local(opens, "America/New_York") == "2026-03-02T09:00"
    with pytest.raises(TeachingError):
        assignments.parse_local("tomorrow", "UTC", "due_at")
    with pytest.raises(TeachingError):
        assignments.assign_set(db_session, make_set(db_session, teacher), classroom, opens,
                               opens - days(1), NOW)  # fmt: skip


def test_the_practice_page_carries_the_assignment_through(app, client, auth, cheap_passwords):
    with app.app_context():
        teacher = person("t@example.org", "teacher")
        classroom = make_class(db.session, teacher)
        problem_set = make_set(db.session, teacher, items=(("gradient", 1, 1),),
                               solutions_after="due_date")  # fmt: skip
        now = datetime.now(UTC)
        assignment_id = assign(db.session, problem_set, classroom, opens=now - days(1),
                               due=now + days(1)).id  # fmt: skip
        code = classroom.join_code
    auth.signup()
    client.post("/classes/join", data={"code": code})
    page = client.get("/practice/").get_data(as_text=True)
    assert f'name="assignment_id" value="{assignment_id}"' in page
    assert "Assigned" in page
    from tests.quizengine.history import form_fields

    fields = form_fields(page)
    problem = qb.generate(fields["template_id"], int(fields["seed"]), int(fields["level"]))
    result = client.post("/practice/answer", data={**fields, "assignment_id": str(assignment_id),
                                                    "answer": problem.solution})  # fmt: skip
    body = result.get_data(as_text=True)
    assert "Correct" in body and "after the due date" in body and "Worked solution" not in body
    with app.app_context():
        stored = db.session.scalar(select(Attempt))
        assert stored.assignment_id == assignment_id


def test_a_due_skill_serves_its_assigned_variant_in_the_review_slot(db_session, setup):
    teacher, ada, classroom = setup
    practised = SimpleNamespace(template_id="gradient", seed=5, level=1, assignment_id=None)
    answer(db_session, ada.id, practised, "correct", NOW - days(30), NOW - days(30))
    assert card(db_session, ada.id, "gradient").due < NOW  # a review is due now
    assignment = assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)),
                        classroom)  # fmt: skip
    queue = build_queue(db_session, ada.id, NOW, limit=50)
    gradient = [i for i in queue if i.template_id == "gradient"]
    assert len(gradient) == 1 and gradient[0].assignment_id == assignment.id
    assert queue.index(gradient[0]) == 0  # it stands where the review stood


def test_an_assigned_variant_hides_its_solution_until_due_however_it_is_reached(
    app, db_session, setup
):
    teacher, ada, classroom = setup
    problem_set = make_set(db_session, teacher, items=(("gradient", 1, 1),),
                           solutions_after="due_date")  # fmt: skip
    assign(db_session, problem_set, classroom, due=NOW + days(2))
    [item] = assigned(db_session, ada.id)
    assert assignments.hides_variant(db_session, ada.id, "gradient", item.seed, NOW)
    assert not assignments.hides_variant(db_session, ada.id, "gradient", item.seed + 1, NOW)
    assert not assignments.hides_variant(db_session, ada.id, "gradient", item.seed,
                                         NOW + days(3))  # fmt: skip


def test_an_offline_pack_carries_assigned_work_once():
    from quizengine.packs import build_pack

    pack = build_pack([("gradient", 11, 1, "assigned", 42), ("hessian", 12, 1, "new", None)], 4)
    ids = [(p["template_id"], p["assignment_id"], p["reason"]) for p in pack["problems"]]
    assert ids == [("gradient", 42, "assigned"), ("hessian", None, "new"),
                   ("gradient", None, "practice"), ("hessian", None, "practice")]  # fmt: skip
    assert pack["problems"][0]["seed"] == 11 and pack["problems"][2]["seed"] != 11


def test_a_hidden_variants_figure_is_not_served_before_the_due_date(
    app, client, auth, cheap_passwords
):
    with app.app_context():
        teacher = person("fig-t@example.org", "teacher")
        problem_set = make_set(db.session, teacher, items=(("critical_points", 1, 1),),
                               solutions_after="due_date")  # fmt: skip
        classroom = make_class(db.session, teacher)
        code = classroom.join_code
    auth.signup(email="fig@example.org")
    client.post("/classes/join", data={"code": code})
    with app.app_context():
        learner = db.session.query(type(teacher)).filter_by(email="fig@example.org").one()
        assign(db.session, db.session.merge(problem_set), db.session.merge(classroom),
               due=datetime.now(UTC) + days(2))  # fmt: skip
        [item] = [i for i in build_queue(db.session, learner.id, datetime.now(UTC), limit=50)
                  if i.reason == "assigned"]  # fmt: skip
    url = f"/practice/figure/critical_points/{item.seed}/1.svg"
    assert client.get(url).status_code == 404
    assert client.get(f"/practice/figure/critical_points/{item.seed + 1}/1.svg").status_code == 200


@pytest.mark.parametrize(("due_in_days", "late"), [(1, False), (-1, True)])
def test_assigned_work_says_when_it_is_due_and_if_an_answer_now_is_late(
    app, client, auth, cheap_passwords, due_in_days, late
):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = now + days(due_in_days)
    with app.app_context():
        teacher = person("t@example.org", "teacher")
        classroom = make_class(db.session, teacher)
        problem_set = make_set(db.session, teacher, items=(("gradient", 1, 1),))
        assign(db.session, problem_set, classroom, opens=now - days(2), due=due)
        code = classroom.join_code
    auth.signup()
    client.post("/classes/join", data={"code": code})
    page = client.get("/practice/").get_data(as_text=True)
    assert "Assigned" in page
    shown = f"{due:%Y-%m-%d %H:%M} (UTC)"
    notice = f"This was due {shown}. An answer now reaches your teacher marked late."
    assert (notice in page) == late
    assert (f"Due {shown}." in page) == (not late)
    # The offline app says the same from its pack: the deadline rides with assigned work.
    pack = client.get("/api/v1/pack?size=3").get_json()["problems"]
    assert pack[0]["reason"] == "assigned"
    assert pack[0]["due"] == due.isoformat().replace("+00:00", "Z")
    assert all(p["due"] is None for p in pack if p["assignment_id"] is None)
