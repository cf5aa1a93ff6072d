"""The JSON API under /api/v1. Errors here are JSON (see `errors.py`)."""

from flask import Blueprint, jsonify
from flask_wtf.csrf import generate_csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/csrf")
def csrf_token():
    """Hand a fresh CSRF token to a script about to push (tokens can go stale offline)."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response
