"""Sync in the offline app (sync.js, sw.js) when the server refuses something or stalls:
what it refuses is set aside and shown, the rest still syncs, and nothing hangs."""

from __future__ import annotations

import json
import re
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


# ------------------------------------------- an account switch in the middle of a pull or a pack

OTHER = "other@example.org"


def sign_in_behind(context, base: str, email: str) -> None:
    """Sign `email` in on this browser as another tab would: the page does not know yet."""
    html = context.request.get(base + "/login").text()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = {"csrf_token": token, "email": email, "password": PASSWORD}
    context.request.post(base + "/login", form=form)


def signed_in_app(server, new_context):
    """The offline app open and settled for EMAIL, the service worker kept out (page.route
    does not see its requests); return the context, the page and the owner key."""
    context = new_context(service_workers="block")
    page = context.new_page()
    sign_in(page, server.url, EMAIL)
    page.goto(server.url + "/app")
    settle(page)
    return context, page, page.evaluate("QE.sync.status().owner")


def user_id(server, email: str) -> str:
    with server.app.app_context():
        return str(db.session.scalar(select(User.id).where(User.email == email)))


def test_a_pull_overlapping_an_account_switch_files_nothing_under_the_old_account(
    server, new_context
):
    with server.app.app_context():
        create_user(OTHER, PASSWORD)
    # The other learner has a note on the server.
    other = new_context(service_workers="block").new_page()
    sign_in(other, server.url, OTHER)
    open_first_lesson(other, server.url)
    save_note(other, "'OTHER PRIVATE NOTE'")
    other_owner = other.evaluate("QE.sync.status().owner")
    other.evaluate("QE.sync.run()")
    wait_until(other, lambda: outbox_count(other, other_owner) == 0, "the other learner's sync")

    context, page, owner = signed_in_app(server, new_context)
    cursor = page.evaluate("o => QE.idb.getState(o, 'cursor')", owner)
    headers: list[str | None] = []
    switched = []

    def on_pull(route):
        headers.append(route.request.headers.get("x-quizengine-owner"))
        if not switched:  # the other learner signs in, in another tab, during this pull
            switched.append(True)
            sign_in_behind(context, server.url, OTHER)
        route.continue_()

    page.route("**/api/v1/sync/pull*", on_pull)
    page.evaluate("QE.sync.run()")
    idle = "!QE.sync.status().running"
    wait_until(page, lambda: switched and page.evaluate(idle), "the round")
    rows = page.evaluate("o => QE.idb.byOwner('events', o)", owner)
    assert "OTHER PRIVATE NOTE" not in [r["payload"].get("body") for r in rows]
    assert page.evaluate("o => QE.idb.getState(o, 'cursor')", owner) == cursor
    assert headers[0] == owner == user_id(server, EMAIL)
    # This round stopped; the next one asks who is signed in and syncs for them.
    def synced_for_the_other() -> bool:
        status = page.evaluate("QE.sync.status()")
        return status["owner"] == other_owner and not status["running"]

    wait_until(page, synced_for_the_other, "a round for the other account")
    assert other_owner in headers[1:]


def test_a_pack_overlapping_an_account_switch_is_not_kept_for_the_old_account(server, new_context):
    with server.app.app_context():
        create_user(OTHER, PASSWORD)
    context, page, owner = signed_in_app(server, new_context)
    before = page.evaluate("o => QE.idb.getState(o, 'pack')", owner)
    headers: list[str | None] = []

    def on_pack(route):
        headers.append(route.request.headers.get("x-quizengine-owner"))
        if len(headers) == 1:
            sign_in_behind(context, server.url, OTHER)
        route.continue_()

    page.route("**/api/v1/pack*", on_pack)
    page.evaluate("() => { QE.sync.wantPack(); QE.sync.run(); }")  # a fresh pack, as on load
    wait_until(page, lambda: headers and not page.evaluate("QE.sync.status().running"), "the round")
    assert page.evaluate("o => QE.idb.getState(o, 'pack')", owner) == before
    wait_until(page, lambda: len(headers) >= 2 and not page.evaluate("QE.sync.status().running"),
               "the next round")  # fmt: skip
    assert headers[:2] == [owner, user_id(server, OTHER)]
    assert page.evaluate("o => QE.idb.getState(o, 'pack')", owner) == before


def test_a_409_another_user_on_a_pull_stores_nothing_and_syncs_again(server, new_context):
    # The client alone, whatever the server does: a 409 another_user answer to the pull.
    page = new_context(service_workers="block").new_page()
    sign_in(page, server.url, EMAIL)
    page.goto(server.url + "/app")
    settle(page)
    owner = page.evaluate("QE.sync.status().owner")
    cursor = page.evaluate("o => QE.idb.getState(o, 'cursor')", owner)
    pulls = []

    def refuse(route):
        pulls.append(route.request.headers.get("x-quizengine-owner"))
        if len(pulls) > 1:
            return route.continue_()
        error = {"code": "another_user", "message": "another account", "field": None}
        route.fulfill(status=409, content_type="application/json",
                      body=json.dumps({"error": error}))  # fmt: skip

    page.route("**/api/v1/sync/pull*", refuse)
    page.evaluate("QE.sync.run()")
    wait_until(page, lambda: pulls, "the pull")
    wait_for_js(page, "!QE.sync.status().running")
    assert page.evaluate("QE.sync.status().errorKind") == "owner"
    assert page.evaluate("o => QE.idb.getState(o, 'cursor')", owner) == cursor
    wait_until(page, lambda: len(pulls) > 1 and page.evaluate("QE.sync.status().error") is None,
               "another round, by itself", timeout=10)  # fmt: skip
    assert pulls == [owner, owner]


def test_an_answer_that_is_not_json_is_a_network_error_retried(server, new_context):
    page = new_context(service_workers="block").new_page()
    sign_in(page, server.url, EMAIL)
    page.goto(server.url + "/app")
    settle(page)
    pulls = []

    def garbage(route):
        pulls.append(1)
        if len(pulls) > 1:
            return route.continue_()
        route.fulfill(status=200, content_type="text/html", body="<html>a captive portal</html>")

    page.route("**/api/v1/sync/pull*", garbage)
    page.evaluate("QE.sync.run()")
    wait_until(page, lambda: pulls, "the pull")
    wait_for_js(page, "!QE.sync.status().running")
    assert page.evaluate("QE.sync.status().errorKind") == "network"
    assert "could not be read" in page.evaluate("QE.sync.status().error")
    wait_until(page, lambda: len(pulls) > 1 and page.evaluate("QE.sync.status().error") is None,
               "a retry", timeout=10)  # fmt: skip
