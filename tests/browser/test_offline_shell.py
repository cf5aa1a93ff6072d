"""The offline app's scripts: every one that /app loads is in the service worker's cached
shell (or the app would not open offline), and each is a module of one idea, under ~400
lines (STYLE.md)."""

from __future__ import annotations

import pytest

from quizengine import assets
from tests.browser.test_offline import open_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAX_LINES = 400
LONGER = {"js/mathcheck.js"}  # the offline answer reader: one grammar, not split yet


def test_every_script_of_the_offline_app_is_cached_for_offline_and_short(browser, server):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        open_app(page, server.url)
        scripts = page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)")
        cached = page.evaluate(
            """async () => {
                 const cache = await caches.open((await caches.keys())[0]);
                 return (await cache.keys()).map(r => new URL(r.url).pathname);
               }"""
        )
        prefix = f"/assets/{assets.current_version()}/"
        assert f"{prefix}js/app.js" in scripts  # the current release's path, never /static/
        assert sorted(set(scripts) - set(cached)) == []
        lines = {path: page.request.get(server.url + path).text().count("\n") for path in scripts}
        too_long = {p: n for p, n in lines.items() if n > MAX_LINES}
        assert {p: n for p, n in too_long.items() if p.removeprefix(prefix) not in LONGER} == {}
    finally:
        context.close()
