"""Sessions: cookie flags, fresh sign-in for sensitive changes, sign out everywhere."""

from __future__ import annotations

import time

import pytest

from quizengine.auth_session import AUTH_TIME_KEY
from tests.helpers import PASSWORD, AuthActions, make_app, set_cookie_flags
from tests.quizengine.test_auth import signed_in_as

AUTH_COOKIES = {"session", "remember_token", "quizengine_device"}
SENSITIVE = ["/account/password", "/account/email"]


def sign_in_with_remember_me(app, **request):
    """Sign in through the form with "keep me signed in"; return the response."""
    client = app.test_client()
    data = {"email": "ada@example.org", "password": PASSWORD, "remember": "y"}
    return client.post("/login", data=data, **request)


@pytest.fixture
def ada(app, auth, cheap_passwords):
    """Ada's account, made through the real sign-up; the `client` is signed in as Ada."""
    assert auth.signup().status_code == 302


# ------------------------------------------------------------------ cookie flags


COOKIE_CASES = [
    # (app settings, how the request arrives, Secure expected)
    ({}, {}, False),
    ({"SESSION_COOKIE_SECURE": True}, {}, True),
    ({}, {"base_url": "https://localhost"}, True),
    ({"PROXY_FIX": 1}, {"headers": {"X-Forwarded-Proto": "https"}}, True),
    ({}, {"headers": {"X-Forwarded-Proto": "https"}}, False),  # no proxy trusted: ignored
]


@pytest.mark.parametrize("settings, request_options, secure", COOKIE_CASES)
def test_sign_in_cookies_are_httponly_lax_and_secure_over_https(
    tmp_path, cheap_passwords, settings, request_options, secure
):
    app = make_app(tmp_path, **settings)
    with app.app_context():
        from quizengine.accounts import create_user

        create_user("ada@example.org", PASSWORD)
    response = sign_in_with_remember_me(app, **request_options)
    assert response.status_code == 302
    cookies = set_cookie_flags(response)
    assert set(cookies) == AUTH_COOKIES
    for name, flags in cookies.items():
        assert "httponly" in flags, name
        assert flags.get("samesite") == "Lax", name
        assert ("secure" in flags) is secure, name
    assert app.config["REMEMBER_COOKIE_SECURE"] is bool(settings.get("SESSION_COOKIE_SECURE"))


def test_secure_cookies_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZENGINE_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("QUIZENGINE_PROXY_FIX", "1")
    app = make_app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["PROXY_FIX"] == 1
    monkeypatch.setenv("QUIZENGINE_PROXY_FIX", "yes")
    with pytest.raises(ValueError, match="QUIZENGINE_PROXY_FIX must be a whole number"):
        make_app(tmp_path)


# ------------------------------------------------------------------ fresh sign-in


@pytest.mark.parametrize("path", SENSITIVE)
def test_a_session_restored_from_remember_me_must_confirm_the_password(app, ada, auth, path):
    auth.logout()
    auth.login(remember=True)
    restored = app.test_client()
    restored.set_cookie("remember_token", auth.client.get_cookie("remember_token").value)
    assert signed_in_as(restored) == "Ada"

    response = restored.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reauthenticate?next={path.replace('/', '%2F')}"
    page = restored.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please confirm your password to continue." in page

    wrong = restored.post(f"/reauthenticate?next={path}", data={"password": "not my password"})
    assert wrong.status_code == 400 and "not correct" in wrong.get_data(as_text=True)
    assert restored.get(path).status_code == 302

    right = restored.post(f"/reauthenticate?next={path}", data={"password": PASSWORD})
    assert right.status_code == 302 and right.headers["Location"] == path
    assert restored.get(path).status_code == 200


@pytest.mark.parametrize("path", SENSITIVE)
def test_a_sign_in_older_than_the_window_is_not_fresh(app, ada, client, path):
    assert client.get(path).status_code == 200
    window = app.config["FRESH_LOGIN_SECONDS"]
    with client.session_transaction() as session:
        session[AUTH_TIME_KEY] -= window + 1
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith(
        "/reauthenticate"
    )
    with client.session_transaction() as session:
        session[AUTH_TIME_KEY] = int(time.time()) - window + 60
    assert client.get(path).status_code == 200


def test_a_stale_session_cannot_change_the_password_by_posting(app, ada, client):
    with client.session_transaction() as session:
        session[AUTH_TIME_KEY] = 0
    data = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    response = client.post("/account/password", data=data)
    assert response.status_code == 302 and "/reauthenticate" in response.headers["Location"]
    auth = AuthActions(app.test_client())
    assert auth.login(password=PASSWORD).status_code == 302  # unchanged


def test_reauthenticate_never_redirects_off_the_site(ada, client):
    response = client.post("/reauthenticate?next=//evil.com", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"


def test_password_change_mails_the_owner(app, ada, client):
    from tests.helpers import mails_to

    data = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert client.post("/account/password", data=data).status_code == 302
    assert mails_to(app, "ada@example.org")[-1].subject == "Your Quizengine password was changed"


# ------------------------------------------------------------------ sign out everywhere


def test_sign_out_everywhere_ends_other_sessions_and_keeps_this_one(app, ada, auth, client):
    auth.logout()
    auth.login(remember=True)
    old_remember = client.get_cookie("remember_token").value
    other = app.test_client()
    AuthActions(other).login()
    assert signed_in_as(other) == "Ada"

    page = client.get("/account").get_data(as_text=True)
    assert "Sign out other sessions" in page and 'action="/account/sessions/end"' in page
    response = client.post("/account/sessions/end")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert signed_in_as(client) == "Ada"
    assert signed_in_as(other) is None
    replay = app.test_client()
    replay.set_cookie("remember_token", old_remember)
    assert signed_in_as(replay) is None
    # This browser's remember-me cookie was renewed under the new token.
    renewed = app.test_client()
    renewed.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert signed_in_as(renewed) == "Ada"


def test_sign_out_everywhere_needs_a_post_and_a_sign_in(app, ada, client):
    assert client.get("/account/sessions/end").status_code == 405
    anonymous = app.test_client().post("/account/sessions/end")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
