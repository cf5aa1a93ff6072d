"""Static files under a path that names their version: `/assets/<version>/js/sync.js`.

After a deploy, a browser's service worker from the release before still answers
for the paths it cached (`/static/js/sync.js`) whatever their query string, so a
new page would run old scripts beside new ones. A path that changes with the
files' contents is never one an older worker knows; its answer can then be kept
by browsers for a year.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint, Flask, send_from_directory, url_for

STATIC = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 60 * 60

bp = Blueprint("assets", __name__)


@functools.cache
def current_version() -> str:
    """A digest of every static file (names and contents): it changes when any does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        digest.update(path.relative_to(STATIC).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def asset_url(filename: str) -> str:
    """The URL of a static file under the current version (templates call it `asset`)."""
    return url_for("assets.serve", version=current_version(), filename=filename)


@bp.get("/assets/<version>/<path:filename>")
def serve(version: str, filename: str):
    """A static file. An older version's URL gets today's file (a page from before a
    deploy still works), but only the current one may be kept for a year."""
    current = version == current_version()
    return send_from_directory(STATIC, filename, max_age=YEAR if current else 0)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(asset_url, "asset")
