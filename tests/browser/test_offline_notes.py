"""A lesson note open in the offline app on two devices (note-editor.js): a newer version that
a sync brings replaces an editor the learner has not touched, and says so; over unsaved text
the learner chooses which to keep. Neither text is overwritten without being seen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quizengine.accounts import create_user
from tests.browser.test_offline import outbox_count, pulled, sign_in, wait_for_js, wait_until
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
EMAIL = "notes@example.org"


@pytest.fixture(autouse=True)
def account(server):
    """The learner these tests sign in as."""
    with server.app.app_context():
        create_user(EMAIL, PASSWORD)


@pytest.fixture
def devices(browser, server):
    """A phone and a laptop of the same learner, each with the first lesson's note open."""
    contexts, pages = [], []
    for _ in range(2):
        context = browser.new_context()
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, server.url, EMAIL)
        page.goto(server.url + "/app#lessons")
        page.locator(".lesson-picker a").first.click()
        page.wait_for_selector("#note-body")
        pages.append(page)
    yield pages
    for context in contexts:
        context.close()


def sync_all(page) -> None:
    """Sync until this device's outbox is empty (its notes are on the server)."""
    owner = page.evaluate("QE.sync.status().owner")
    page.evaluate("QE.sync.run()")
    wait_until(page, lambda: outbox_count(page, owner) == 0, "the outbox to empty", timeout=8)


def save(page, text: str) -> None:
    page.locator("#note-body").fill(text)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-saved")).to_have_text("Note saved on this device")


def test_an_untouched_editor_shows_the_other_devices_note_and_says_so(devices):
    phone, laptop = devices
    save(laptop, "laptop text")
    sync_all(laptop)

    phone.evaluate("QE.sync.run()")
    expect(phone.locator("#note-body")).to_have_value("laptop text")
    expect(phone.locator("#note-saved")).to_contain_text("changed on another device")
    assert phone.locator("#note-conflict").count() == 0


def test_over_unsaved_text_the_learner_keeps_theirs_and_saving_it_wins(devices, server):
    phone, laptop = devices
    phone.locator("#note-body").fill("phone text")  # typed, not saved
    save(laptop, "laptop text")
    sync_all(laptop)

    phone.evaluate("QE.sync.run()")
    notice = phone.locator("#note-conflict")
    expect(notice).to_contain_text("changed on another device while you were editing")
    expect(phone.locator("#note-theirs")).to_have_value("laptop text")
    assert phone.locator("#note-body").input_value() == "phone text"

    phone.get_by_role("button", name="Keep mine").click()
    expect(notice).to_have_count(0)
    save(phone, "phone text")
    sync_all(phone)
    bodies = [e["payload"]["body"] for e in pulled(phone, server.url) if e["type"] == "note.put"]
    assert bodies == ["laptop text", "phone text"]

    # The laptop, untouched since its own save, now shows the phone's text, and says so.
    laptop.evaluate("QE.sync.run()")
    expect(laptop.locator("#note-body")).to_have_value("phone text")
    expect(laptop.locator("#note-saved")).to_contain_text("changed on another device")


def test_a_save_over_a_version_not_seen_yet_asks_first_then_loads_the_other(devices, server):
    phone, laptop = devices
    phone.locator("#note-body").fill("phone text")
    save(laptop, "laptop text")
    sync_all(laptop)
    # The laptop's note reaches the phone's storage without the page hearing of it, as when
    # the service worker's Background Sync pulls it.
    note = next(e for e in pulled(phone, server.url) if e["type"] == "note.put")
    phone.evaluate(
        """note => QE.idb.transaction(['events'], 'readwrite', s => {
             s.events.put(Object.assign({}, note, {owner: QE.sync.status().owner, synced: true}));
           })""",
        note,
    )

    phone.get_by_role("button", name="Save note").click()
    expect(phone.locator("#note-conflict")).to_be_visible()
    expect(phone.locator("#note-saved")).to_contain_text("first choose which version to keep")
    assert outbox_count(phone, phone.evaluate("QE.sync.status().owner")) == 0, "nothing saved"

    phone.get_by_role("button", name="Load the other device's version").click()
    expect(phone.locator("#note-body")).to_have_value("laptop text")
    expect(phone.locator("#note-conflict")).to_have_count(0)
    expect(phone.locator("#note-saved")).to_have_text("Loaded the other device's version.")


