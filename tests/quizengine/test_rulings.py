"""Teachers rule undecided answers: an event in the student's stream; score and card follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import question_bank as qb
from quizengine import assignments, gradebook, rulings
from quizengine.models import Attempt, Event, LateAcceptance, Ruling
from quizengine.projections import attempts_by_template
from quizengine.queue import build_queue
from quizengine.teaching_errors import TeachingError
from tests.helpers import at_once
from tests.quizengine.history import NOW, attempt, card, event, push
from tests.quizengine.teaching import assign, make_class, make_set, person


@pytest.fixture
def waiting(db_session, cheap_passwords):
    """Ada's answer to an assigned problem that the grader (here, by hand) could not decide."""
    teacher = person("t@example.org", "teacher")
    ada = person("ada@example.org", name="Ada")
    classroom = make_class(db_session, teacher, ada)
    assignment = assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)),
                        classroom)  # fmt: skip
    [item] = [i for i in build_queue(db_session, ada.id, NOW) if i.reason == "assigned"]
    problem = qb.generate(item.template_id, item.seed, item.level)
    push(db_session, ada.id, [attempt(item.template_id, problem.solution, seed=item.seed,
                                      assignment_id=assignment.id)])  # fmt: skip
    row = db_session.scalar(select(Attempt).where(Attempt.user_id == ada.id))
    row.status, row.score = "undecided", 0.0
    rulings._replay(db_session, ada.id, row.template_id)
    db_session.commit()
    assert card(db_session, ada.id, "gradient").reviews == 0  # undecided says nothing yet
    return teacher, ada, assignment, row.event_id


def test_a_ruling_is_an_event_in_the_students_stream(db_session, waiting):
    teacher, ada, assignment, attempt_id = waiting
    assert [a.event_id for a, *_ in rulings.undecided(db_session, teacher.id)] == [attempt_id]
    scoped = rulings.teacher_attempt(db_session, teacher.id, ada.id, attempt_id)
    rulings.rule(db_session, teacher.id, scoped, "correct", NOW + timedelta(hours=1))
    db_session.commit()
    ruled = db_session.scalar(select(Event).where(Event.type == "attempt.ruled"))
    assert ruled.owner_id == ada.id and ruled.device_id == f"teacher-{teacher.id}"
    assert ruled.payload == {"attempt_id": attempt_id, "status": "correct",
                             "teacher_id": teacher.id}  # fmt: skip
    assert ruled.seq == ada.last_event_seq
    stored = db_session.get(Attempt, (ada.id, attempt_id))
    assert (stored.status, stored.score) == ("correct", 1.0)
    assert card(db_session, ada.id, "gradient").reviews == 1  # the schedule follows
    assert rulings.undecided(db_session, teacher.id) == []
    scoped_assignment = assignments.teacher_assignment(db_session, teacher.id, assignment.id)
    [row] = gradebook.gradebook(db_session, scoped_assignment).rows
    assert row.cells[0].status == "correct" and row.total == 1.0


def test_a_ruling_can_be_changed_and_a_rebuild_reapplies_it(db_session, waiting):
    teacher, ada, _, attempt_id = waiting
    scoped = rulings.teacher_attempt(db_session, teacher.id, ada.id, attempt_id)
    rulings.rule(db_session, teacher.id, scoped, "correct", NOW)
    rulings.rule(db_session, teacher.id, scoped, "incorrect", NOW + timedelta(minutes=1))
    db_session.commit()
    assert db_session.get(Ruling, (ada.id, attempt_id)).status == "incorrect"
    # a rebuild re-grades from `attempt` events (undecided here), then re-applies rulings
    row = db_session.get(Attempt, (ada.id, attempt_id))
    row.status = "undecided"
    assert rulings.apply_rulings(db_session, ada.id) == 2
    assert row.status == "incorrect" and row.score == 0.0
    [graded] = attempts_by_template(db_session, ada.id, "gradient")["gradient"]
    assert graded.outcome.status == "incorrect"


def test_rulings_are_scoped_and_checked(db_session, waiting):
    teacher, ada, _, attempt_id = waiting
    other = person("o@example.org", "teacher")
    assert rulings.teacher_attempt(db_session, other.id, ada.id, attempt_id) is None
    assert rulings.undecided(db_session, other.id) == []
    scoped = rulings.teacher_attempt(db_session, teacher.id, ada.id, attempt_id)
    with pytest.raises(TeachingError):
        rulings.rule(db_session, teacher.id, scoped, "maybe", NOW)


def test_clients_cannot_push_a_ruling(db_session, waiting):
    teacher, ada, _, attempt_id = waiting
    forged = event("attempt.ruled", {"attempt_id": attempt_id, "status": "correct",
                                     "teacher_id": teacher.id})  # fmt: skip
    [result] = push(db_session, ada.id, [forged])
    assert result.status == "invalid"
    assert db_session.get(Attempt, (ada.id, attempt_id)).status == "undecided"


@pytest.fixture
def late_answer(db_session, cheap_passwords):
    """Ada answers right an hour before the due date, offline; it arrives five hours late.
    Return (Ada, the assignment, the attempt's id); the teacher is t@example.org."""
    teacher = person("t@example.org", "teacher")
    ada = person("ada@example.org", name="Ada")
    due = NOW + timedelta(days=1)
    assignment = assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)),
                        make_class(db_session, teacher, ada), due=due)  # fmt: skip
    [item] = [i for i in build_queue(db_session, ada.id, NOW) if i.reason == "assigned"]
    problem = qb.generate(item.template_id, item.seed, item.level)
    push(db_session, ada.id, [attempt(item.template_id, problem.solution, due - timedelta(hours=1),
                                      seed=item.seed, assignment_id=assignment.id)],
         now=due + timedelta(hours=5))  # fmt: skip
    return ada, assignment, db_session.scalar(select(Attempt.event_id))


