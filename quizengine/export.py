"""A learner downloads all of their own data, as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from .event_store import event_json
from .extensions import db
from .models import (
    Attempt,
    Card,
    Classroom,
    Device,
    Enrollment,
    Event,
    LateAcceptance,
    LearnerSettings,
    Note,
    Ruling,
    SkillCheckAnswer,
)

bp = Blueprint("export", __name__)


def export_data(session: Session, user, now: datetime) -> dict[str, Any]:
    """Return everything stored for one user; the events alone could rebuild the rest."""

    def rows(model, order):
        return session.scalars(select(model).where(model.user_id == user.id).order_by(order))

    settings = session.get(LearnerSettings, user.id)
    return {
        "exported_at": now.isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "created_at": user.created_at.isoformat(),
        },  # fmt: skip
        "settings": None
        if settings is None
        else {
            "desired_retention": settings.desired_retention,
            "daily_new_limit": settings.daily_new_limit,
            "timezone": settings.timezone,
            "day_start_hour": settings.day_start_hour,
        },  # fmt: skip
        "events": [
            event_json(e)
            for e in session.scalars(
                select(Event).where(Event.owner_id == user.id).order_by(Event.seq)
            )
        ],  # fmt: skip
        "notes": [
            {"lesson_id": n.lesson_id, "body": n.body, "deleted": n.deleted}
            for n in rows(Note, Note.lesson_id)
        ],  # fmt: skip
        "attempts": [
            {
                "id": a.event_id,
                "template_id": a.template_id,
                "seed": a.seed,
                "level": a.level,
                "answer": a.answer,
                "status": a.status,
                "score": a.score,
                "answered_at": a.answered_at.isoformat(),
            }
            for a in rows(Attempt, Attempt.answered_at)
        ],  # fmt: skip
        "cards": [
            {
                "template_id": c.template_id,
                "level": c.level,
                "reviews": c.reviews,
                "due": c.due.isoformat(),
            }
            for c in rows(Card, Card.template_id)
        ],  # fmt: skip
        "skill_check_answers": [
            {
                "lesson_id": a.lesson_id,
                "question_id": a.question_id,
                "choice": a.choice,
                "correct": a.correct,
                "answered_at": a.answered_at.isoformat(),
            }
            for a in rows(SkillCheckAnswer, SkillCheckAnswer.answered_at)
        ],  # fmt: skip
        "devices": [
            {
                "device_id": d.device_id,
                "first_seen": d.first_seen.isoformat(),
                "last_seen": d.last_seen.isoformat(),
                "clock_skew_ms": d.clock_skew_ms,
            }
            for d in rows(Device, Device.first_seen)
        ],  # fmt: skip
        **teaching_data(session, user.id),
    }


def teaching_data(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Return what teachers' classes hold about one learner, and only about them.

    A class shows its name and this learner's own dates (not the join code, the
    teacher or the classmates); a ruling shows no more than its `attempt.ruled`
    event in the learner's stream already does, minus the teacher's id.
    """
    enrollments = session.execute(
        select(Classroom.name, Enrollment.joined_at, Enrollment.removed_at)
        .join(Classroom, Classroom.id == Enrollment.classroom_id)
        .where(Enrollment.student_id == user_id)
        .order_by(Enrollment.joined_at, Enrollment.id)
    )  # fmt: skip
    accepted = session.scalars(select(LateAcceptance).where(LateAcceptance.student_id == user_id)
                               .order_by(LateAcceptance.accepted_at))  # fmt: skip
    ruled = session.scalars(select(Ruling).where(Ruling.student_id == user_id)
                            .order_by(Ruling.ruled_at))  # fmt: skip
    return {
        "classes": [
            {
                "name": name,
                "joined_at": joined.isoformat(),
                "removed_at": removed.isoformat() if removed else None,
            }
            for name, joined, removed in enrollments
        ],  # fmt: skip
        "late_acceptances": [
            {
                "attempt_id": a.attempt_id,
                "assignment_id": a.assignment_id,
                "accepted_at": a.accepted_at.isoformat(),
            }
            for a in accepted
        ],  # fmt: skip
        "rulings": [
            {
                "attempt_id": r.attempt_id,
                "status": r.status,
                "event_id": r.event_id,
                "ruled_at": r.ruled_at.isoformat(),
            }
            for r in ruled
        ],  # fmt: skip
    }


@bp.get("/account/export")
@login_required
def download():
    data = export_data(db.session, current_user, datetime.now(UTC))
    response = Response(json.dumps(data, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="quizengine-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
