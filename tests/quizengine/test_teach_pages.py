"""The teacher's pages: a refused form is shown again with what the teacher typed; an
assignment's dates can be changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

import question_bank as qb
from quizengine import classes, problem_sets
from quizengine.extensions import db
from quizengine.models import Classroom, ProblemSet
from quizengine.queue import build_queue
from tests.quizengine.history import NOW, attempt, push
from tests.quizengine.teaching import assign, make_class, make_set, person

# Due before it opens: assign_set refuses it, naming the due time.
BACKWARDS = {"opens_at": "2026-09-10T09:00", "due_at": "2026-09-01T17:30"}


@pytest.fixture
def two_sets(app, auth, cheap_passwords):
    """A teacher (signed in) with two classes and two sets; return (class ids, set ids)."""
    with app.app_context():
        teacher = person("t@example.org", "teacher")
        sets = [make_set(db.session, teacher, title=t).id for t in ("Set One", "Set Two")]
        classes = [make_class(db.session, teacher, name=n).id for n in ("Period 1", "Period 2")]
        db.session.commit()
    auth.login(email="t@example.org")
    return classes, sets


def _value(page: str, field_id: str) -> str:
    return re.search(rf'id="{field_id}"[^>]*value="([^"]*)"', page).group(1)


def test_a_refused_assignment_keeps_the_chosen_set_and_dates(client, two_sets):
    (first, _), (_, second_set) = two_sets
    response = client.post(f"/teach/classes/{first}/assign",
                           data={"set_id": str(second_set), **BACKWARDS})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'<option value="{second_set}" selected>Set Two', page)
    assert _value(page, "opens_at") == BACKWARDS["opens_at"]
    assert _value(page, "due_at") == BACKWARDS["due_at"]
    assert 'id="due_at-error">The due time must be after the opening time.' in page
    assert "Nothing assigned yet." in page


def test_a_refused_assignment_from_the_set_page_stays_there(client, two_sets):
    (first, second), (set_id, _) = two_sets
    response = client.post(f"/teach/classes/{second}/assign",
                           data={"set_id": str(set_id), "from": "set", **BACKWARDS})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Assign to a class" in page  # the set's page, not the class's
    # Only the form of the class it was sent for keeps the values and shows the error.
    assert _value(page, f"due_at-{second}") == BACKWARDS["due_at"]
    assert _value(page, f"due_at-{first}") != BACKWARDS["due_at"]
    assert f'id="due_at-{second}-error"' in page and f'id="due_at-{first}-error"' not in page


def test_an_accepted_assignment_goes_to_the_class_page(client, two_sets):
    (first, _), (set_id, _) = two_sets
    forwards = {"opens_at": "2026-09-01T09:00", "due_at": "2026-09-10T17:30"}
    data = {"set_id": str(set_id), **forwards}
    response = client.post(f"/teach/classes/{first}/assign", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{first}")
    assert "Set One" in client.get(f"/teach/classes/{first}").get_data(as_text=True)


@pytest.fixture
def late_for_ada(app, auth, cheap_passwords):
    """Ada answers right two hours after the due date; the teacher is signed in. Return
    the assignment's id."""
    with app.app_context():
        teacher, ada = person("t@example.org", "teacher"), person("ada@example.org", name="Ada")
        due = NOW + timedelta(days=1)
        problem_set = make_set(db.session, teacher, items=(("gradient", 1, 1),))
        assignment = assign(db.session, problem_set, make_class(db.session, teacher, ada), due=due)
        [item] = [i for i in build_queue(db.session, ada.id, NOW) if i.reason == "assigned"]
        problem = qb.generate(item.template_id, item.seed, item.level)
        late = due + timedelta(hours=2)
        push(db.session, ada.id, [attempt(item.template_id, problem.solution, late, seed=item.seed,
                                          assignment_id=assignment.id)], now=late)  # fmt: skip
        assignment_id = assignment.id
    auth.login(email="t@example.org")
    return assignment_id


def test_extending_the_due_date_puts_a_late_answer_on_time(client, late_for_ada):
    path = f"/teach/assignments/{late_for_ada}"
    assert 'class="cell cell-late"' in client.get(path).get_data(as_text=True)
    extended = {"opens_at": "2026-02-01T09:00", "due_at": "2026-03-05T09:00"}  # NOW + 3 days
    response = client.post(f"{path}/dates", data=extended)
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    page = client.get(path).get_data(as_text=True)
    assert "Dates changed: now due 2026-03-05 09:00 (UTC)." in page
    assert 'class="cell cell-correct"' in page and "due 2026-03-05 09:00" in page


def test_refused_dates_keep_what_the_teacher_typed(client, late_for_ada):
    path = f"/teach/assignments/{late_for_ada}"
    response = client.post(f"{path}/dates", data=BACKWARDS)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _value(page, "due_at") == BACKWARDS["due_at"]
    assert "The due time must be after the opening time." in page
    assert 'class="cell cell-late"' in client.get(path).get_data(as_text=True)  # unchanged


def test_a_withdrawn_assignment_leaves_the_students_queue_and_can_come_back(
    app, client, two_sets
):
    (first, _), (set_id, _) = two_sets
    now = datetime.now(UTC)
    with app.app_context():
        ada = person("ada@example.org", name="Ada")
        classroom = db.session.get(Classroom, first)
        assignment_id = assign(db.session, db.session.get(ProblemSet, set_id), classroom,
                               opens=now - timedelta(days=1), due=now + timedelta(days=1)).id
        classes.join_class(db.session, ada, classroom.join_code, now)
        db.session.commit()
        ada_id = ada.id

    def ada_sees() -> tuple[bool, bool]:
        with app.app_context():
            queue = build_queue(db.session, ada_id, now)
            listed = classes.learner_classes(db.session, ada_id, now)[0].assignments
        return any(i.assignment_id == assignment_id for i in queue), bool(listed)

    assert ada_sees() == (True, True)
    path = f"/teach/assignments/{assignment_id}"
    assert client.post(f"{path}/withdraw").status_code == 302
    assert ada_sees() == (False, False)
    with app.app_context():
        teacher_id = db.session.get(Classroom, first).teacher_id
        [summary] = [s for s in problem_sets.teacher_sets(db.session, teacher_id)
                     if s.problem_set.id == set_id]  # fmt: skip
        assert summary.assigned == 0  # the sets page counts it no more than the class does
    page = client.get(path).get_data(as_text=True)
    assert "students do not see it" in page and "Restore the assignment" in page
    assert 'withdrawn</span>' in client.get(f"/teach/classes/{first}").get_data(as_text=True)
    client.post(f"{path}/withdraw", data={"action": "restore"})
    assert ada_sees() == (True, True)


@pytest.mark.parametrize("page", ["class", "set"])
def test_assigning_to_a_class_archived_meanwhile_says_so(app, client, two_sets, page):
    (first, _), (set_id, _) = two_sets
    with app.app_context():
        classes.archive_class(db.session.get(Classroom, first), datetime.now(UTC))
        db.session.commit()
    data = {"set_id": str(set_id), "opens_at": "2026-09-01T09:00", "due_at": "2026-09-10T09:00"}
    if page == "set":
        data["from"] = "set"
    response = client.post(f"/teach/classes/{first}/assign", data=data, follow_redirects=True)
    assert "That class is archived." in response.get_data(as_text=True)
