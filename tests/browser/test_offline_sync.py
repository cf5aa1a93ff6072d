"""Sync in the offline app (sync.js, sw.js) when the server refuses something or stalls:
what it refuses is set aside and shown, the rest still syncs, and nothing hangs."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from sqlalchemy import select

from quizengine.accounts import create_user
from quizengine.extensions import db
from quizengine.models import User
from tests.browser.test_offline import (
    answer_shown,
    open_app,
    outbox_count,
    pulled,
    settle,
    sign_in,
    wait_for_js,
    wait_until,
)
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
EMAIL = "sync@example.org"
REFUSED = {"error": {"code": "invalid_json", "field": "body",
                     "message": "the body holds something this server cannot store"}}  # fmt: skip


@pytest.fixture(autouse=True)
def account(server):
    """The learner these tests sign in as."""
    with server.app.app_context():
        create_user(EMAIL, PASSWORD)


def open_first_lesson(page, base: str) -> None:
    page.goto(base + "/app#lessons")
    page.locator(".lesson-picker a").first.click()
    page.wait_for_selector("#note-body")


def save_note(page, script: str) -> None:
    """Put text in the note box by `script` (what a paste can leave there); save it."""
    page.evaluate(f"() => {{ document.getElementById('note-body').value = {script}; }}")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector("#note-saved:has-text('Note saved on this device')")


def test_a_pasted_lone_surrogate_is_saved_as_text_the_server_takes(server, new_context):
    page = new_context().new_page()
    sign_in(page, server.url, EMAIL)
    open_app(page, server.url)
    open_first_lesson(page, server.url)
    save_note(page, "'det H < 0 \\ud83d'")  # half of an emoji's surrogate pair
    page.evaluate("() => { QE.sync.run(); }")
    owner = page.evaluate("QE.sync.status().owner")
    wait_until(page, lambda: outbox_count(page, owner) == 0, "the note to sync", timeout=8)
    notes = [e["payload"]["body"] for e in pulled(page, server.url) if e["type"] == "note.put"]
    assert notes == ["det H < 0 \ufffd"]


def test_an_event_the_server_refuses_is_set_aside_shown_and_the_rest_syncs(server, new_context):
    # page.route does not see requests that pass through a service worker: block it here.
    page = new_context(service_workers="block").new_page()
    pushes: list[list[str]] = []

    def refuse_the_marked_note(route):
        sent = json.loads(route.request.post_data or "{}").get("events", [])
        pushes.append([e["type"] for e in sent])
        if "REFUSE-ME" in (route.request.post_data or ""):
            route.fulfill(status=400, json=REFUSED)  # as for JSON it cannot store
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", refuse_the_marked_note)
    sign_in(page, server.url, EMAIL)
    page.goto(server.url + "/app")
    settle(page)
    answer_shown(page)
    open_first_lesson(page, server.url)
    save_note(page, "'REFUSE-ME'")
    page.evaluate("() => { QE.sync.run(); }")

    page.wait_for_selector("#note-saved:has-text('Not accepted by the server')")
    assert REFUSED["error"]["message"] in page.locator("#note-saved").inner_text()
    status = page.locator("#sync-status")
    wait_until(page, lambda: "Not accepted by the server" in status.inner_text(), "the notice")
    assert "All changes synced" not in status.inner_text()
    assert outbox_count(page, page.evaluate("QE.sync.status().owner")) == 0
    assert [e["type"] for e in pulled(page, server.url)].count("attempt") == 1
    tries = len(pushes)
    page.evaluate("QE.sync.run()")
    assert len(pushes) == tries, "nothing is left to send: the refused note is not retried"


def test_a_stalled_server_neither_hangs_sync_nor_keeps_the_offline_app_closed(
    server, new_context
):
    page = new_context().new_page()
    sign_in(page, server.url, EMAIL)
    open_app(page, server.url)
    server.stop()
    # "Lie-fi": the port accepts connections and never answers.
    listener = socket.create_server(("127.0.0.1", server.port))
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    done = threading.Event()

    def hold() -> None:
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                pass

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        shorter = "Object.assign(QE.sync.timeouts || {}, {get: 1000})"
        page.evaluate(f"() => {{ {shorter}; QE.sync.run(); }}")
        wait_for_js(page, "!QE.sync.status().running", timeout=8)
        assert page.evaluate("QE.sync.status().errorKind") == "network"
        assert "Syncing" not in page.locator("#sync-status").inner_text()
        page.goto(server.url + "/app", timeout=8_000)  # the cached shell, after ~3 s
        page.wait_for_selector("#problem[data-template]")
    finally:
        done.set()
        holder.join(5)
        listener.close()
        for connection in held:
            connection.close()


def test_a_push_says_whose_outbox_it_carries(server, new_context):
    # The server refuses (409) a push meant for another account than the signed-in one:
    # on a shared computer the session can change in another tab in the middle of a sync.
    page = new_context(service_workers="block").new_page()
    owners: list[str | None] = []
    page.on("request", lambda r: owners.append(r.headers.get("x-quizengine-owner"))
            if r.url.endswith("/api/v1/sync/push") else None)  # fmt: skip
    sign_in(page, server.url, EMAIL)
    page.goto(server.url + "/app")
    settle(page)
    answer_shown(page)
    page.evaluate("() => { QE.sync.run(); }")
    owner = page.evaluate("QE.sync.status().owner")
    wait_until(page, lambda: outbox_count(page, owner) == 0, "the answer to sync", timeout=8)
    with server.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == EMAIL))
    assert owners and set(owners) == {str(user_id)}
