"""The daily loop in Chromium: read a lesson, pass its Skill Check, practise, take notes,
see progress move."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import question_bank as qb
from quizengine.content import lesson_index
from tests.helpers import finish_signup_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_up(page, base) -> None:
    page.goto(base + "/signup")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    finish_signup_in_browser(page, base.app, "ada@example.org", "a long enough passphrase")


def current_problem(page) -> qb.Problem:
    value = {name: page.locator(f"input[name={name}]").get_attribute("value")
             for name in ("template_id", "seed", "level")}  # fmt: skip
    return qb.generate(value["template_id"], int(value["seed"]), int(value["level"]))


def answer(page, text: str) -> None:
    problem = current_problem(page)
    if problem.answer_kind == "choice":
        page.locator(f"input[name=answer][value='{text}']").check()
        page.get_by_role("button", name="Check answer").click()
    else:
        box = page.get_by_label("Your answer")
        box.fill(text)
        box.press("Enter")  # keyboard only: Enter submits


def wrong_answer(problem: qb.Problem) -> str:
    if problem.answer_kind == "choice":
        return next(label for label, _ in problem.choices if label != problem.solution)
    return next(a for a, _ in qb.samples(problem).incorrect)


def test_a_learners_first_day(page, live_server):
    sign_up(page, live_server)
    lesson = next(iter(lesson_index().values()))

    page.get_by_role("link", name="Lessons").click()
    page.get_by_role("link", name=f"Part {lesson.part}: {lesson.title}").click()
    assert page.locator("math").count() > 0  # formulas render as MathML
    for question in lesson.skill_check:
        page.locator(f"input[name='q-{question.id}'][value='{question.answer}']").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.get_by_text("Skill Check passed")).to_be_visible()
    total = len(lesson.skill_check)
    expect(page.get_by_text(f"{total}/{total}").first).to_be_visible()

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_text("0", exact=True).first).to_be_visible()  # no answers yet

    page.get_by_role("link", name="Practice").click()
    problem = current_problem(page)
    answer(page, wrong_answer(problem))
    expect(page.get_by_role("heading", name="Not quite")).to_be_visible()
    expect(page.get_by_role("heading", name="Worked solution")).to_be_visible()

    page.get_by_role("link", name="Next problem").click()
    problem = current_problem(page)
    if problem.answer_kind != "choice":
        answer(page, "(1, 2")  # a typo: reported, kept, not counted
        expect(page.get_by_text("We could not read that answer")).to_be_visible()
        assert page.get_by_label("Your answer").input_value() == "(1, 2"
    answer(page, problem.solution)
    expect(page.get_by_role("heading", name="Correct")).to_be_visible()

    page.get_by_role("link", name="Lessons").click()
    page.get_by_role("link", name=f"Part {lesson.part}: {lesson.title}").click()
    page.get_by_label("Notes on this part").fill("Saddle: det H < 0.")
    expect(page.get_by_text("18 / 8000 characters")).to_be_visible()
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved")).to_be_visible()
    assert page.get_by_label("Notes on this part").input_value() == "Saddle: det H < 0."

    page.get_by_role("link", name="Progress").click()
    assert page.locator(".stat-value").nth(1).inner_text() == "2"  # two graded answers
    assert page.locator("svg.chart").count() == 2
