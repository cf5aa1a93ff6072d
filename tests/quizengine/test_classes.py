"""Classes and join codes: create, rename, archive, rotate, disable, join, remove, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from quizengine import classes
from quizengine.extensions import db
from quizengine.models import Enrollment
from quizengine.projections import settings_for
from quizengine.teaching_errors import TeachingError
from tests.helpers import at_once
from tests.quizengine.history import NOW
from tests.quizengine.teaching import assign, make_class, make_set, person


@pytest.fixture
def people(db_session, cheap_passwords):
    return (person("t@example.org", "teacher", "Turing"), person("ada@example.org"),
            person("bob@example.org"))  # fmt: skip


def test_join_codes_are_long_random_and_unambiguous():
    codes = {classes.new_join_code() for _ in range(200)}
    assert len(codes) == 200
    alphabet = set(classes.CODE_ALPHABET)
    assert all(len(c) == classes.CODE_LENGTH and set(c) <= alphabet for c in codes)
    assert not set("01OIL") & set(classes.CODE_ALPHABET)


def test_a_learner_joins_with_the_code_typed_loosely(db_session, people):
    teacher, ada, _ = people
    classroom = make_class(db_session, teacher)
    typed = " " + classroom.join_code.lower()[:5] + "-" + classroom.join_code.lower()[5:]
    assert classes.join_class(db_session, ada, typed, NOW).id == classroom.id
    assert [u.id for u, _ in classes.class_students(db_session, classroom.id)] == [ada.id]
    # joining twice is harmless
    classes.join_class(db_session, ada, classroom.join_code, NOW)
    assert len(classes.class_students(db_session, classroom.id)) == 1


def test_rotation_retires_the_old_code_and_disabling_stops_joining(db_session, people):
    teacher, ada, bob = people
    classroom = make_class(db_session, teacher)
    old = classroom.join_code
    new = classes.rotate_code(classroom)
    assert new != old
    with pytest.raises(TeachingError):
        classes.join_class(db_session, ada, old, NOW)
    classes.join_class(db_session, ada, new, NOW)
    classes.disable_code(classroom)
    with pytest.raises(TeachingError):
        classes.join_class(db_session, bob, new, NOW)


def test_archiving_closes_the_class(db_session, people):
    teacher, ada, _ = people
    classroom = make_class(db_session, teacher)
    code = classroom.join_code
    classes.archive_class(classroom, NOW)
    assert classroom.join_code is None
    with pytest.raises(TeachingError):
        classes.join_class(db_session, ada, code, NOW)
    with pytest.raises(TeachingError):
        classes.rotate_code(classroom)


def test_teachers_do_not_join_and_names_are_checked(db_session, people):
    teacher, _, _ = people
    other = person("o@example.org", "teacher")
    classroom = make_class(db_session, teacher)
    with pytest.raises(TeachingError):
        classes.join_class(db_session, other, classroom.join_code, NOW)
    with pytest.raises(TeachingError):
        classes.create_class(db_session, teacher.id, "   ", NOW)
    with pytest.raises(TeachingError):
        classes.rename_class(classroom, "x" * 121)


def test_removing_a_student_and_scoping_by_teacher(db_session, people):
    teacher, ada, bob = people
    other = person("o@example.org", "teacher")
    classroom = make_class(db_session, teacher, ada, bob)
    assert classes.teacher_class(db_session, other.id, classroom.id) is None
    assert classes.teacher_student(db_session, other.id, ada.id) is None
    assert classes.teacher_student(db_session, teacher.id, ada.id).id == ada.id
    assert classes.remove_student(db_session, classroom, ada.id, NOW) is not None
    assert classes.teacher_student(db_session, teacher.id, ada.id) is None
    assert [u.id for u, _ in classes.class_students(db_session, classroom.id)] == [bob.id]
    assert classes.learner_classes(db_session, ada.id, NOW) == []


def test_a_learner_sees_classes_and_open_assignments(db_session, people):
    teacher, ada, _ = people
    classroom = make_class(db_session, teacher, ada)
    assign(db_session, make_set(db_session, teacher), classroom)
    later = make_set(db_session, teacher, title="Not yet")
    assign(db_session, later, classroom, opens=NOW + timedelta(days=1), due=NOW + timedelta(days=3))
    [found] = classes.learner_classes(db_session, ada.id, NOW)
    assert found.teacher_name == "Turing"
    assert [a.problem_set.title for a in found.assignments] == ["Hessians and step sizes"]
    summary = classes.teacher_classes(db_session, teacher.id)
    assert [(s.students, s.assignments) for s in summary] == [(1, 2)]


def test_join_page_round_trip(app, client, auth, cheap_passwords):
    with app.app_context():
        teacher = person("t@example.org", "teacher")
        code = make_class(db.session, teacher, name="Optimisation 101").join_code
    auth.signup()
    response = client.post("/classes/join", data={"code": "WRONGCODE2"})
    assert response.status_code == 400
    assert "matches no open class" in response.get_data(as_text=True)
    response = client.post("/classes/join", data={"code": code}, follow_redirects=True)
    assert "You joined Optimisation 101" in response.get_data(as_text=True)


def test_joining_twice_at_once_joins_once(app, client, auth, cheap_passwords):
    with app.app_context():
        code = make_class(db.session, person("t@example.org", "teacher")).join_code
    auth.signup()
    statuses = at_once(app, client, [("POST", "/classes/join", {"code": code})] * 3)
    assert statuses == [302, 302, 302]  # a double tap on a phone: every tap lands
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 1


def test_a_learner_sees_a_deadline_as_a_time_in_their_zone(app, client, auth, cheap_passwords):
    # 01:00 UTC is 02:00 or 03:00 in Paris: before a 04:00 day start, so a "learner day"
    # would show the day before, and the date alone hides the time that matters.
    due = (datetime.now(UTC) + timedelta(days=10)).replace(hour=1, minute=0, second=0,
                                                            microsecond=0)  # fmt: skip
    with app.app_context():
        teacher = person("t@example.org", "teacher")
        ada = person("ada@example.org")
        settings = settings_for(db.session, ada.id)
        settings.timezone, settings.day_start_hour = "Europe/Paris", 4
        classroom = make_class(db.session, teacher, ada)
        assign(db.session, make_set(db.session, teacher), classroom,
               opens=datetime.now(UTC) - timedelta(days=1), due=due)  # fmt: skip
    auth.login()
    page = client.get("/classes").get_data(as_text=True)
    assert f"due {due.astimezone(ZoneInfo('Europe/Paris')):%Y-%m-%d %H:%M} (Europe/Paris)" in page
