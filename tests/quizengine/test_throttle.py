"""Throttles: an attacker is slowed, the owner is never locked out, nothing tells whether
an address has an account, and the counts live in Flask-Limiter's storage."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from quizengine import accounts
from quizengine.accounts import create_user, set_password
from quizengine.extensions import db, limiter
from quizengine.models import User
from tests.helpers import PASSWORD, AuthActions, mailed_link, mails_to, make_app

ATTACKER, OWNER_IP, ELSEWHERE = "203.0.113.7", "198.51.100.20", "192.0.2.99"
LIMITS = {
    "RATELIMIT_ENABLED": True,
    "LOGIN_RATE_LIMIT": "1000 per minute",  # the per-IP form limit is tested on its own
    "SIGNIN_FAILURES_PER_ADDRESS_AND_IP": "3 per 15 minutes",
    "SIGNIN_FAILURES_PER_ADDRESS": "6 per hour",
    "SIGNIN_FAILURES_PER_DEVICE": "3 per 15 minutes",
    "MAILS_PER_ADDRESS_AND_IP": "2 per hour",
    "MAILS_PER_ADDRESS": "5 per hour",
    "MAILS_PER_DEVICE": "2 per hour",
    "MAILS_PER_ADDRESS_FROM_KNOWN_DEVICES": "3 per hour",
}
WAIT = "Too many attempts; try again in 15 minutes."


@pytest.fixture
def app(tmp_path, cheap_passwords):
    app = make_app(tmp_path, **LIMITS)
    with app.app_context():
        create_user("ada@example.org", PASSWORD, display_name="Ada")
    return app


def client_at(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def sign_in(client, email="ada@example.org", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def guess(client, email="ada@example.org", times=1) -> list[int]:
    return [sign_in(client, email, "a wrong guess").status_code for _ in range(times)]


def known_device(app, ip: str = OWNER_IP, email: str = "ada@example.org"):
    """The owner's browser: signed in once (so it holds the device cookie), then out."""
    browser = client_at(app, ip)
    assert sign_in(browser, email).status_code == 302
    assert browser.get_cookie("quizengine_device") is not None
    browser.post("/logout")
    return browser


def test_one_ip_guessing_one_address_is_throttled_even_with_the_right_password(app):
    attacker = client_at(app, ATTACKER)
    assert guess(attacker, times=3) == [400, 400, 400]
    blocked = sign_in(attacker)  # right password, but not even checked now
    assert blocked.status_code == 429
    body = blocked.get_data(as_text=True)
    assert WAIT in body and "<h1>Sign in</h1>" in body and 'name="password"' in body
    assert int(blocked.headers["Retry-After"]) > 800
    assert blocked.headers.getlist("Set-Cookie") == [] and "Sign out" not in body


def test_a_throttled_unknown_address_looks_the_same_as_a_known_one(app):
    responses = []
    for email in ("ada@example.org", "nobody@example.org"):
        attacker = client_at(app, ATTACKER)
        guess(attacker, email, times=3)
        response = sign_in(attacker, email, "a wrong guess")
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        responses.append((response.status_code, response.headers["Retry-After"][:2], body))
    assert responses[0] == responses[1]
    assert responses[0][0] == 429


def test_the_owner_elsewhere_still_signs_in(app):
    guess(client_at(app, ATTACKER), times=4)
    assert sign_in(client_at(app, ELSEWHERE)).status_code == 302


def test_many_ips_guessing_one_address_are_throttled_but_not_the_owners_browser(app):
    owner = known_device(app)  # a sign-in counts too: 5 guesses fill the 6 per hour
    for n in range(5):
        assert guess(client_at(app, f"203.0.113.{n + 10}")) == [400]
    assert sign_in(client_at(app, "203.0.113.50")).status_code == 429  # a new machine waits
    assert sign_in(client_at(app, ELSEWHERE)).status_code == 429
    assert sign_in(owner).status_code == 302  # the known device is not locked out


def test_the_owners_browser_is_not_locked_out_by_an_attacker_on_the_same_ip(app):
    """A school or a café: the attacker and the owner share one address."""
    owner = known_device(app, ATTACKER)
    guess(client_at(app, ATTACKER), times=5)
    assert sign_in(client_at(app, ATTACKER)).status_code == 429
    assert sign_in(owner).status_code == 302


