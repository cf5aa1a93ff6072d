"""Start the real server exactly as `make run` does, then sign up (following the link in
the outbox file) and sign in over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.stdout.read()}")
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError("server did not start in time")


def csrf_token(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(url).text).group(1)


@pytest.fixture
def served(tmp_path):
    """`make run` on a free port with a fresh instance folder; yields the base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZENGINE_")}
    env["QUIZENGINE_INSTANCE_PATH"] = str(tmp_path / "instance")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/", process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


@pytest.mark.slow
def test_make_run_serves_sign_up_and_sign_in(served, tmp_path):
    browser = requests.Session()
    home = browser.get(served + "/")
    assert home.status_code == 200 and "Create a free account" in home.text
    assert "gunicorn" in home.headers.get("Server", "")  # not the debug server

    form = {"email": "smoke@example.org", "display_name": "Smoke", "password": "a long enough one"}
    signup = browser.post(
        served + "/signup",
        data={**form, "role": "learner", "csrf_token": csrf_token(browser, served + "/signup")},
    )
    assert signup.status_code == 200 and "Check your email" in signup.text
    # `make run` mails through log://: the link is in instance/outbox.log.
    outbox = (tmp_path / "instance" / "outbox.log").read_text()
    link = re.findall(r"http://\S+/signup/confirm/\S+", outbox)[-1]
    confirmed = browser.post(
        link, data={"password": form["password"], "csrf_token": csrf_token(browser, link)}
    )
    assert confirmed.status_code == 200 and "Welcome, Smoke" in confirmed.text

    browser.post(served + "/logout", data={"csrf_token": csrf_token(browser, served + "/")})
    assert "Sign out" not in browser.get(served + "/").text

    login = browser.post(
        served + "/login",
        data={
            "email": form["email"],
            "password": form["password"],
            "csrf_token": csrf_token(browser, served + "/login"),
        },
    )
    assert login.status_code == 200 and "Sign out" in login.text
    assert (tmp_path / "instance" / "quizengine.sqlite3").exists()
    assert browser.post(served + "/login", data={"email": "x"}).status_code == 400  # no token
