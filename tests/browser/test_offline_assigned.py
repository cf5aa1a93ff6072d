"""Assigned work in the offline app (problem-view.js) says when it is due, as the server's
practice page does, and once past due (by the device's clock) that an answer is late."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_offline import settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZONE = "America/St_Johns"  # UTC-03:30 in January: the minutes and the day move too
SHOWN = [
    ("assigned", "2099-01-02T03:04:00+00:00", "Due 2099-01-01 23:34 (America/St_Johns)."),
    ("assigned", "2020-01-02T03:04:00Z", "This was due 2020-01-01 23:34 (America/St_Johns). "
                                          "An answer now reaches your teacher marked late."),
    ("due", "2020-01-02T03:04:00Z", None),  # a review's due date is no deadline
    ("assigned", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "due", "said"), SHOWN)
def test_assigned_work_says_when_it_is_due_and_when_an_answer_is_late(
    browser, server, reason, due, said
):
    context = browser.new_context(timezone_id=ZONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(server.url + "/app")
        settle(page)
        # The first problem of the stored pack becomes assigned work, as the pack sends it.
        page.evaluate(
            """([reason, due]) => QE.idb.transaction(['state'], 'readwrite', async s => {
                 const row = await QE.idb.request(s.state.get([QE.sync.status().owner, 'pack']));
                 Object.assign(row.value.problems[0], {reason: reason, due: due, assignment_id: 7});
                 s.state.put(row);
               })""",
            [reason, due],
        )
        page.reload()
        settle(page)
        line = page.locator("#problem #problem-due")
        if said is None:
            expect(line).to_have_count(0)
        else:
            expect(line).to_have_text(said)
            expect(page.locator("#problem .badge").first).to_have_text("Assigned")
    finally:
        context.close()