# ------------------------------------------------- the account changes under an unsaved note


def open_lesson(page, base: str) -> None:
    page.goto(base + "/app#lessons")
    page.locator(".lesson-picker a").first.click()
    page.wait_for_selector("#note-body")


def test_an_unsaved_note_survives_a_sign_in_in_another_tab_and_saves_to_that_account(
    server, new_context
):
    # Anonymous, typing a note; meanwhile another tab signs in. The sync that notices the new
    # account must not rebuild the editor (the typed text would be gone), nor must a claim.
    context = new_context()
    page = context.new_page()
    page.goto(server.url + "/app")
    wait_for_js(page, "!QE.sync.status().running && !!document.body.dataset.synced")
    open_lesson(page, server.url)
    page.locator("#note-body").fill("my long unsaved note text")

    sign_in(context.new_page(), server.url, EMAIL)
    page.bring_to_front()
    page.evaluate("QE.sync.run()")
    wait_for_js(page, "!QE.sync.status().running && QE.sync.status().user !== null")
    page.wait_for_timeout(500)  # the view has heard of the new account
    assert page.locator("#note-body").input_value() == "my long unsaved note text"
    said = page.locator("#note-saved")
    expect(said).to_contain_text("The account on this device changed")
    expect(said).to_contain_text("not saved yet")

    page.evaluate("document.dispatchEvent(new CustomEvent('qe:claimed'))")
    page.evaluate("QE.sync.run()")
    wait_for_js(page, "!QE.sync.status().running")
    page.wait_for_timeout(300)
    assert page.locator("#note-body").input_value() == "my long unsaved note text"

    page.get_by_role("button", name="Save note").click()
    expect(said).to_have_text("Note saved on this device")
    owner = page.evaluate("QE.sync.status().owner")
    rows = page.evaluate("o => QE.idb.byOwner('events', o)", owner)
    assert owner != "anon"
    notes = [r["payload"]["body"] for r in rows if r["type"] == "note.put"]
    assert notes == ["my long unsaved note text"]


def test_an_unsaved_note_survives_the_session_ending_in_another_tab(server, new_context):
    page = new_context().new_page()
    sign_in(page, server.url, EMAIL)
    open_lesson(page, server.url)
    wait_for_js(page, "!QE.sync.status().running && QE.sync.status().user !== null")
    page.locator("#note-body").fill("typed while signed in")
    token = page.request.get(server.url + "/api/v1/csrf").json()["csrf_token"]
    page.request.post(server.url + "/logout", form={"csrf_token": token}, max_redirects=0)

    page.evaluate("QE.sync.run()")
    wait_for_js(page, "!QE.sync.status().running && QE.sync.status().user === null")
    page.wait_for_timeout(500)
    assert page.locator("#note-body").input_value() == "typed while signed in"
    expect(page.locator("#note-saved")).to_contain_text("now signed out")
    expect(page.locator("#note-saved")).to_contain_text("not saved yet")


def test_an_untouched_note_is_rebuilt_for_the_new_account(server, new_context):
    # No unsaved text: the editor shows the account now signed in, as before.
    context = new_context()
    page = context.new_page()
    page.goto(server.url + "/app")
    wait_for_js(page, "!QE.sync.status().running && !!document.body.dataset.synced")
    open_lesson(page, server.url)
    save(page, "anonymous note")
    sign_in(context.new_page(), server.url, EMAIL)
    page.bring_to_front()
    page.evaluate("QE.sync.run()")
    wait_for_js(page, "!QE.sync.status().running && QE.sync.status().user !== null")
    expect(page.locator("#note-body")).to_have_value("")
    expect(page.locator("#note-saved")).not_to_contain_text("account on this device changed")
