"""Garbage in every field of every state-changing route: a clear 4xx or a redirect, never a 500.

Found by walking `app.url_map`, like the CSRF walk. The field names are every
`name` of an input, select or textarea on every page the app serves, so a new
form field is covered the day it is added. Each request fills all of them with one
hostile value: huge, NUL, numbers no column holds, markup, lists, invalid UTF-8.
"""

from __future__ import annotations

import re
from urllib.parse import quote_from_bytes

import pytest

from tests.quizengine.security import STATE_CHANGING, rules_with, sign_in
from tests.quizengine.test_access import EMAILS, request_for, restore_session_tokens, world

PEOPLE = {"anonymous": None, "learner": EMAILS["learner"], "teacher": EMAILS["owner"]}
HOSTILE = {
    "empty": "",
    "huge": "9" * 100_000,
    "NUL": "a\x00b",
    "past a 32-bit integer": "2147483648",
    "past a 64-bit integer": "99999999999999999999999999",
    "negative": "-1",
    "a float past a double": "1e999",
    "not a number": "NaN",
    "markup": '<script>alert(1)</script>"\'><img src=x>',
    "a date that is not one": "2026-02-30T25:61",
    "right-to-left and emoji": "\u202e\U0001f600\u0301",
    "a header smuggled in": "/teach/x\r\nSet-Cookie: stolen=1",
}
NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


@pytest.fixture
def site(app, cheap_passwords):
    """The access matrix's world, on SQLite and on PostgreSQL (whose integer ends at 2^31)."""
    with app.app_context():
        found = world()
    return app, found


def field_names(app, found: dict) -> set[str]:
    """Every field name on every page the app serves, as each kind of person sees them."""
    adapter = app.url_map.bind("localhost")
    names = set()
    for email in PEOPLE.values():
        client = sign_in(app, email)
        for rule, method in rules_with(app, ("GET",)):
            if rule.rule.startswith(("/api/", "/static/")) or rule.endpoint == "auth.logout":
                continue
            path, _ = request_for(adapter, rule, method, found)
            response = client.get(path)
            if response.mimetype == "text/html":
                names |= set(NAME.findall(response.get_data(as_text=True)))
            response.close()
    return names - {"csrf_token"}


def test_the_walk_sees_the_forms_fields(site):
    app, found = site
    names = field_names(app, found)
    assert {"email", "password", "code", "name", "desired_retention", "timezone", "body",
            "due_at", "status"} <= names, names  # fmt: skip


def _send(app, client, path, method, body: dict | bytes):
    if isinstance(body, bytes):
        return client.open(path, method=method, data=body,
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    return client.open(path, method=method, data=body)


@pytest.mark.slow
@pytest.mark.parametrize("who", PEOPLE)
def test_hostile_fields_never_get_a_server_error(site, who):
    app, found = site
    names = sorted(field_names(app, found))
    adapter = app.url_map.bind("localhost")
    bodies: dict[str, dict | bytes] = {how: dict.fromkeys(names, value)
                                       for how, value in HOSTILE.items()}  # fmt: skip
    bodies["every field twice"] = {name: ["1", "2"] for name in names}
    bodies["invalid UTF-8"] = "&".join(f"{name}={quote_from_bytes(b'%ff%fe')}" for name in names
                                       ).encode()  # fmt: skip
    wrong = []
    for rule, method in rules_with(app, STATE_CHANGING):
        if rule.rule.startswith("/api/"):
            continue  # JSON: tests/quizengine/test_fuzz.py and test_security_hostile.py
        path, _ = request_for(adapter, rule, method, found)
        for how, body in bodies.items():
            client = sign_in(app, PEOPLE[who])  # afresh: the last one may have signed out
            response = _send(app, client, path, method, body)
            if response.status_code >= 500:
                wrong.append(f"{method} {path} ({how}): {response.status_code}")
            response.close()
            with app.app_context():
                restore_session_tokens(found)
    assert not wrong, "\n".join(wrong)
    with app.app_context():
        assert app.test_client().get("/healthz").status_code in (200, 503)
