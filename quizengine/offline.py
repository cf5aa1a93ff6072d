"""The installable offline app: its service worker, web app manifest and app shell page.

`/app` is the shell: it holds no learner data (the service worker caches it fetched
without cookies); everything personal comes from IndexedDB and the sync API.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template

from .assets import asset_url

bp = Blueprint("offline", __name__)

STATIC = Path(__file__).resolve().parent / "static"
ASSETS_PLACEHOLDER = "/__ASSETS__"
THEME_COLOUR = "#0b5cad"


@bp.get("/sw.js")
def service_worker():
    """Serve the worker from the root so it may control every page (scope `/`), naming the
    static files' version: a new version is a new worker, caching the new paths."""
    source = (STATIC / "js" / "sw.js").read_text()
    prefix = asset_url("x")[: -len("/x")]  # "/assets/<version>"
    response = current_app.response_class(source.replace(ASSETS_PLACEHOLDER, prefix),
                                          mimetype="text/javascript")  # fmt: skip
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    icons = [
        {"src": asset_url("icons/icon-192.png"), "sizes": "192x192",
         "type": "image/png", "purpose": "any maskable"},
        {"src": asset_url("icons/icon-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "any maskable"},
        {"src": asset_url("icons/icon.svg"), "sizes": "any",
         "type": "image/svg+xml"},
    ]  # fmt: skip
    response = jsonify({
        "name": "Quizengine: optimization landscapes practice",
        "short_name": "Quizengine",
        "description": "Practise gradients, Hessians and optimization landscapes, online or off.",
        "id": "/app",
        "start_url": "/app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    })  # fmt: skip
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/app")
def app_shell():
    """The offline app shell: the same page for everyone, filled in by scripts."""
    response = current_app.make_response(render_template("offline/app.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response
