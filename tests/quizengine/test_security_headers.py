"""Security headers on every response, and no inline script in any page.

Every GET route in `app.url_map`, as nobody, a learner and a teacher, plus
every static file, 404s and 405s, refused and failed requests, a crash (500),
/sw.js and /healthz: each response carries a Content-Security-Policy that lets
only this origin run script (no 'unsafe-inline', no 'unsafe-eval', no other
host) and frames nothing, nosniff, and a Referrer-Policy. Every HTML page can
live under that policy: no <script> without src, no on* handler, no javascript: URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import quizengine
from quizengine.extensions import db
from tests.helpers import make_app
from tests.quizengine.security import (
    directives,
    header_problems,
    inline_script,
    rules_with,
    sign_in,
)
from tests.quizengine.test_access import request_for, world

PEOPLE = {"anonymous": None, "learner": "ada@example.org", "teacher": "owner@example.org"}
STATIC = Path(quizengine.__file__).parent / "static"
# Requests that go wrong on purpose: (method, path, form data).
ODD_REQUESTS = [
    ("GET", "/no/such/page", None),
    ("GET", "/api/v1/no-such-endpoint", None),
    ("GET", "/static/no-such-file.js", None),
    ("GET", "/practice/no-such-template", None),
    ("GET", "/api/v1/problems/no-such-template?seed=1", None),
    ("GET", "/api/v1/problems/gradient?seed=minus-one", None),
    ("GET", "/teach/classes/987654", None),
    ("GET", "/logout", None),  # 405
    ("DELETE", "/api/v1/sync/push", None),  # 405 under /api/
    ("OPTIONS", "/", None),
    ("HEAD", "/", None),
    ("POST", "/api/v1/sync/push", {}),  # 401 or 400
    ("POST", "/api/v1/preview", {}),  # 400 JSON
    ("POST", "/practice/answer", {"template_id": "gradient"}),
    ("POST", "/login", {"email": "nobody@example.org", "password": "wrong"}),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from argon2 import PasswordHasher

    from quizengine import accounts

    saved = accounts.password_hasher
    accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    app = make_app(tmp_path_factory.mktemp("headers"))
    with app.app_context():
        found = world()
    yield app, found
    accounts.password_hasher = saved
    with app.app_context():
        db.engine.dispose()


def get_paths(app, found) -> list[str]:
    adapter = app.url_map.bind("localhost")
    paths = [request_for(adapter, rule, "GET", found)[0] for rule, _ in rules_with(app, {"GET"})]
    paths += ["/practice/gradient?seed=3&level=1", "/api/v1/problems/hessian?seed=2"]
    return paths


def static_paths() -> list[str]:
    files = sorted(p for p in STATIC.rglob("*") if p.is_file())
    return [f"/static/{p.relative_to(STATIC).as_posix()}" for p in files]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_get_route_sends_the_headers_and_pages_have_no_inline_script(site, who):
    app, found = site
    client = sign_in(app, PEOPLE[who])
    wrong, pages = [], 0
    for path in get_paths(app, found) + static_paths():
        response = client.get(path)
        wrong += [f"GET {path} ({response.status_code}): {p}" for p in header_problems(response)]
        if response.mimetype == "text/html":
            pages += 1
            text = response.get_data(as_text=True)
            wrong += [f"GET {path}: {p}" for p in inline_script(text)]
        response.close()
    assert not wrong, "\n".join(wrong)
    assert pages >= (4 if who == "anonymous" else 15)


@pytest.mark.parametrize("who", PEOPLE)
def test_errors_refusals_and_odd_methods_send_the_headers_too(site, who):
    app, _ = site
    client = sign_in(app, PEOPLE[who])
    wrong = []
    for method, path, data in ODD_REQUESTS:
        response = client.open(path, method=method, data=data)
        assert response.status_code < 500, (method, path, response.status_code)
        wrong += [f"{method} {path} ({response.status_code}): {p}"
                  for p in header_problems(response)]  # fmt: skip
        if response.mimetype == "text/html":
            wrong += [f"{method} {path}: {p}" for p in inline_script(response.get_data(True))]
        response.close()
    assert not wrong, "\n".join(wrong)


def test_a_crash_is_a_page_with_the_headers_and_no_traceback(site, monkeypatch):
    app, _ = site
    client = sign_in(app, "ada@example.org")

    def broken(*args, **kwargs):
        raise RuntimeError("SECRET-INTERNAL-DETAIL")

    monkeypatch.setattr("quizengine.api.build_queue", broken)
    monkeypatch.setattr("quizengine.practice.build_queue", broken)
    for path in ("/api/v1/queue", "/practice/"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 500, path
        assert header_problems(response) == [], path
        assert "SECRET-INTERNAL-DETAIL" not in body and "Traceback" not in body
        if path.startswith("/api/"):
            assert response.get_json()["error"]["code"] == "internal_server_error"
        else:
            assert inline_script(body) == []
    assert client.get("/api/v1/me").status_code == 200  # the next request is served as usual


def test_the_service_worker_and_health_check_carry_the_headers(site):
    app, _ = site
    client = app.test_client()
    for path in ("/sw.js", "/healthz", "/manifest.webmanifest", "/app"):
        response = client.get(path)
        assert header_problems(response) == [], path
        if path == "/sw.js":
            assert response.headers["Service-Worker-Allowed"] == "/"
        response.close()


def test_the_policy_reader_catches_loose_policies():
    class Fake:
        def __init__(self, policy: str):
            self.headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                            "Referrer-Policy": "same-origin"}  # fmt: skip

    strict = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'"
    assert header_problems(Fake(strict)) == []
    assert directives(strict)["script-src"] == ["'self'"]
    for loose in ("'self' 'unsafe-inline'", "'self' 'unsafe-eval'",
                  "'self' https://cdn.example.org", "*", "'self' data:"):  # fmt: skip
        policy = strict.replace("script-src 'self'", f"script-src {loose}")
        assert header_problems(Fake(policy)), loose
    assert header_problems(Fake(f"{strict}; img-src *"))
    assert header_problems(Fake(strict.replace("frame-ancestors 'none'", "")))
    assert inline_script('<a href=" JaVa\tscript:alert(1)">x</a><b onclick="x()">') != []
    assert inline_script("<script>alert(1)</script>") != []
    assert inline_script('<script src="/static/js/app.js" defer></script>') == []
