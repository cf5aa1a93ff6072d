"""Helpers for the security tests: sign in as a browser does, snapshot the database,
read a Content-Security-Policy, and find script that a policy would have to allow inline."""

from __future__ import annotations

from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quizengine.extensions import db
from tests.helpers import AuthActions

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# Referrer policies that never send a path (or anything) to another origin.
REFERRER_POLICIES = ("no-referrer", "same-origin", "strict-origin",
                     "strict-origin-when-cross-origin")  # fmt: skip
KEYWORDS = {"'self'", "'none'"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


def sign_in(app: Flask, email: str | None) -> FlaskClient:
    """Return a client signed in as `email` through the real /login form (None: anonymous)."""
    client = app.test_client()
    if email is not None:
        response = AuthActions(client).login(email=email)
        assert response.status_code == 302, f"could not sign in as {email}"
    return client


def snapshot(app: Flask) -> dict[str, list[str]]:
    """Return every row of every table, as sorted text: equal snapshots, equal databases."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in db.metadata.sorted_tables
        }


def rules_with(app: Flask, methods) -> list[tuple]:
    """Return (rule, method) for every rule answering one of `methods`, in a stable order."""
    return sorted(
        ((rule, method) for rule in app.url_map.iter_rules() for method in rule.methods
         if method in methods),
        key=lambda pair: (pair[0].rule, pair[1]),
    )  # fmt: skip


def directives(policy: str) -> dict[str, list[str]]:
    """Split a Content-Security-Policy into {directive: [source, ...]}."""
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found.setdefault(words[0].lower(), words[1:])
    return found


def header_problems(response) -> list[str]:
    """Return what is missing or too loose in a response's security headers."""
    headers = response.headers
    problems = []
    policy = headers.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy"]
    found = directives(policy)
    script = found.get("script-src", found.get("default-src"))
    if script is None or set(script) - {"'self'"}:
        problems.append(f"script-src allows more than 'self': {script}")
    if found.get("default-src") != ["'self'"]:
        problems.append(f"default-src is {found.get('default-src')}, not 'self'")
    if found.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {found.get('frame-ancestors')}, not 'none'")
    if found.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    for name, sources in found.items():
        for source in sources:
            inline_style = name == "style-src" and source == "'unsafe-inline'"
            data_image = name in ("img-src", "font-src") and source == "data:"
            if source not in KEYWORDS and not inline_style and not data_image:
                problems.append(f"{name} allows {source}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    return problems


class _InlineScript(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name: value or "" for name, value in attrs}
        if tag == "script" and not names.get("src"):
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        for name, value in names.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> at line {self.getpos()[0]}")
            bare = "".join(ch for ch in value if ch > " ").lower()
            if name in URL_ATTRIBUTES and bare.startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def inline_script(html: str) -> list[str]:
    """Return every inline script in `html`: <script> without src, on* handlers, javascript:."""
    parser = _InlineScript()
    parser.feed(html)
    parser.close()
    return parser.found
