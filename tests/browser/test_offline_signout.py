"""Signing out of the offline app (sync.js): never deletes unsynced work while offline, and
clears this account's data only once the server has signed the browser out."""

from __future__ import annotations

import pytest

from quizengine.accounts import create_user
from tests.browser.test_offline import (
    answer_shown,
    open_app,
    outbox_count,
    pulled,
    sign_in,
    wait_until,
)
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    yield context
    context.close()


def sign_out_saying(page) -> str:
    """Press Sign out; return what the page then says in its dialog (accepting it)."""
    said: list[str] = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Sign out").click()
    wait_until(page, lambda: said, "a message about signing out", timeout=8)
    return said[0]


def test_signing_out_offline_keeps_the_session_and_the_unsynced_answers(server, context):
    with server.app.app_context():
        create_user("away@example.org", PASSWORD)
    page = context.new_page()
    sign_in(page, server.url, "away@example.org")
    open_app(page, server.url)
    owner = page.evaluate("QE.sync.status().owner")
    context.set_offline(True)
    server.stop()

    said = sign_out_saying(page)
    assert "needs a connection" in said and "still signed in" in said
    assert page.evaluate("o => QE.idb.getState(o, 'pack').then(p => !!p)", owner), "kept"

    answer_shown(page)
    said = sign_out_saying(page)
    assert "needs a connection" in said and "your 1 answer is kept" in said.lower()
    assert outbox_count(page, owner) == 1

    # Back online the account was never signed out, and the answer reaches it.
    server.start()
    context.set_offline(False)
    page.evaluate("() => { QE.sync.run(); }")
    wait_until(page, lambda: outbox_count(page, owner) == 0, "the answer to sync", timeout=8)
    assert page.request.get(server.url + "/api/v1/me").json()["user"]["email"] == (
        "away@example.org"
    )
    assert [e["type"] for e in pulled(page, server.url)].count("attempt") == 1
