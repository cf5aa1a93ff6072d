"""Finishing a sign-up: the mailed link asks for the password chosen at sign-up, so nobody
can pre-set the password of an account its owner confirms; and no form text in that mail."""

from __future__ import annotations

import pytest

from quizengine.extensions import db
from quizengine.mail import outbox
from quizengine.models import User
from tests.helpers import PASSWORD, AuthActions, mailed_link, mails_to, make_app
from tests.quizengine.test_auth import signed_in_as

WRONG_SIGNUP_PASSWORD = "That is not the password chosen when signing up."


def test_confirming_needs_the_password_chosen_at_sign_up(app):
    """An attacker signs up with the owner's address and a password of their own; the owner
    presses the button in the mail. The attacker must not end up knowing the password."""
    attacker = app.test_client()
    form = {"email": "vic@example.org", "display_name": "Vic", "password": "attacker knows this",
            "role": "learner"}  # fmt: skip
    attacker.post("/signup", data=form)
    link = mailed_link(mails_to(app, "vic@example.org"), "/signup/confirm/")
    owner = AuthActions(app.test_client())
    for typed in ({}, {"password": PASSWORD}):  # nothing, then the owner's own password
        response = owner.follow(link, **typed)
        assert response.status_code == 400 and signed_in_as(owner.client) is None
    assert WRONG_SIGNUP_PASSWORD in response.get_data(as_text=True)
    assert "to create an account, sign up again" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 0
    assert owner.signup(email="vic@example.org", name="Vic").status_code == 302  # signs up anew
    stranger = AuthActions(app.test_client())
    assert stranger.login("vic@example.org", form["password"]).status_code == 400


def test_wrong_passwords_void_the_pending_sign_up(tmp_path, cheap_passwords):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1000 per minute",
                   SIGNUP_CONFIRM_ATTEMPTS="3 per day")  # fmt: skip
    client = app.test_client()
    client.post("/signup", data={"email": "ada@example.org", "display_name": "Ada",
                                 "password": PASSWORD, "role": "learner"})  # fmt: skip
    link = mailed_link(mails_to(app, "ada@example.org"), "/signup/confirm/")
    guesser = AuthActions(app.test_client())
    bodies = [guesser.follow(link, password=f"guess number {n}").get_data(as_text=True)
              for n in range(3)]  # fmt: skip
    assert all(WRONG_SIGNUP_PASSWORD in body for body in bodies[:2])
    assert "Too many wrong passwords" in bodies[2]
    late = AuthActions(client).follow(link, password=PASSWORD)  # even the right one, now
    assert late.status_code == 400 and "expired or was already used" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 0


CONTROL_NAMES = ["Vic.\n\nURGENT: verify at https://evil.test/x", "A\tB", "A\x1bB", "A\x85B"]


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_a_display_name_with_control_characters_is_refused(client, app, name):
    form = {"email": "vic@example.org", "display_name": name, "password": PASSWORD,
            "role": "learner"}  # fmt: skip
    response = client.post("/signup", data=form)
    assert response.status_code == 400
    assert "cannot contain line breaks" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_the_sign_up_mail_holds_nothing_typed_into_the_form(client, app):
    form = {"email": "vic@example.org", "display_name": "Zebedee Quux", "password": PASSWORD,
            "role": "learner"}  # fmt: skip
    client.post("/signup", data=form)
    (message,) = mails_to(app, "vic@example.org")
    assert "Zebedee" not in message.body and "/signup/confirm/" in message.body
