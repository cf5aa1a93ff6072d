"""Helpers shared by tests: an app factory for tests, a sign-in driver, the mail outbox."""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quizengine import create_app
from quizengine.extensions import db
from quizengine.mail import Message, outbox

PASSWORD = "correct horse battery"

Request = tuple[str, str, dict | None]  # (method, path, form data)


def at_once(app: Flask, client: FlaskClient, requests: list[Request]) -> list[int]:
    """Send `requests` together, each from its own tab of `client`'s signed-in browser (a
    double click, or a page and its scripts); return their statuses in order."""
    cookie = client.get_cookie("session").value
    statuses: list[int] = [0] * len(requests)  # 0: no answer came
    together = threading.Barrier(len(requests), timeout=10)

    def send(index: int, method: str, path: str, data: dict | None) -> None:
        tab = app.test_client()
        tab.set_cookie("session", cookie)
        together.wait()
        statuses[index] = tab.open(path, method=method, data=data).status_code

    tabs = [threading.Thread(target=send, args=(n, *request), daemon=True)
            for n, request in enumerate(requests)]  # fmt: skip
    for tab in tabs:
        tab.start()
    deadline = time.monotonic() + 60
    for tab in tabs:
        tab.join(max(0.0, deadline - time.monotonic()))
    return statuses


def make_app(tmp_path: Path, **overrides) -> Flask:
    """Create an app on its own SQLite file with the schema in place."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "RATELIMIT_ENABLED": False,
        "MAIL_URL": "memory://",
    }
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


class AuthActions:
    """Sign up, in and out through the real forms, as a browser would."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        """Return the CSRF token embedded in the form at `path` (empty if CSRF is off)."""
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf_token" value="([^"]+)"', page
        )
        return match.group(1) if match else ""

    def signup(self, email="ada@example.org", password=PASSWORD, name="Ada", role="learner"):
        """Fill in the sign-up form, then follow the link mailed to `email` and type the
        password again, as a person would.

        Returns the response that finishes the sign-up (a redirect, now signed in), or
        the form's own response when no link came (bad input, or the address is taken).
        """
        app = self.client.application
        sent = len(outbox(app))
        data = {"email": email, "display_name": name, "password": password, "role": role}
        response = self.client.post("/signup", data={**data, "csrf_token": self.csrf("/signup")})
        link = mailed_link(outbox(app)[sent:], "/signup/confirm/")
        if link is None:
            return response
        return self.follow(link, password=password)

    def follow(self, link: str, **fields: str):
        """Open a mailed link, fill in `fields` and press its button; return the response."""
        path = "/" + link.split("://", 1)[-1].split("/", 1)[-1]
        return self.client.post(path, data={**fields, "csrf_token": self.csrf(path)})

    def login(self, email="ada@example.org", password=PASSWORD, remember=False, next=None):
        data = {"email": email, "password": password, "csrf_token": self.csrf()}
        if remember:
            data["remember"] = "y"
        url = "/login" if next is None else f"/login?next={next}"
        return self.client.post(url, data=data)

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf("/")})


def mails_to(app: Flask, address: str) -> list[Message]:
    """Return the messages sent to `address`, oldest first (MAIL_URL must be memory://)."""
    return [message for message in outbox(app) if message.to == address]


def mailed_link(messages: list[Message], path: str) -> str | None:
    """Return the last link in `messages` whose path starts with `path`, or None."""
    links = [
        link
        for message in messages
        for link in re.findall(r"https?://\S+", message.body)
        if link.split("://", 1)[1].partition("/")[2].startswith(path.lstrip("/"))
    ]
    return links[-1] if links else None


class CountingHasher:
    """A cheap Argon2 hasher that counts its calls: proof of equal work on two paths.

    Wall-clock timings are too noisy on a shared machine; the same number of
    Argon2 hashes and verifications is what makes two paths take the same time.
    """

    def __init__(self) -> None:
        from argon2 import PasswordHasher

        self.inner = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        self.calls: dict[str, int] = {"hash": 0, "verify": 0}

    def hash(self, password: str) -> str:
        self.calls["hash"] += 1
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls["verify"] += 1
        return self.inner.verify(password_hash, password)

    def check_needs_rehash(self, password_hash: str) -> bool:
        return False

    def reset(self) -> dict[str, int]:
        """Return the counts so far and start again from zero."""
        counts, self.calls = self.calls, {"hash": 0, "verify": 0}
        return counts


def set_cookie_flags(response) -> dict[str, dict[str, str]]:
    """Parse a response's Set-Cookie headers: {name: {attribute (lower case): value}}."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name = first.split("=", 1)[0]
        flags = {}
        for attribute in attributes:
            key, _, value = attribute.partition("=")
            flags[key.lower()] = value
        cookies[name] = flags
    return cookies


def finish_signup_in_browser(page, app: Flask, email: str, password: str) -> None:
    """After the sign-up form was sent in Playwright `page`: follow the mailed link, type
    the password chosen at sign-up, confirm."""
    page.wait_for_url("**/signup/sent")
    # Let the page finish its requests: the dev server warns of a response cut short.
    page.wait_for_load_state("networkidle")
    link = mailed_link(mails_to(app, email), "/signup/confirm/")
    assert link is not None, f"no sign-up link was mailed to {email}"
    page.goto(link)
    page.get_by_label("The password you chose when signing up").fill(password)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()


def require(present: bool, message: str, what: str) -> None:
    """Skip the test loudly when a system package is missing; under CI=true, fail it.

    `what` names the tests affected ("POSTGRESQL TESTS"), for the warning line.
    """
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    warnings.warn(pytest.PytestWarning(f"{what} SKIPPED: {message}"), stacklevel=3)
    pytest.skip(message)


def started_postgres(what: str):
    """Yield a started throwaway PostgreSQL cluster and remove it afterwards (a fixture's
    body); without the binaries, skip or fail as `require` does, naming `what`."""
    from devtools.postgres import MISSING, Cluster, binaries

    bin_dir = binaries()
    require(bin_dir is not None, MISSING, what)
    cluster = Cluster(bin_dir).start()
    try:
        yield cluster
    finally:
        cluster.remove()
