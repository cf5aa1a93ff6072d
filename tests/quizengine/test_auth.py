"""Accounts through the real pages: sign up by mail, sign in, sign out, remember me, next, CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizengine import accounts
from quizengine.extensions import db
from quizengine.mail import outbox
from quizengine.models import User
from tests.helpers import PASSWORD, AuthActions, CountingHasher, mailed_link, mails_to, make_app

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
def test_duplicate_email_in_any_case_makes_no_second_account(client, auth, app, email):
    auth.signup()
    auth.logout()
    response = auth.signup(email=email, name="Someone else")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/sent"  # as for a new address
    assert signed_in_as(client) is None
    last = mails_to(app, "ada@example.org")[-1]
    assert "already have an account" in last.body and "/signup/confirm/" not in last.body
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_signup_waits_for_the_mailed_link(client, app):
    form = {"email": "ada@example.org", "display_name": "Ada", "password": PASSWORD,
            "role": "learner"}  # fmt: skip
    response = client.post("/signup", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/signup/sent"
    assert "Check your email" in client.get("/signup/sent").get_data(as_text=True)
    assert signed_in_as(client) is None
    with app.app_context():
        assert db.session.query(User).count() == 0
    link = mailed_link(mails_to(app, "ada@example.org"), "/signup/confirm/")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)  # a mail scanner fetching the link creates nothing
    assert page.status_code == 200 and "Create my account" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        assert db.session.query(User).count() == 0
    assert client.post(path, data={"password": PASSWORD}).status_code == 302
    assert signed_in_as(client) == "Ada"
    # Single use: the link is spent.
    other = app.test_client()
    again = other.post(path, data={"password": PASSWORD})
    assert again.status_code == 400
    assert "expired or was already used" in again.get_data(as_text=True)
    assert signed_in_as(other) is None


def test_a_signup_link_expires_after_a_day(app):
    from quizengine.registration import confirm_signup, start_signup
    from quizengine.tokens import LinkError

    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with app.test_request_context(), app.app_context():
        start_signup(db.session, email="ada@example.org", password=PASSWORD, role="learner",
                     display_name="Ada", now=start)  # fmt: skip
        token = mailed_link(outbox(app), "/signup/confirm/").rsplit("/", 1)[1]
        with pytest.raises(LinkError):
            confirm_signup(db.session, token, PASSWORD, start + timedelta(hours=24, seconds=1))
        with pytest.raises(LinkError):
            confirm_signup(db.session, "not-a-token", PASSWORD, start)
        assert db.session.query(User).count() == 0


def test_two_pending_signups_for_one_address_make_one_account(app, client):
    form = {"email": "ada@example.org", "display_name": "Ada", "password": PASSWORD,
            "role": "learner"}  # fmt: skip
    client.post("/signup", data=form)
    client.post("/signup", data={**form, "display_name": "Ada again"})
    first, second = [mailed_link([m], "/signup/confirm/") for m in mails_to(app, "ada@example.org")]
    assert AuthActions(client).follow(second, password=PASSWORD).status_code == 302
    assert AuthActions(app.test_client()).follow(first, password=PASSWORD).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.display_name)) == "Ada again"


NUL_FIELDS = [
    ("/login", {"email": "a\x00b@example.org", "password": PASSWORD}),
    ("/login", {"email": "ada@example.org", "password": "x\x00" * 6}),
    ("/reset", {"email": "a\x00b@example.org"}),
    ("/signup", {"email": "a\x00b@example.org", "password": PASSWORD, "display_name": "A",
                 "role": "learner"}),
    ("/signup", {"email": "a@example.org", "password": PASSWORD, "display_name": "A\x00",
                 "role": "learner"}),
    ("/login?next=%2F%00", {"email": "ada@example.org", "password": PASSWORD}),
]  # fmt: skip


@pytest.mark.parametrize("path, data", NUL_FIELDS)
def test_a_nul_character_is_a_clear_400_on_both_databases(client, app, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "Text cannot contain the NUL character." in response.get_data(as_text=True)
    assert outbox(app) == []


def test_a_nul_character_under_api_gets_the_json_envelope(client):
    response = client.get("/api/v1/lessons?q=a%00b")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": {"code": "nul_character", "message": "Text cannot contain the NUL character."}
    }


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_weak_password_is_refused_with_a_message(client, auth, app, password):
    response = auth.signup(password=password)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "at least 10 characters" in body or "This field is required" in body
    with app.app_context():
        assert db.session.query(User).count() == 0


BAD_EMAILS = [
    "not-an-email",
    "a@b",
    "two@@example.org",
    # RFC 5322 comments, quotes, brackets and lists: one mailbox, many spellings.
    "(x1)vic@example.org",
    "vic@example.org(x1)",
    '"vic"@example.org',
    "<vic@example.org>",
    "vic@[127.0.0.1]",
    "a,vic@example.org",
    "vic;x@example.org",
    "vic\\x@example.org",
    "vic\x0b@example.org",
]


@pytest.mark.parametrize("email", BAD_EMAILS)
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


# ------------------------------------------------------------------ no account enumeration


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    spy = CountingHasher()
    monkeypatch.setattr(accounts, "password_hasher", spy)
    return spy


def comparable(response, email: str) -> tuple:
    """What an observer of a response sees, with the address typed into the form removed."""
    cookies = sorted(h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie"))
    body = response.get_data(as_text=True).replace(email, "EMAIL")
    return response.status_code, response.headers.get("Location"), cookies, body


@pytest.mark.parametrize("csrf", [False, True])
def test_signup_answers_the_same_for_a_taken_and_a_new_address(tmp_path, monkeypatch, csrf):
    spy = CountingHasher()
    monkeypatch.setattr(accounts, "password_hasher", spy)
    app = make_app(tmp_path, WTF_CSRF_ENABLED=csrf)
    with app.app_context():
        accounts.create_user("taken@example.org", PASSWORD)
    spy.reset()
    seen, work = [], []
    for email in ("taken@example.org", "new@example.org"):
        client = app.test_client()
        form = {"email": email, "display_name": "X", "password": PASSWORD, "role": "learner",
                "csrf_token": AuthActions(client).csrf("/signup")}  # fmt: skip
        seen.append(comparable(client.post("/signup", data=form), email))
        work.append(spy.reset())
        assert len(mails_to(app, email)) == 1
    assert seen[0] == seen[1]
    assert seen[0][:2] == (302, "/signup/sent")
    assert work[0] == work[1] == {"hash": 1, "verify": 0}
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_sign_in_answers_the_same_for_a_wrong_password_and_an_unknown_address(app, hasher):
    with app.app_context():
        accounts.create_user("ada@example.org", PASSWORD)
    hasher.reset()
    wrong = AuthActions(app.test_client()).login(email="ada@example.org", password="wrong!!")
    wrong_work = hasher.reset()
    unknown = AuthActions(app.test_client()).login(email="bob@example.org", password="wrong!!")
    unknown_work = hasher.reset()
    assert comparable(wrong, "ada@example.org") == comparable(unknown, "bob@example.org")
    assert wrong_work == unknown_work == {"hash": 0, "verify": 1}


def test_signup_form_errors_still_show_on_the_form(client, app):
    form = {"email": "ada@example.org", "display_name": "", "password": PASSWORD}
    response = client.post("/signup", data=form)
    assert response.status_code == 400
    assert "This field is required" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_a_mail_server_failure_is_a_clear_message_for_every_address(app, monkeypatch):
    from quizengine import mail

    def refuse(message):
        raise mail.MailError("down")

    with app.app_context():
        accounts.create_user("taken@example.org", PASSWORD)
        monkeypatch.setattr(app.extensions[mail.EXTENSION], "send", refuse)
    seen = []
    for email in ("taken@example.org", "new@example.org"):
        form = {"email": email, "display_name": "X", "password": PASSWORD, "role": "learner"}
        seen.append(comparable(app.test_client().post("/signup", data=form), email))
    assert seen[0] == seen[1]
    assert seen[0][0] == 503 and "could not send the email" in seen[0][3]
