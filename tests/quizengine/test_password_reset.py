"""Password reset: one answer for every address, a mailed link that works once and
expires, every session ended, this browser signed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizengine import accounts, recovery
from quizengine.accounts import create_user
from quizengine.extensions import db
from quizengine.models import User
from quizengine.tokens import LinkError
from tests.helpers import PASSWORD, AuthActions, CountingHasher, mailed_link, mails_to
from tests.quizengine.test_auth import signed_in_as

NEW_PASSWORD = "a brand new passphrase"
RESET = "/reset/"


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    spy = CountingHasher()
    monkeypatch.setattr(accounts, "password_hasher", spy)
    return spy


@pytest.fixture
def ada(app, hasher) -> None:
    with app.app_context():
        create_user("ada@example.org", PASSWORD, display_name="Ada")
    hasher.reset()


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def reset_link(app, address: str = "ada@example.org") -> str:
    return path_of(mailed_link(mails_to(app, address), RESET))


def test_the_sign_in_page_links_to_reset(client):
    assert 'href="/reset"' in client.get("/login").get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer(app, ada, client, hasher):
    known = client.post("/reset", data={"email": "ada@example.org"})
    known_work = hasher.reset()
    unknown = client.post("/reset", data={"email": "nobody@example.org"})
    unknown_work = hasher.reset()

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/reset/sent"
    assert known.get_data() == unknown.get_data()
    assert known.headers.getlist("Set-Cookie") == unknown.headers.getlist("Set-Cookie") == []
    assert known_work == unknown_work  # the same Argon2 work (none) on both paths
    # One mail each: the owner gets a link, the stranger a note that there is no account.
    assert len(mails_to(app, "ada@example.org")) == len(mails_to(app, "nobody@example.org")) == 1
    assert mailed_link(mails_to(app, "nobody@example.org"), RESET) is None
    assert "no account with this address" in mails_to(app, "nobody@example.org")[0].body


def test_a_bad_address_is_refused_on_the_form(client):
    response = client.post("/reset", data={"email": "not-an-address"})
    assert response.status_code == 400
    assert "Enter an email address" in response.get_data(as_text=True)


def test_reset_sets_the_password_ends_sessions_and_signs_in(app, ada):
    elsewhere = app.test_client()
    AuthActions(elsewhere).login(remember=True)
    remember = elsewhere.get_cookie("remember_token").value
    browser = app.test_client()
    browser.post("/reset", data={"email": "ada@example.org"})
    path = reset_link(app)

    page = browser.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    short = browser.post(path, data={"password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)

    done = browser.post(path, data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert signed_in_as(browser) == "Ada"
    assert signed_in_as(elsewhere) is None
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert signed_in_as(replay) is None
    assert browser.get("/account/password").status_code == 200  # a fresh sign-in
    notice = mails_to(app, "ada@example.org")[-1]
    assert notice.subject == "Your Quizengine password was changed"

    check = AuthActions(app.test_client())
    assert check.login(password=PASSWORD).status_code == 400
    assert check.login(password=NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_once(app, ada):
    client = app.test_client()
    client.post("/reset", data={"email": "ada@example.org"})
    path = reset_link(app)
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 302
    again = app.test_client().post(path, data={"password": "yet another passphrase"})
    assert again.status_code == 400
    assert "expired or was already used" in again.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 400


def test_an_older_link_dies_when_the_password_changes(app, ada):
    client = app.test_client()
    client.post("/reset", data={"email": "ada@example.org"})
    first = reset_link(app)
    client.post("/reset", data={"email": "ada@example.org"})
    second = reset_link(app)
    assert client.post(second, data={"password": NEW_PASSWORD}).status_code == 302
    assert app.test_client().get(first).status_code == 400


def test_an_email_change_kills_an_older_reset_link(app, ada):
    client = app.test_client()
    client.post("/reset", data={"email": "ada@example.org"})
    path = reset_link(app)
    with app.app_context():
        db.session.scalar(select(User)).email = "ada@new.example"
        db.session.commit()
    assert client.get(path).status_code == 400


def test_a_reset_link_expires_after_an_hour(app, ada):
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with app.test_request_context(), app.app_context():
        recovery.request_reset(db.session, "ada@example.org", start)
        token = reset_link(app).rsplit("/", 1)[1]
        assert recovery.user_for_reset(db.session, token, start + timedelta(minutes=59))
        with pytest.raises(LinkError):
            recovery.reset_password(db.session, token, NEW_PASSWORD, start + timedelta(minutes=61))
        with pytest.raises(LinkError):  # issued in the future: forged or a broken clock
            recovery.user_for_reset(db.session, token, start - timedelta(hours=1))
        user = db.session.scalar(select(User))
        assert accounts.check_password(db.session, user, PASSWORD)


@pytest.mark.parametrize("token", ["nonsense", "e30.abc", "x" * 300])
def test_forged_links_get_a_clear_page(client, token):
    response = client.get(RESET + token)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "This link cannot be used" in body and 'href="/reset"' in body


def test_a_link_signed_for_another_purpose_is_refused(app, ada):
    from quizengine import tokens

    with app.test_request_context(), app.app_context():
        user = db.session.scalar(select(User))
        now = datetime.now(UTC)
        data = {"u": user.id, "f": recovery.reset_fingerprint(user)}
        other_purpose = tokens.sign(recovery.EMAIL_CHANGE, data, now)
        with pytest.raises(LinkError):
            recovery.user_for_reset(db.session, other_purpose, now)
        assert recovery.user_for_reset(db.session, tokens.sign(recovery.RESET, data, now), now)
