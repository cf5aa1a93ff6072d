"""Every page under the Content-Security-Policy, in Chromium: no violation, no other origin.

A live server with CSRF on (as in production) and a world of people, a class, a
problem set and an assignment. As nobody, a learner and a teacher (signed in on
the /login page), Chromium opens every GET route of `app.url_map` that answers
HTML, the offline app shell (it registers the service worker) and a practice
page where math renders and the live preview fills in. A script added before
any page script records `securitypolicyviolation` events; the console is read
for "Content Security Policy"; every request of the context, the service
worker's included, must go to the app's own origin.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from quizengine import accounts
from quizengine.extensions import db
from tests.helpers import PASSWORD, make_app
from tests.quizengine.security import rules_with, sign_in
from tests.quizengine.test_access import request_for, world

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE = {"anonymous": None, "learner": "ada@example.org", "teacher": "owner@example.org"}
EXTRA_PAGES = ["/practice/gradient?seed=3&level=1", "/practice/hessian?seed=4&level=1",
               "/no/such/page"]  # fmt: skip
RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + e.blockedURI + " at " +
                    e.sourceFile + ":" + e.lineNumber);
});
"""
NOT_NETWORK = ("data", "blob", "about")


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(accounts, "password_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))  # fmt: skip
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, TESTING=False)
    with app.app_context():
        found = world()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, found, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def html_pages(app, found, email: str | None) -> list[str]:
    """Return the GET paths that answer this person with an HTML page."""
    client = sign_in(app, email)
    adapter = app.url_map.bind("localhost")
    paths = [request_for(adapter, rule, "GET", found)[0] for rule, _ in rules_with(app, {"GET"})]
    pages = []
    for path in paths + EXTRA_PAGES:
        response = client.get(path)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            pages.append(path)
        response.close()
    return pages


def wait_until(page, predicate, what: str, timeout: float = 20.0) -> None:
    """Poll from Python: the policy forbids the string evaluation wait_for_function does."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)


def visit(page, base: str, path: str) -> None:
    page.goto(base + path, wait_until="load")
    if path == "/app":  # the service worker takes over, fetches a pack, syncs
        wait_until(page, lambda: page.evaluate("navigator.serviceWorker.controller !== null"),
                   "the service worker")  # fmt: skip
    if path.startswith("/practice/") and page.locator("textarea#answer").count():
        assert page.locator(".prompt math").count() > 0, f"no MathML on {path}"
        page.fill("textarea#answer", "(2x, 1)" if "gradient" in path else "[[2, 0], [0, 2]]")
        page.wait_for_selector("#preview math, #preview .parse-error")
    page.wait_for_load_state("networkidle")


def sign_in_on_the_page(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"could not sign in as {email}"


@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_runs_under_the_policy_and_stays_on_this_origin(browser, site, who):
    app, found, base = site
    pages = html_pages(app, found, PEOPLE[who])
    assert "/app" in pages and len(pages) >= (6 if who == "anonymous" else 15)
    context = browser.new_context()
    context.set_default_timeout(20_000)
    context.add_init_script(script=RECORDER)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{page.url}: {message.text}"))
    violations: list[str] = []
    try:
        if PEOPLE[who]:
            sign_in_on_the_page(page, base, PEOPLE[who])
        for path in pages:
            visit(page, base, path)
            violations += [f"{path}: {v}" for v in page.evaluate("() => window.__csp || []")]
        # The recorder works: an inline script added now is refused and recorded.
        page.evaluate("""() => { const s = document.createElement("script");
                                 s.textContent = "window.ran = 1"; document.body.append(s); }""")
        wait_until(page, lambda: page.evaluate("() => window.__csp.length") > 0, "a violation")
        assert page.evaluate("() => window.ran === undefined")
    finally:
        context.close()
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    foreign = sorted(
        {
            url
            for url in requested
            if urlsplit(url).scheme not in NOT_NETWORK
            and "{0.scheme}://{0.netloc}".format(urlsplit(url)) != origin
        }
    )
    policy = [line for line in console if "Content Security Policy" in line]
    assert violations == []
    assert foreign == [], "requests to another origin"
    assert len(policy) == 1 and "inline script" in policy[0], policy  # only the control's
    assert any(url.endswith("/sw.js") for url in requested)
