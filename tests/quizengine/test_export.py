"""A learner's data export holds all of their own data, and nobody else's."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import question_bank as qb
from question_bank.lessons import load_lessons
from quizengine import classes, rulings
from quizengine.export import export_data
from quizengine.models import Attempt
from quizengine.queue import build_queue
from tests.quizengine.history import DEVICE, NOW, attempt, event, push
from tests.quizengine.teaching import assign, make_class, make_set, person

DUE = NOW + timedelta(days=1)
DECIDED = DUE + timedelta(hours=6)


def skill_check(lesson, question) -> dict:
    return event("skill_check", {"lesson_id": lesson.id, "question_id": question.id,
                                 "choice": question.answer})  # fmt: skip


@pytest.fixture
def taught(db_session, cheap_passwords):
    """Ada in Period 3 with Ben, and removed from an older class; her answer to assigned
    work, made before the due date and received after it, ruled and accepted; a Skill
    Check answered by both."""
    teacher = person("t@example.org", "teacher", name="Ms Teacher")
    ada, ben = person("ada@example.org", name="Ada"), person("ben@example.org", name="Ben")
    period3 = make_class(db_session, teacher, ada, ben, name="Period 3")
    old = make_class(db_session, teacher, ada, name="Old class")
    classes.remove_student(db_session, old, ada.id, NOW + timedelta(hours=1))
    assignment = assign(db_session, make_set(db_session, teacher, items=(("gradient", 1, 1),)),
                        period3, due=DUE)  # fmt: skip
    [item] = [i for i in build_queue(db_session, ada.id, NOW) if i.reason == "assigned"]
    answer = qb.generate(item.template_id, item.seed, item.level).solution
    push(db_session, ada.id, [attempt(item.template_id, answer, DUE - timedelta(hours=1),
                                      seed=item.seed, assignment_id=assignment.id)],
         now=DUE + timedelta(hours=5))  # fmt: skip
    row = db_session.scalar(select(Attempt).where(Attempt.user_id == ada.id))
    row.status = "undecided"
    scoped = rulings.teacher_attempt(db_session, teacher.id, ada.id, row.event_id)
    rulings.rule(db_session, teacher.id, scoped, "correct", DECIDED)
    rulings.accept_late(db_session, teacher.id, scoped, DECIDED)
    lesson = load_lessons()[0]
    question = lesson.skill_check[0]
    push(db_session, ada.id, [skill_check(lesson, question)])
    push(db_session, ben.id, [skill_check(lesson, question)], device="bens-phone")
    db_session.commit()
    return SimpleNamespace(ada=ada, attempt_id=row.event_id, assignment_id=assignment.id,
                           teacher=teacher, period3=period3)  # fmt: skip


def test_the_export_holds_classes_skill_checks_devices_and_decisions_and_only_hers(
    db_session, taught
):
    data = export_data(db_session, taught.ada, NOW)
    assert data["classes"] == [
        {"name": "Period 3", "joined_at": NOW.isoformat(), "removed_at": None},
        {"name": "Old class", "joined_at": NOW.isoformat(),
         "removed_at": (NOW + timedelta(hours=1)).isoformat()},
    ]  # fmt: skip
    lesson = load_lessons()[0]
    [answered] = data["skill_check_answers"]
    assert (answered["lesson_id"], answered["question_id"], answered["correct"]) == (
        lesson.id, lesson.skill_check[0].id, True)  # fmt: skip
    assert [d["device_id"] for d in data["devices"]] == [DEVICE]
    assert data["late_acceptances"] == [{"attempt_id": taught.attempt_id,
                                         "assignment_id": taught.assignment_id,
                                         "accepted_at": DECIDED.isoformat()}]  # fmt: skip
    ruled = next(e for e in data["events"] if e["type"] == "attempt.ruled")
    assert data["rulings"] == [{"attempt_id": taught.attempt_id, "status": "correct",
                                "event_id": ruled["id"], "ruled_at": DECIDED.isoformat()}]
    # nothing of the classmate, the teacher or the class beyond its name
    text = json.dumps(data)
    for other in ("ben@example.org", "bens-phone", "t@example.org", "Ms Teacher",
                  taught.period3.join_code):  # fmt: skip
        assert other not in text
