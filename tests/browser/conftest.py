"""Browser fixtures: Debian's Chromium driven by Playwright, and a live app server.

Missing Chromium skips these tests with a loud message, except under CI=true,
where it fails: CI must prove the pages work.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.restartable import RestartableServer
from tests.helpers import make_app, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


CHROMIUM_MISSING = (
    f"{CHROMIUM} is missing: install Debian's chromium and fonts-lmodern "
    "(scripts/system-deps.sh does it as root)"
)


@pytest.fixture(scope="session")
def browser():
    require(bool(shutil.which(CHROMIUM)), CHROMIUM_MISSING, "BROWSER TESTS")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


class LiveServer(str):
    """The server's base URL, with the app it serves (to read its mail outbox)."""

    app: Flask


def closed_at_once(app: Flask):
    """Wrap `app` so every response is read and closed before werkzeug writes it.

    A browser that navigates away drops the requests still loading. Werkzeug's
    development server then fails while draining the socket, before it closes the
    response, and a static file stays open until the garbage collector finds it.
    That is a ResourceWarning, which fails whichever test happens to be running.
    """

    def serve(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return serve


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """Serve a fresh app (CSRF on, as in production) on a free loopback port."""
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, closed_at_once(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = LiveServer(f"http://127.0.0.1:{server.server_port}")
    url.app = app
    yield url
    server.shutdown()
    thread.join(5)


@pytest.fixture
def server(tmp_path) -> Iterator[RestartableServer]:
    """A fresh app (CSRF on) on a port it can be stopped and restarted on (offline tests)."""
    live = RestartableServer(make_app(tmp_path, WTF_CSRF_ENABLED=True, TESTING=False))
    live.start()
    yield live
    if live.server is not None:
        live.stop()


@pytest.fixture
def new_context(browser):
    """Make browser contexts (devices) with the given options; all closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
