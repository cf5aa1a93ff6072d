"""A teacher's loop in Chromium: a class and a set, a learner joins and answers two
assigned problems (one wrong), the gradebook and item analysis show it, the CSV downloads."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

import question_bank as qb
from quizengine.content import template_index
from tests.helpers import finish_signup_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a long enough passphrase"


def sign_up(page, base, email: str, name: str, teacher: bool = False) -> None:
    page.goto(base + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    if teacher:
        page.get_by_label("Teacher").check()
    page.get_by_role("button", name="Create account").click()
    finish_signup_in_browser(page, base.app, email, PASSWORD)


def current_problem(page) -> qb.Problem:
    value = {name: page.locator(f"form.answer-form input[name={name}]").get_attribute("value")
             for name in ("template_id", "seed", "level")}  # fmt: skip
    return qb.generate(value["template_id"], int(value["seed"]), int(value["level"]))


def answer(page, problem: qb.Problem, text: str) -> None:
    if problem.answer_kind == "choice":
        page.locator(f"input[name=answer][value='{text}']").check()
        page.get_by_role("button", name="Check answer").click()
    else:
        box = page.get_by_label("Your answer")
        box.fill(text)
        box.press("Enter")


def wrong_answer(problem: qb.Problem) -> str:
    if problem.answer_kind == "choice":
        return next(label for label, _ in problem.choices if label != problem.solution)
    return next(a for a, _ in qb.samples(problem).incorrect
                if problem.check(a).status == "incorrect")  # fmt: skip


def test_teacher_assigns_learner_answers_teacher_sees(browser, page, live_server):
    # The teacher: a class, a set built from the catalog with a live preview, an assignment.
    sign_up(page, live_server, "turing@example.org", "Turing", teacher=True)
    page.get_by_role("link", name="Teach").click()
    page.get_by_label("New class name").fill("Optimisation 101")
    page.get_by_role("button", name="Create class").click()
    code = page.locator("#join-code").inner_text()
    assert len(code) == 10

    page.goto(live_server + "/teach/sets/new")
    page.get_by_label("Title").fill("Gradients and Hessians")
    page.locator("#count-gradient").fill("1")
    page.locator("#count-hessian").fill("1")
    page.locator(".preview-link[data-template=hessian]").click()
    hessian = template_index()["hessian"].title
    page.locator("#live-preview h3", has_text=f"{hessian} (level 1)").wait_for()
    expect(page.locator("#live-preview summary").first).to_be_visible()  # solutions, folded
    page.get_by_role("button", name="Save set").click()
    expect(page.get_by_role("heading", name="Gradients and Hessians")).to_be_visible()
    page.get_by_role("button", name="Assign to Optimisation 101").click()
    expect(page.get_by_text("assigned.")).to_be_visible()

    # The learner joins and answers the two assigned problems, the second one wrong.
    learner = browser.new_context()
    student = learner.new_page()
    sign_up(student, live_server, "ada@example.org", "Ada")
    student.get_by_role("link", name="Classes").click()
    student.get_by_label("Join code from your teacher").fill(code.lower())
    student.get_by_role("button", name="Join").click()
    expect(student.get_by_text("Gradients and Hessians")).to_be_visible()
    for kind in ("right", "wrong"):
        student.get_by_role("link", name="Practice", exact=True).click()
        expect(student.locator(".badge-assigned")).to_be_visible()
        problem = current_problem(student)
        answer(student, problem, problem.solution if kind == "right" else wrong_answer(problem))
        heading = "Correct" if kind == "right" else "Not quite"
        # Waits for the answer's page: pressing Enter does not wait for it.
        expect(student.get_by_role("heading", name=heading)).to_be_visible()
    learner.close()

    # The teacher's gradebook, item analysis and CSV.
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="Optimisation 101").click()
    page.get_by_role("link", name="Gradients and Hessians").click()
    row = page.locator("table.gradebook tbody tr", has_text="Ada")
    assert row.locator("td.cell-correct").count() == 1
    assert row.locator("td.cell-incorrect").count() == 1
    page.get_by_role("link", name="Item analysis").click()
    rows = page.locator("table.items tbody tr")
    expect(rows.nth(0).get_by_text("100%")).to_be_visible()
    expect(rows.nth(1).get_by_text("0%", exact=True)).to_be_visible()
    assert page.locator(".mistake").count() >= 1
    page.get_by_role("link", name="← Gradebook").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as downloaded:
        text = downloaded.read()
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0][0] == "Student" and table[1][:3] == ["Ada", "ada@example.org", "1"]
