"""Accounts through the real pages: sign up, sign in, sign out, remember me, next, CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizengine.extensions import db
from quizengine.models import User
from tests.helpers import PASSWORD, AuthActions, make_app

OPEN_REDIRECTS = [
    "//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "https://evil.com/",
    "http:/evil.com",
    "javascript:alert(1)",
    "/%0d%0aLocation:%20https://evil.com",
    "evil.com",
]


def signed_in_as(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    if "Sign out" not in page:
        return None
    return page.split('class="who">', 1)[1].split("<", 1)[0]


def test_signup_creates_account_and_signs_in(client, auth, app):
    response = auth.signup(email="Ada@Example.org", name="Ada L")
    assert response.status_code == 302
    assert signed_in_as(client) == "Ada L"
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "ada@example.org"
        assert user.role == "learner"


def test_signup_as_teacher(client, auth):
    auth.signup(role="teacher", name="Prof")
    assert signed_in_as(client) == "Prof (teacher)"


@pytest.mark.parametrize("email", ["ada@example.org", "ADA@example.org", " Ada@EXAMPLE.org "])
def test_duplicate_email_in_any_case_is_refused(client, auth, app, email):
    auth.signup()
    auth.logout()
    response = auth.signup(email=email, name="Someone else")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 1


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_weak_password_is_refused_with_a_message(client, auth, app, password):
    response = auth.signup(password=password)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "at least 10 characters" in body or "This field is required" in body
    with app.app_context():
        assert db.session.query(User).count() == 0


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.org"])
def test_bad_email_is_refused(client, auth, email):
    response = auth.signup(email=email)
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_sign_in_and_out(client, auth):
    auth.signup()
    auth.logout()
    assert signed_in_as(client) is None
    response = auth.login()
    assert response.status_code == 302
    assert signed_in_as(client) == "Ada"
    response = auth.logout()
    assert response.status_code == 302
    assert signed_in_as(client) is None


def test_sign_out_needs_post(client, auth):
    auth.signup()
    assert client.get("/logout").status_code == 405
    assert signed_in_as(client) == "Ada"


def test_wrong_password_and_unknown_email_look_the_same(client, auth):
    auth.signup()
    auth.logout()
    wrong = auth.login(password="not the password")
    unknown = auth.login(email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password do not match an account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_remember_me_sets_a_cookie_that_restores_the_session(app, client, auth):
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert signed_in_as(fresh) == "Ada"


def test_without_remember_me_there_is_no_remember_cookie(client, auth):
    auth.signup()
    auth.logout()
    auth.login(remember=False)
    assert client.get_cookie("remember_token") is None


def test_password_change_ends_other_sessions_and_remember_cookies(app, client, auth):
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    remember = client.get_cookie("remember_token").value
    other = app.test_client()
    AuthActions(other).login()
    assert signed_in_as(other) == "Ada"

    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert signed_in_as(client) == "Ada"  # this session continues
    assert signed_in_as(other) is None  # the other device is signed out
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert signed_in_as(replay) is None
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 400
    assert auth.login(password="a brand new passphrase").status_code == 302


def test_password_change_needs_the_current_password(client, auth):
    auth.signup()
    response = client.post(
        "/account/password",
        data={"current_password": "wrong wrong wrong", "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 400
    assert "current password is not correct" in response.get_data(as_text=True)


def test_account_page_needs_sign_in_and_comes_back_after(client, auth):
    auth.signup()
    auth.logout()
    response = client.get("/account/password")
    assert response.status_code == 302
    assert "/login?next=/account/password" in response.headers["Location"]
    response = auth.login(next="/account/password")
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_next_never_leaves_the_site(client, auth, target):
    auth.signup()
    auth.logout()
    response = auth.login(next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.sqlite_only  # reads the database file itself
def test_password_is_never_stored_in_clear(app, auth):
    auth.signup()
    with app.app_context():
        user = db.session.scalar(select(User))
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith("$argon2id$")
    with open(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), "rb") as handle:
        assert PASSWORD.encode() not in handle.read()


@pytest.fixture
def csrf_client(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    return app.test_client()


@pytest.mark.parametrize(
    "path, data",
    [
        ("/signup", {"email": "a@example.org", "display_name": "A", "password": PASSWORD}),
        ("/login", {"email": "a@example.org", "password": PASSWORD}),
        ("/logout", {}),
    ],
)
def test_forms_without_csrf_token_are_rejected(csrf_client, path, data):
    response = csrf_client.post(path, data=data)
    assert response.status_code == 400
    assert "expired or was not sent from this site" in response.get_data(as_text=True)


def test_forms_with_csrf_token_work(csrf_client):
    actions = AuthActions(csrf_client)
    assert actions.csrf("/signup")
    assert actions.signup().status_code == 302
    assert actions.logout().status_code == 302
    assert actions.login().status_code == 302


def test_sign_in_is_rate_limited(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    actions = AuthActions(app.test_client())
    codes = [actions.login(password="wrong password!").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
