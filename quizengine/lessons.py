"""Lesson pages: read a part, answer its Skill Check, keep private notes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .content import lesson_index
from .event_schema import MAX_NOTE_LENGTH
from .extensions import db
from .ingest import push_events
from .study import note_body, skill_check_state
from .web_events import device_id, make_event

bp = Blueprint("lessons", __name__, url_prefix="/lessons")


def _lesson(lesson_id: str):
    return lesson_index().get(lesson_id) or abort(404)


@bp.get("/")
@login_required
def index():
    parts = [
        (lesson, skill_check_state(db.session, current_user.id, lesson))
        for lesson in lesson_index().values()
    ]
    return render_template("lessons/index.html", parts=parts)


@bp.get("/<lesson_id>")
@login_required
def show(lesson_id: str):
    return _render(_lesson(lesson_id))


@bp.post("/<lesson_id>/check")
@login_required
def check(lesson_id: str):
    lesson = _lesson(lesson_id)
    now = datetime.now(UTC)
    before = skill_check_state(db.session, current_user.id, lesson)
    events = [
        make_event(
            "skill_check",
            {"lesson_id": lesson.id, "question_id": q.id, "choice": request.form[f"q-{q.id}"]},
            now,
        )  # fmt: skip
        for q in lesson.skill_check
        if request.form.get(f"q-{q.id}") and request.form[f"q-{q.id}"] != before.choices.get(q.id)
    ]
    if events:
        push_events(db.session, current_user.id, device_id(), events, now)
    after = skill_check_state(db.session, current_user.id, lesson)
    if after.status == "passed" and before.status != "passed":
        flash(f"Skill Check passed ({after.right}/{after.total}). Its skills are now in your "
              "practice queue.", "success")  # fmt: skip
    return redirect(url_for(".show", lesson_id=lesson.id) + "#skill-check")


@bp.post("/<lesson_id>/note")
@login_required
def save_note(lesson_id: str):
    lesson = _lesson(lesson_id)
    body = request.form.get("body", "").replace("\r\n", "\n")
    if len(body) > MAX_NOTE_LENGTH:
        error = (f"Your note is {len(body)} characters; notes hold at most {MAX_NOTE_LENGTH}. "
                 "Shorten it and save again; your saved note is unchanged.")  # fmt: skip
        return _render(lesson, note_draft=body, note_error=error, status=400)
    now = datetime.now(UTC)
    event = make_event("note.put", {"lesson_id": lesson.id, "body": body}, now)
    [result] = push_events(db.session, current_user.id, device_id(), [event], now)
    if result.status != "accepted":
        return _render(lesson, note_draft=body, note_error=result.error, status=400)
    flash("Note saved.", "success")
    return redirect(url_for(".show", lesson_id=lesson.id) + "#notes")


def _render(lesson, *, note_draft=None, note_error=None, status=200):
    ordered = list(lesson_index().values())
    position = ordered.index(lesson)
    state = skill_check_state(db.session, current_user.id, lesson)
    page = render_template(
        "lessons/show.html",
        lesson=lesson,
        body=lesson.body_html(
            lambda template_id: url_for("practice.practise", template_id=template_id)
        ),
        previous=ordered[position - 1] if position > 0 else None,
        following=ordered[position + 1] if position + 1 < len(ordered) else None,
        state=state,
        note=note_draft
        if note_draft is not None
        else note_body(db.session, current_user.id, lesson.id),
        note_error=note_error,
        max_note=MAX_NOTE_LENGTH,
    )
    return page, status