def test_rule_and_accept_pages(client, auth, late_answer):
    ada, assignment, attempt_id = late_answer
    auth.login(email="t@example.org")
    drill = f"/teach/assignments/{assignment.id}/students/{ada.id}/problems/0"
    page = client.get(drill).get_data(as_text=True)
    assert "answered offline, received late" in page and "Accept as on time" in page
    response = client.post(f"/teach/attempts/{ada.id}/{attempt_id}/accept", data={"next": drill})
    assert response.status_code == 302 and response.headers["Location"].endswith(drill)
    assert "late, accepted" in client.get(drill).get_data(as_text=True)
    # a correct answer is not undecided: ruling it is refused
    refused = client.post(f"/teach/attempts/{ada.id}/{attempt_id}/rule", data={"status": "correct"})
    assert refused.status_code == 303
    assert client.post(f"/teach/attempts/{ada.id}/nope/rule", data={}).status_code == 404


def test_accepting_twice_at_once_accepts_once(app, client, auth, db_session, late_answer):
    ada, _, attempt_id = late_answer
    db_session.commit()
    auth.login(email="t@example.org")
    accept = ("POST", f"/teach/attempts/{ada.id}/{attempt_id}/accept", {})
    assert at_once(app, client, [accept] * 3) == [302, 302, 302]
    assert db_session.scalar(select(func.count()).select_from(LateAcceptance)) == 1


def test_accepting_a_late_answer_counts_for_its_student_only(db_session, cheap_passwords):
    # Attempt ids come from devices: another learner can send the very same one.
    teacher = person("t@example.org", "teacher")
    ada, ben = person("ada@example.org", name="Ada"), person("ben@example.org", name="Ben")
    due = NOW + timedelta(days=1)
    assignment = assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)),
                        make_class(db_session, teacher, ada, ben), due=due)  # fmt: skip
    shared_id = None
    for student, answered_at in ((ada, due - timedelta(hours=1)), (ben, due + timedelta(hours=4))):
        [item] = [i for i in build_queue(db_session, student.id, NOW) if i.reason == "assigned"]
        problem = qb.generate(item.template_id, item.seed, item.level)
        sent = attempt(item.template_id, problem.solution, answered_at, seed=item.seed,
                       assignment_id=assignment.id)  # fmt: skip
        shared_id = shared_id or sent["id"]
        push(db_session, student.id, [{**sent, "id": shared_id}], now=due + timedelta(hours=5))
    scoped = rulings.teacher_attempt(db_session, teacher.id, ada.id, shared_id)
    rulings.accept_late(db_session, teacher.id, scoped, due + timedelta(hours=6))
    db_session.commit()
    scoped_assignment = assignments.teacher_assignment(db_session, teacher.id, assignment.id)
    book = gradebook.gradebook(db_session, scoped_assignment)
    cells = {row.student.name: row.cells[0] for row in book.rows}
    assert (cells["Ada"].status, cells["Ada"].score) == ("correct", 1.0)
    assert (cells["Ben"].status, cells["Ben"].score) == ("late", 0.0)
    drill = gradebook.drill_down(db_session, scoped_assignment, ben.id, 0)
    assert (drill.status, drill.score) == ("late", 0.0)


def test_a_refused_class_name_keeps_the_count_of_answers_to_rule(client, auth, waiting):
    auth.login(email="t@example.org")
    assert "Answers to rule (1)" in client.get("/teach/").get_data(as_text=True)
    refused = client.post("/teach/classes", data={"name": "   "})
    assert refused.status_code == 400
    assert "Answers to rule (1)" in refused.get_data(as_text=True)


def test_the_answers_to_rule_page_shows_the_problem_and_the_expected_answer(
    client, auth, db_session, waiting
):
    teacher, ada, assignment, attempt_id = waiting
    auth.login(email="t@example.org")
    page = client.get("/teach/undecided").get_data(as_text=True)
    row = db_session.get(Attempt, (ada.id, attempt_id))
    problem = qb.generate(row.template_id, row.seed, row.level)
    assert problem.prompt_html in page and "Expected:" in page
    assert f"<code>{row.answer}</code>" in page


def test_an_answer_tagged_with_an_assignment_it_does_not_answer_is_not_listed(
    db_session, waiting
):
    # Any device can put any assignment id on an answer: only answers to the set's own
    # problems wait for the teacher.
    teacher, ada, assignment, attempt_id = waiting
    stray = attempt("hessian", "[[1, 0], [0, 1]]", seed=7, assignment_id=assignment.id)
    push(db_session, ada.id, [stray])
    row = db_session.get(Attempt, (ada.id, stray["id"]))
    row.status = "undecided"
    db_session.commit()
    assert [a.event_id for a, *_ in rulings.undecided(db_session, teacher.id)] == [attempt_id]
    # Nor can it be ruled on (or accepted) by its id: the rule and accept pages find nothing.
    assert rulings.teacher_attempt(db_session, teacher.id, ada.id, stray["id"]) is None
    assert rulings.teacher_attempt(db_session, teacher.id, ada.id, attempt_id) is not None
