"""The gradebook: values, filters, sort, drill-down, item analysis, retention, CSV, query count."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import event, select

import question_bank as qb
from benchmarks.bench_gradebook import fill_gradebook
from quizengine import assignments, classes, gradebook
from quizengine.extensions import db
from quizengine.gradebook_csv import gradebook_csv, neutralise
from quizengine.models import Assignment, Enrollment, User
from quizengine.queue import build_queue
from tests.quizengine.history import NOW, attempt, days, push
from tests.quizengine.teaching import assign, assigned_answer, make_class, make_set, person

# (cell as typed, as written to the CSV)
CSV_CELLS = [
    ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tTAB", "'\tTAB"),
    ("\rCR", "'\rCR"),
    ("Ada Lovelace", "Ada Lovelace"),
    ("a=b", "a=b"),
    ("", ""),
]


@pytest.fixture
def book_setup(db_session, cheap_passwords):
    """Ada answers P1 right and P2 wrong; Bob answers P1 wrong twice; Cy does nothing."""
    teacher = person("t@example.org", "teacher")
    ada, bob = person("ada@example.org", name="Ada"), person("bob@example.org", name="Bob")
    cy = person("cy@example.org", name="=cmd|' /C calc'!A0")
    classroom = make_class(db_session, teacher, ada, bob, cy)
    problem_set = make_set(db_session, teacher, items=(("gradient", 1, 1), ("hessian", 1, 1)))
    assignment = assign(db_session, problem_set, classroom, due=NOW + days(1))
    for student, plan in ((ada, ["correct", "wrong"]), (bob, ["wrong", None])):
        items = [i for i in build_queue(db_session, student.id, NOW, limit=20)
                 if i.reason == "assigned"]  # fmt: skip
        for item, kind in zip(items, plan, strict=True):
            if kind is None:
                continue
            problem = qb.generate(item.template_id, item.seed, item.level)
            repeats = 2 if student is bob else 1
            for n in range(repeats):
                when = NOW + timedelta(minutes=n)
                push(db_session, student.id, [attempt(
                    item.template_id, assigned_answer(problem, kind), when, seed=item.seed,
                    assignment_id=item.assignment_id, duration_ms=30_000 * (n + 1),
                )], now=when)  # fmt: skip
    scoped = assignments.teacher_assignment(db_session, teacher.id, assignment.id)
    return scoped, ada, bob, cy


def test_cells_scores_and_totals(db_session, book_setup):
    scoped, ada, bob, cy = book_setup
    book = gradebook.gradebook(db_session, scoped)
    by_name = {row.student.name: row for row in book.rows}
    assert [c.status for c in by_name["Ada"].cells] == ["correct", "incorrect"]
    partial = by_name["Ada"].cells[1].score  # a wrong matrix may earn partial credit
    assert 0 <= partial < 1 and by_name["Ada"].total == 1.0 + partial
    assert [c.status for c in by_name["Bob"].cells] == ["incorrect", "not_started"]
    assert [c.used for c in by_name["Bob"].cells] == [2, 0]
    assert by_name[cy.display_name].cells[0].status == "not_started"
    # The status filter's counts are of students (Bob and Cy), not of cells (three).
    assert book.max_total == 2 and book.counts["not_started"] == 2


def test_filters_and_sort(db_session, book_setup):
    scoped, ada, bob, cy = book_setup
    correct = gradebook.gradebook(db_session, scoped, status="correct")
    assert [r.student.name for r in correct.rows] == ["Ada"]
    ranked = gradebook.gradebook(db_session, scoped, sort="-score")
    assert ranked.rows[0].student.name == "Ada"
    names = [r.student.name for r in gradebook.gradebook(db_session, scoped).rows]
    assert names == sorted(names)


def test_drill_down_shows_what_they_typed_and_saw(db_session, book_setup):
    scoped, ada, bob, cy = book_setup
    found = gradebook.drill_down(db_session, scoped, bob.id, 0)
    assert [v.attempt.status for v in found.attempts] == ["incorrect", "incorrect"]
    assert all(v.attempt.feedback and v.timing == "on_time" for v in found.attempts)
    assert gradebook.drill_down(db_session, scoped, bob.id, 2) is None
    outsider = person("x@example.org")
    assert gradebook.drill_down(db_session, scoped, outsider.id, 0) is None


def test_item_analysis(db_session, book_setup):
    scoped, *_ = book_setup
    first, second = gradebook.item_analysis(db_session, scoped)
    assert (first.answered, first.correct, first.share_correct) == (2, 1, 0.5)
    assert first.median_seconds == 30.0  # 30 s, 30 s and 60 s
    # Bob typed the same wrong answer twice: one student makes that mistake.
    assert first.mistakes and first.mistakes[0].count == 1
    assert len(first.mistakes[0].examples) == 1
    assert (second.answered, second.correct) == (1, 0)


def test_predicted_retention_per_skill(db_session, book_setup):
    scoped, *_ = book_setup
    found = {r.template_id: r for r in gradebook.class_retention(db_session, scoped, NOW)}
    assert set(found) == {"gradient", "hessian"}
    gradient = found["gradient"]
    assert gradient.students == 3 and gradient.started == 2
    assert gradient.recall_week <= gradient.recall_now <= 1.0


@pytest.mark.parametrize(("typed", "written"), CSV_CELLS)
def test_formula_cells_are_neutralised(typed, written):
    assert neutralise(typed) == written


def test_csv_is_rfc4180_and_defused(db_session, book_setup):
    scoped, *_ = book_setup
    text = gradebook_csv(gradebook.gradebook(db_session, scoped))
    assert text.endswith("\r\n") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:2] == ["Student", "Email"] and rows[0][-2:] == ["Total", "Out of"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ada"][2] == "1" and by_name["Ada"][5] == "2"
    assert float(by_name["Ada"][4]) == 1 + float(by_name["Ada"][3])
    assert by_name["Bob"][3] == "not started"
    assert "'=cmd|' /C calc'!A0" in by_name
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_gradebook_uses_a_bounded_number_of_queries(app, db_session, cheap_passwords):
    teacher = person("t@example.org", "teacher")
    assignment_id = fill_gradebook(teacher.id, 150, 5)
    scoped = assignments.teacher_assignment(db_session, teacher.id, assignment_id)
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        book = gradebook.gradebook(db_session, scoped)
        assert len(statements) <= 10, statements
        statements.clear()
        gradebook.item_analysis(db_session, scoped)
        gradebook.class_retention(db_session, scoped, NOW)
        assert len(statements) <= 10, statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(book.rows) == 150 and len(book.problems) == 20
    assert sum(c.status != "not_started" for r in book.rows for c in r.cells) > 2000


def test_gradebook_page_queries_are_bounded(app, client, auth, cheap_passwords):
    auth.signup(email="t@example.org", role="teacher")
    with app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.email == "t@example.org"))
        assignment_id = fill_gradebook(teacher_id, 150, 5)
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/teach/assignments/{assignment_id}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(statements) <= 12, statements
    assert response.get_data(as_text=True).count("cell-") >= 3000


def test_every_cell_links_to_its_own_drill_down(app, client, auth, cheap_passwords):
    auth.signup(email="t@example.org", role="teacher")
    with app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.email == "t@example.org"))
        assignment_id = fill_gradebook(teacher_id, 3, 1)
        names = dict(db.session.execute(select(User.id, User.display_name)).all())
    page = client.get(f"/teach/assignments/{assignment_id}").get_data(as_text=True)
    pattern = rf'href="(/teach/assignments/{assignment_id}/students/(\d+)/problems/(\d+))"'
    links = re.findall(pattern, page)
    cells = {(int(student), int(index)) for _, student, index in links}
    students = {student for student, _ in cells}
    assert len(links) == len(cells) == 3 * 4 and len(students) == 3
    assert {index for _, index in cells} == {0, 1, 2, 3}
    with app.test_request_context():
        expected = {url_for("teach.drill_down", assignment_id=assignment_id, student_id=student,
                            index=index) for student, index in cells}  # fmt: skip
    assert {url for url, _, _ in links} == expected
    for url, student, _ in links:
        response = client.get(url)
        assert response.status_code == 200
        assert names[int(student)] in response.get_data(as_text=True)


def test_a_late_right_answer_counts_as_right_in_item_analysis(db_session, cheap_passwords):
    # Item analysis measures the problem; lateness is the gradebook's business.
    teacher, ada = person("t@example.org", "teacher"), person("ada@example.org", name="Ada")
    problem_set = make_set(db_session, teacher, items=(("gradient", 1, 1),))
    assignment = assign(db_session, problem_set, make_class(db_session, teacher, ada),
                        due=NOW + days(1))  # fmt: skip
    [item] = [i for i in build_queue(db_session, ada.id, NOW) if i.reason == "assigned"]
    problem = qb.generate(item.template_id, item.seed, item.level)
    late = NOW + days(2)
    push(db_session, ada.id, [attempt(item.template_id, problem.solution, late, seed=item.seed,
                                      assignment_id=assignment.id)], now=late)  # fmt: skip
    scoped = assignments.teacher_assignment(db_session, teacher.id, assignment.id)
    assert gradebook.gradebook(db_session, scoped).rows[0].cells[0].status == "late"
    [stats] = gradebook.item_analysis(db_session, scoped)
    assert (stats.answered, stats.correct, stats.share_correct) == (1, 1, 1.0)


def test_students_are_listed_as_a_class_list_reads(db_session, cheap_passwords):
    teacher = person("t@example.org", "teacher")
    names = ["Zoë", "adam", "Émile", "Bea", "edith"]
    students = [person(f"s{n}@example.org", name=name) for n, name in enumerate(names)]
    classroom = make_class(db_session, teacher, *students)
    expected = ["adam", "Bea", "edith", "Émile", "Zoë"]
    assert [s.name for s in gradebook.class_students(db_session, classroom.id)] == expected
    listed = [user.display_name for user, _ in classes.class_students(db_session, classroom.id)]
    assert listed == expected


def test_the_csv_download_tells_a_spreadsheet_it_is_utf8(app, client, auth, cheap_passwords):
    auth.signup(email="t@example.org", role="teacher")
    with app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.email == "t@example.org"))
        assignment_id = fill_gradebook(teacher_id, 2, 1)
        zoe = person("zoe@example.org", name="Zoë Ångström")
        classroom_id = db.session.get(Assignment, assignment_id).classroom_id
        db.session.add(Enrollment(classroom_id=classroom_id, student_id=zoe.id, joined_at=NOW))
        db.session.commit()
    body = client.get(f"/teach/assignments/{assignment_id}/gradebook.csv").get_data()
    assert body.startswith(codecs.BOM_UTF8)  # what Excel reads to open the file as UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "Student" and "Zoë Ångström" in {row[0] for row in rows}


def test_students_who_share_a_name_are_told_apart_by_email(db_session, cheap_passwords):
    teacher = person("t@example.org", "teacher")
    twins = [person(f"sam{n}@example.org", name="Sam Lee") for n in (1, 2)]
    classroom = make_class(db_session, teacher, *twins, person("ada@example.org", name="Ada"))
    assignment = assign(db_session, make_set(db_session, teacher), classroom)
    scoped = assignments.teacher_assignment(db_session, teacher.id, assignment.id)
    assert gradebook.gradebook(db_session, scoped).shared_names == {"Sam Lee"}
