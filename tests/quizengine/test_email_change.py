"""Changing the email address: fresh sign-in and password, a link to the new address that
only the same account, signed in, can confirm, and that dies with a new password or "sign out
everywhere"; notices to the old address, and nothing that tells whether the new one is taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizengine import recovery
from quizengine.accounts import create_user
from quizengine.extensions import db
from quizengine.models import User
from quizengine.tokens import LinkError
from tests.helpers import PASSWORD, AuthActions, mailed_link, mails_to

CONFIRM = "/account/email/confirm/"


@pytest.fixture
def ada(app, auth, cheap_passwords):
    assert auth.signup().status_code == 302


def ask(client, new_email: str, password: str = PASSWORD):
    return client.post("/account/email", data={"email": new_email, "password": password})


def email_of(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.email).where(User.display_name == name))


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_the_change_happens_when_the_owner_follows_the_link_signed_in(app, ada, client):
    response = ask(client, "Ada@New.example")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert email_of(app, "Ada") == "ada@example.org"  # not yet
    notice = mails_to(app, "ada@example.org")[-1]
    assert "ada@new.example" in notice.body and CONFIRM not in notice.body
    (to_new,) = mails_to(app, "ada@new.example")
    assert "Hello Ada" not in to_new.body  # nothing from the account in mail to a new address
    path = path_of(mailed_link([to_new], CONFIRM))

    page = client.get(path)
    assert page.status_code == 200 and "ada@new.example" in page.get_data(as_text=True)
    assert email_of(app, "Ada") == "ada@example.org"  # a GET changes nothing
    done = client.post(path)
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert email_of(app, "Ada") == "ada@new.example"
    changed = mails_to(app, "ada@example.org")[-1]
    assert changed.subject == "Your Quizengine email address was changed"
    assert "ada@new.example" in changed.body
    again = client.post(path)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    fresh = AuthActions(app.test_client())
    assert fresh.login(email="ada@example.org").status_code == 400
    assert fresh.login(email="ada@new.example").status_code == 302


def test_a_signed_out_browser_signs_in_first(app, ada, client):
    ask(client, "new@example.org")
    path = path_of(mailed_link(mails_to(app, "new@example.org"), CONFIRM))
    stranger = AuthActions(app.test_client())
    for response in (stranger.client.get(path), stranger.client.post(path)):
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next={path}"
    assert email_of(app, "Ada") == "ada@example.org"
    back = stranger.login(next=path)
    assert back.status_code == 302 and back.headers["Location"] == path
    assert stranger.client.post(path).status_code == 302
    assert email_of(app, "Ada") == "new@example.org"


def test_another_account_cannot_confirm(app, ada, client):
    ask(client, "new@example.org")
    link = mailed_link(mails_to(app, "new@example.org"), CONFIRM)
    with app.app_context():
        create_user("bob@example.org", PASSWORD, display_name="Bob")
    bob = AuthActions(app.test_client())
    bob.login(email="bob@example.org")
    response = bob.follow(link)
    assert response.status_code == 400
    assert "This link is for another account" in response.get_data(as_text=True)
    assert email_of(app, "Ada") == "ada@example.org"


def change_password(client) -> None:
    data = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert client.post("/account/password", data=data).status_code == 302


def sign_out_everywhere(client) -> None:
    assert client.post("/account/sessions/end").status_code == 302


@pytest.mark.parametrize("owner_reacts", [change_password, sign_out_everywhere])
def test_an_owner_who_reacts_kills_a_link_someone_else_asked_for(app, ada, client, owner_reacts):
    """Someone who learnt the password asks to move the account to their address; the owner,
    warned by the notice, changes the password or signs out everywhere."""
    intruder = AuthActions(app.test_client())
    assert intruder.login().status_code == 302
    assert ask(intruder.client, "evil@evil.test").status_code == 302
    link = mailed_link(mails_to(app, "evil@evil.test"), CONFIRM)
    owner_reacts(client)
    for who in (client, intruder.client):  # the owner's session, and the intruder's (ended)
        response = AuthActions(who).follow(link)
        if response.status_code == 302:  # the intruder is signed out: sign in again first
            assert "/login" in response.headers["Location"]
            continue
        assert response.status_code == 400
        assert "no longer works" in response.get_data(as_text=True)
        assert "password was changed or every session was signed out" in response.get_data(
            as_text=True
        )
    if owner_reacts is sign_out_everywhere:  # the intruder still knows the password
        assert intruder.login().status_code == 302
        assert intruder.follow(link).status_code == 400
    assert email_of(app, "Ada") == "ada@example.org"


def test_a_taken_address_gets_the_same_answer_and_no_link(app, ada, client):
    with app.app_context():
        create_user("bob@example.org", PASSWORD, display_name="Bob")
    free = ask(client, "free@example.org")
    taken = ask(client, "bob@example.org")
    assert (free.status_code, free.headers["Location"]) == (
        taken.status_code,
        taken.headers["Location"],
    )
    to_bob = mails_to(app, "bob@example.org")[-1]
    assert "already has an account" in to_bob.body and CONFIRM not in to_bob.body
    assert mailed_link(mails_to(app, "free@example.org"), CONFIRM) is not None
    assert len(mails_to(app, "ada@example.org")) == 1 + 2  # the sign-up link, two notices


def test_an_address_taken_after_the_link_was_sent_fails_clearly(app, ada, client):
    ask(client, "new@example.org")
    link = mailed_link(mails_to(app, "new@example.org"), CONFIRM)
    with app.app_context():
        create_user("new@example.org", PASSWORD, display_name="Someone")
    response = AuthActions(client).follow(link)
    assert response.status_code == 400
    assert "cannot be used for your account" in response.get_data(as_text=True)
    assert email_of(app, "Ada") == "ada@example.org"


@pytest.mark.parametrize(
    "new_email, password, field_message",
    [
        ("new@example.org", "not my password", "Your password is not correct."),
        ("not an address", PASSWORD, "Enter an email address"),
        ("ADA@example.org", PASSWORD, "already your email address"),
    ],
)
def test_bad_requests_say_what_is_wrong(app, ada, client, new_email, password, field_message):
    sent = len(mails_to(app, "ada@example.org"))
    response = ask(client, new_email, password)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert len(mails_to(app, "ada@example.org")) == sent


def test_the_link_expires_after_a_day(app, ada):
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with app.test_request_context(), app.app_context():
        user = db.session.scalar(select(User))
        recovery.request_email_change(db.session, user, PASSWORD, "new@example.org", start)
        token = mailed_link(mails_to(app, "new@example.org"), CONFIRM).rsplit("/", 1)[1]
        assert recovery.email_change_for(db.session, token, start + timedelta(hours=23))
        late = start + timedelta(hours=24, seconds=1)
        with pytest.raises(LinkError):
            recovery.confirm_email_change(db.session, token, user, late)
        with pytest.raises(LinkError):
            recovery.confirm_email_change(db.session, token[:-2] + "xx", user, start)
        assert user.email == "ada@example.org"


def test_the_page_escapes_what_it_shows(app, cheap_passwords):
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.signup(name="<b>Ada</b>").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "&lt;b&gt;Ada&lt;/b&gt;" in page and "<b>Ada</b>" not in page