def test_a_known_device_has_a_limit_of_its_own(app):
    owner = known_device(app)
    assert guess(owner, times=3) == [400, 400, 400]
    assert sign_in(owner).status_code == 429
    assert sign_in(client_at(app, ELSEWHERE)).status_code == 302  # the other buckets are clean


def test_a_device_cookie_for_another_account_or_forged_does_not_help(app):
    with app.app_context():
        create_user("eve@example.org", PASSWORD, display_name="Eve")
    eve = known_device(app, ATTACKER, "eve@example.org")  # a cookie for Eve's account
    guess(eve, times=3)
    assert sign_in(eve).status_code == 429
    forged = client_at(app, ATTACKER)
    forged.set_cookie("quizengine_device", "eyJ1IjoxLCJkIjoieCJ9.forged")
    assert sign_in(forged).status_code == 429


def test_counts_live_in_the_limiter_storage_without_the_address(app):
    guess(client_at(app, ATTACKER), times=2)
    keys = list(limiter.storage.storage)  # limits' MemoryStorage; Redis in production
    assert any("signin-ip" in key and ATTACKER in key for key in keys)
    assert not any("ada@example.org" in key for key in keys)


def test_reauthentication_counts_as_a_sign_in(app):
    browser = client_at(app, ATTACKER)
    assert sign_in(browser).status_code == 302
    codes = [
        browser.post("/reauthenticate", data={"password": "a wrong guess"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [400, 400, 400] and codes[3] == 429


def test_the_per_ip_form_limit_shows_the_sign_in_page(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    client = client_at(app, ATTACKER)
    codes = [sign_in(client, "x@example.org", "a wrong guess").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    third = sign_in(client, "x@example.org")
    body = third.get_data(as_text=True)
    assert "Too many attempts; try again in 1 minute." in body and "<h1>Sign in</h1>" in body
    assert sign_in(client_at(app, ELSEWHERE), "x@example.org").status_code == 400


@pytest.mark.parametrize("path", ["/signup", "/reset"])
def test_the_per_ip_form_limit_covers_sign_up_and_reset(tmp_path, path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    client = client_at(app, ATTACKER)
    codes = [client.post(path, data={}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    assert "Too many attempts; try again in" in client.post(path).get_data(as_text=True)


def ask_reset(app, ip: str) -> tuple[int, str]:
    response = client_at(app, ip).post("/reset", data={"email": "ada@example.org"})
    return response.status_code, response.headers["Location"]


def test_mail_is_capped_per_address_and_ip_then_per_address(app):
    answers = {ask_reset(app, ATTACKER) for _ in range(3)}
    assert len(mails_to(app, "ada@example.org")) == 2  # this IP's allowance is spent
    ask_reset(app, OWNER_IP)
    assert len(mails_to(app, "ada@example.org")) == 3  # but not the owner's
    answers |= {ask_reset(app, f"203.0.113.{n}") for n in range(4)}
    assert len(mails_to(app, "ada@example.org")) == 5  # the ceiling, however many IPs
    answers.add(ask_reset(app, OWNER_IP))
    assert len(mails_to(app, "ada@example.org")) == 5
    assert answers == {(302, "/reset/sent")}  # the page never tells


def test_the_owners_browser_gets_mail_after_many_ips_spent_the_ceiling(app):
    browser = known_device(app, ip=ATTACKER)  # the owner shares the attacker's NAT, even
    for n in range(5):
        ask_reset(app, f"203.0.113.{n}")
    spent = len(mails_to(app, "ada@example.org"))
    assert spent == 5 and ask_reset(app, ELSEWHERE) == (302, "/reset/sent")
    assert len(mails_to(app, "ada@example.org")) == spent  # a stranger's browser: nothing
    answers = [browser.post("/reset", data={"email": "ada@example.org"}).status_code
               for _ in range(3)]  # fmt: skip
    assert answers == [302, 302, 302]
    assert len(mails_to(app, "ada@example.org")) == spent + 2  # its own cap, not unlimited


def test_a_device_cookie_of_another_account_does_not_lift_the_mail_ceiling(app):
    with app.app_context():
        create_user("bob@example.org", PASSWORD)
    bobs = known_device(app, ip=ELSEWHERE, email="bob@example.org")
    for n in range(5):
        ask_reset(app, f"203.0.113.{n}")
    spent = len(mails_to(app, "ada@example.org"))
    bobs.post("/reset", data={"email": "ada@example.org"})
    assert len(mails_to(app, "ada@example.org")) == spent


def reset_from(app, cookies: list[str], times: int) -> int:
    """Ask for reset mail `times` from each browser holding one of `cookies`; return how
    many mails went out."""
    before = len(mails_to(app, "ada@example.org"))
    for n, cookie in enumerate(cookies):
        for _ in range(times):
            browser = client_at(app, f"198.18.0.{n}")
            browser.set_cookie("quizengine_device", cookie)
            browser.post("/reset", data={"email": "ada@example.org"})
    return len(mails_to(app, "ada@example.org")) - before


def test_known_browsers_together_have_a_ceiling_per_address(app):
    cookies = [known_device(app, ip=f"203.0.113.{n}").get_cookie("quizengine_device").value
               for n in range(4)]  # fmt: skip
    assert reset_from(app, cookies, 2) == 3  # not 4 x 2: MAILS_PER_ADDRESS_FROM_KNOWN_DEVICES


def test_device_cookies_from_before_a_password_change_are_strangers(app):
    cookies = [known_device(app, ip=f"203.0.113.{n}").get_cookie("quizengine_device").value
               for n in range(4)]  # fmt: skip
    with app.app_context():
        set_password(db.session, db.session.scalars(select(User)).one(), "a new passphrase!")
    assert reset_from(app, cookies, 2) == 5  # the strangers' ceiling, MAILS_PER_ADDRESS


def test_a_new_password_forgets_other_browsers_but_not_this_one(app):
    old = known_device(app, ip=ELSEWHERE)
    owner = client_at(app, OWNER_IP)
    assert sign_in(owner).status_code == 302
    data = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert owner.post("/account/password", data=data).status_code == 302
    owner.post("/logout")
    for n in range(6):  # strangers spend the address's sign-in allowance
        guess(client_at(app, f"203.0.113.{n + 10}"))
    assert sign_in(old, password="a brand new passphrase").status_code == 429
    assert sign_in(owner, password="a brand new passphrase").status_code == 302


def test_security_notices_are_never_dropped(app):
    for n in range(5):
        ask_reset(app, f"203.0.113.{n}")
    spent = len(mails_to(app, "ada@example.org"))
    owner = client_at(app, OWNER_IP)
    assert sign_in(owner).status_code == 302
    asked = owner.post("/account/email", data={"email": "new@example.org", "password": PASSWORD})
    assert asked.status_code == 302
    data = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert owner.post("/account/password", data=data).status_code == 302
    subjects = [m.subject for m in mails_to(app, "ada@example.org")[spent:]]
    assert subjects == ["Quizengine: a change of email address was requested",
                        "Your Quizengine password was changed"]  # fmt: skip


def test_a_reset_unlocks_an_owner_locked_out_by_the_address_limit(app):
    for n in range(6):
        guess(client_at(app, f"203.0.113.{n + 10}"))
    for _ in range(5):
        ask_reset(app, ATTACKER)  # the address's whole allowance before the fix
    owner = client_at(app, OWNER_IP)  # a new machine: no device cookie
    assert sign_in(owner).status_code == 429
    sent = len(mails_to(app, "ada@example.org"))
    assert ask_reset(app, OWNER_IP) == (302, "/reset/sent")
    link = mailed_link(mails_to(app, "ada@example.org")[sent:], "/reset/")
    assert link is not None
    done = AuthActions(owner).follow(link, password="a brand new passphrase")
    assert done.status_code == 302 and owner.get_cookie("quizengine_device") is not None
    owner.post("/logout")
    assert sign_in(owner, password="a brand new passphrase").status_code == 302
    assert sign_in(client_at(app, "203.0.113.99")).status_code == 429  # others still wait


def test_parallel_guesses_cannot_all_pass_the_limit(app, monkeypatch):
    """Each attempt is counted before its password is checked, so a burst of guesses sent at
    once gets no more checks than the limit (3 per address and IP here)."""
    check = accounts.check_password

    def slow_check(*args, **kwargs):
        time.sleep(0.3)  # every request of the burst is past the throttle before one ends
        return check(*args, **kwargs)

    monkeypatch.setattr(accounts, "check_password", slow_check)
    start, codes = threading.Barrier(6), []

    def attempt() -> None:
        browser = client_at(app, ATTACKER)
        start.wait()
        codes.append(sign_in(browser, password="a wrong guess").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [400, 400, 400, 429, 429, 429]
