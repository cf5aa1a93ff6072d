"""The home page, and the rule that every asset comes from this app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(r"""(src|href|action)\s*=\s*["']\s*(https?:)?//""", re.IGNORECASE)


def test_home_says_what_this_is_and_where_to_start(client):
    body = client.get("/").get_data(as_text=True)
    assert "optimization landscapes" in body
    assert 'href="/signup"' in body and 'href="/login"' in body


def test_home_greets_a_signed_in_learner(client, auth):
    auth.signup(name="Grace")
    assert "Welcome back, Grace" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html"))
)
def test_templates_load_nothing_from_another_origin(path):
    assert not EXTERNAL.search((ROOT / path).read_text())


@pytest.mark.parametrize("path", ["/", "/signup", "/login", "/no-such-page"])
def test_pages_are_accessible_basics(client, path):
    body = client.get(path).get_data(as_text=True)
    assert '<html lang="en">' in body
    assert 'name="viewport"' in body
    assert 'href="#main"' in body and 'id="main"' in body
    assert "https://" not in body and "http://" not in body
