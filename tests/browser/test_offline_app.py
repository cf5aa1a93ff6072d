"""The offline app's own page (app.js): one answer per submit, no problem swapped under the
learner, and a save that fails says so."""

from __future__ import annotations

import pytest

from tests.browser.test_offline import (
    answer_shown,
    next_problem,
    open_app,
    shown_problem,
    wait_for_js,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser, server):
    """The offline app, open with a pack of problems, as a learner without an account
    (this module's `page`, in place of the blank one of conftest)."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    open_app(page, server.url)
    yield page
    context.close()


def shown(page) -> tuple[str | None, str | None]:
    box = page.locator("#problem")
    return box.get_attribute("data-template"), box.get_attribute("data-seed")


def test_submitting_twice_at_once_checks_and_saves_the_answer_once(page):
    problem = shown_problem(page)
    if problem.answer_kind == "choice":
        page.locator(f"#problem input[name=answer][value='{problem.solution}']").check()
    else:
        page.locator("#answer").fill(problem.solution)
    # Enter pressed twice: two submits before the first has checked and saved anything.
    checks = page.evaluate(
        """() => {
             let calls = 0;
             const check = QE.math.check;
             QE.math.check = function () { calls++; return check.apply(this, arguments); };
             const form = document.getElementById('answer-form');
             form.requestSubmit(); form.requestSubmit();
             return calls;
           }"""
    )
    assert checks == 1
    page.wait_for_selector("#save-state")
    wait_for_js(page, "document.getElementById('progress-line').dataset.answered === '1'")


def test_a_sync_never_swaps_the_problem_the_learner_moved_to(page):
    answer_shown(page)
    next_problem(page)
    moved_to = shown(page)
    synced = page.evaluate("document.body.dataset.synced")
    # A sync brings a pack in another order (the server's queue after that answer).
    page.evaluate(
        """() => QE.idb.transaction(['state'], 'readwrite', async s => {
             const row = await QE.idb.request(s.state.get([QE.sync.status().owner, 'pack']));
             row.value.problems.reverse();
             s.state.put(row);
           }).then(() => { QE.sync.run(); })"""
    )
    wait_for_js(page, f"document.body.dataset.synced !== '{synced}'")
    assert shown(page) == moved_to


def test_a_note_or_skill_check_that_cannot_be_saved_says_so(page, server):
    page.goto(server.url + "/app#lessons")
    page.locator(".lesson-picker a").first.click()
    page.wait_for_selector("#note-body")
    page.evaluate(
        """() => { QE.local.record = () => Promise.reject(
             new DOMException('The quota has been exceeded.', 'QuotaExceededError')); }"""
    )
    page.locator("#note-body").fill("det H < 0: a saddle")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector("#note-saved:has-text('Could not save on this device')")
    assert "quota" in page.locator("#note-saved").inner_text()
    page.locator("#skill-check-form input[type=radio]").first.check()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_selector("#skill-check-saved:has-text('Could not save on this device')")
