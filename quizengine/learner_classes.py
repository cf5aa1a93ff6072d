"""The learner's classes: join one with a code, see what is assigned."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from . import classes
from .extensions import db, limiter
from .teaching_errors import TeachingError

bp = Blueprint("learner_classes", __name__)


def _page(errors: dict, code: str = "", status: int = 200):
    found = classes.learner_classes(db.session, current_user.id, datetime.now(UTC))
    page = render_template("classes/index.html", found=found, errors=errors, code=code)
    return page, status


@bp.get("/classes")
@login_required
def index():
    return _page({})


@bp.post("/classes/join")
@login_required
@limiter.limit("20 per minute")  # join codes are unguessable, and guessing is slow
def join():
    code = request.form.get("code", "")[:64]
    try:
        classroom = classes.join_class(db.session, current_user, code, datetime.now(UTC))
    except TeachingError as error:
        db.session.rollback()
        return _page({error.field: error.message}, code, 400)
    db.session.commit()
    flash(f"You joined {classroom.name}. Assigned work appears in your practice queue.", "success")
    return redirect(url_for(".index"))
