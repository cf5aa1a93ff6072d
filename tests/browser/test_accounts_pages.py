"""A person signs up, out and in through the real pages in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import finish_signup_in_browser, mailed_link, mails_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sign_up_out_and_in(page, live_server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server + "/")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 10 characters")).to_be_visible()

    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    finish_signup_in_browser(page, live_server.app, "ada@example.org", "a long enough passphrase")
    expect(page.get_by_text("Welcome, Ada")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out")).to_be_visible()

    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match an account")).to_be_visible()
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back, Ada")).to_be_visible()

    assert requested and all(url.startswith(live_server) for url in requested)


def test_forgot_password_then_account_page(page, live_server):
    """Reset the password from the sign-in page, then sign out every other session."""
    from quizengine.accounts import create_user

    with live_server.app.app_context():
        create_user("ada@example.org", "the old passphrase", display_name="Ada")
    page.goto(live_server + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(mailed_link(mails_to(live_server.app, "ada@example.org"), "/reset/"))
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("Use at least 10 characters")).to_be_visible()
    page.get_by_label("New password").fill("a new long passphrase")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()

    page.get_by_role("link", name="Account").click()
    expect(page.get_by_text("ada@example.org")).to_be_visible()
    page.get_by_role("button", name="Sign out other sessions").click()
    expect(page.get_by_text("Every other session has been signed out.")).to_be_visible()
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()


def test_layout_fits_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ("/", "/signup", "/login", "/reset", "/signup/sent"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()
