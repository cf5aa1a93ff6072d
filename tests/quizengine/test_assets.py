"""Static files under a versioned path: a service worker from an older release (which
answers for the paths it cached, whatever the query) can never hand a page old scripts."""

from __future__ import annotations

import re

from quizengine import assets


def test_pages_load_scripts_from_the_current_versioned_path(client):
    version = assets.current_version()
    page = client.get("/app").get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(s.startswith(f"/assets/{version}/js/") for s in sources), sources
    with client.get(sources[0]) as served:
        assert served.status_code == 200
        expected = (assets.STATIC / sources[0].split(version + "/")[1]).read_bytes()
        assert served.get_data() == expected
        assert "max-age=31536000" in served.headers["Cache-Control"]  # kept a year


def test_an_older_versions_path_still_serves_but_is_not_kept(client):
    with client.get("/assets/000000000000/js/sync.js") as served:
        assert served.status_code == 200
        assert "max-age=31536000" not in served.headers["Cache-Control"]
    with client.get("/assets/000000000000/../secret_key") as outside:
        assert outside.status_code == 404


def test_the_version_follows_the_files(tmp_path, monkeypatch):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "a.js"
    script.write_text("one")
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    assets.current_version.cache_clear()
    try:
        first = assets.current_version()
        script.write_text("two")
        assets.current_version.cache_clear()
        assert assets.current_version() != first
    finally:
        monkeypatch.undo()
        assets.current_version.cache_clear()


def test_the_service_worker_caches_the_versioned_paths(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    assert "__ASSETS__" not in worker
    assert f'var ASSETS = "/assets/{assets.current_version()}";' in worker
