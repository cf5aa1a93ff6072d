"""The practice page: one problem at a time, answered by a plain form post.

Without JavaScript the form posts here and the server makes the `attempt`
event; with it, the page previews the answer as it is typed. Either way the
answer goes through `ingest.push_events`, the path offline answers take.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from question_bank.registry import family, figure, generate

from .assignments import hides_solution, hides_variant
from .content import template_index
from .extensions import db
from .ingest import push_events
from .models import Attempt, Card
from .queue import build_queue
from .routing import form_id
from .web_events import device_id, is_uuid, make_event

bp = Blueprint("practice", __name__, url_prefix="/practice")


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/")
@login_required
def next_problem():
    queue = build_queue(db.session, current_user.id, _now(), limit=1)
    db.session.commit()  # settings may have been created
    if not queue:
        return render_template("practice/done.html")
    item = queue[0]
    return _show(
        item.template_id, item.seed, item.level, reason=item.reason,
        assignment_id=item.assignment_id,
        assigned_due=item.due if item.reason == "assigned" else None,
    )  # fmt: skip


@bp.get("/<template_id>")
@login_required
def practise(template_id: str):
    template = template_index().get(template_id) or abort(404)
    card = db.session.get(Card, (current_user.id, template_id))
    level = request.args.get("level", type=int) or (card.level if card else template.levels[0])
    if level not in template.levels:
        level = template.levels[0]
    seed = request.args.get("seed", type=int)
    if seed is None or not 0 <= seed < 2**31:
        seed = secrets.randbelow(2**31)
    return _show(template_id, seed, level, reason=request.args.get("reason", "chosen"))


@bp.post("/answer")
@login_required
def answer():
    form = request.form
    template = template_index().get(form.get("template_id", "")) or abort(400)
    try:
        seed, level = int(form.get("seed", "")), int(form.get("level", ""))
        started = int(form.get("started_ms", "0"))
    except ValueError:
        abort(400)
    if level not in template.levels or not 0 <= seed < 2**31:
        abort(400)
    event_id = form.get("event_id") if is_uuid(form.get("event_id")) else str(uuid.uuid4())
    now = _now()
    gave_up = form.get("action") == "give_up"
    assignment_id = form_id(form.get("assignment_id"))  # the gradebook checks the rest
    payload = {
        "template_id": template.id,
        "seed": seed,
        "level": level,
        "answer": form.get("answer", "")[:10_000],
        "duration_ms": max(0, int(now.timestamp() * 1000) - started) if started else None,
        "gave_up": gave_up,
    }
    if assignment_id is not None:
        payload["assignment_id"] = assignment_id
    event = make_event("attempt", payload, now, event_id=event_id)
    [result] = push_events(db.session, current_user.id, device_id(), [event], now)
    attempt = db.session.get(Attempt, (current_user.id, event_id))
    if attempt is None:  # a conflicting replay of an old form: show a fresh problem
        return redirect(url_for(".practise", template_id=template.id, level=level))
    if attempt.status == "invalid" and not gave_up:
        return _show(
            template.id, seed, level, reason=form.get("reason", "chosen"),
            typed=payload["answer"], attempt=attempt, status=400, assignment_id=assignment_id,
        )  # fmt: skip
    return _result(attempt, duplicate=result.status in ("duplicate", "conflict"))


@bp.get("/figure/<template_id>/<int:seed>/<int:level>.svg")
@login_required
def problem_figure(template_id: str, seed: int, level: int):
    template = template_index().get(template_id) or abort(404)
    if level not in template.levels:
        abort(404)
    if hides_variant(db.session, current_user.id, template_id, seed, _now()):
        abort(404)  # some figures show the answer: not before the due date
    svg = figure(generate(template_id, seed, level)) or abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def _show(
    template_id, seed, level, *, reason, typed="", attempt=None, status=200, assignment_id=None,
    assigned_due=None,
):  # fmt: skip
    """The problem page; assigned work says when it is due, and whether an answer now is late."""
    problem = generate(template_id, seed, level)
    template = template_index()[template_id]
    page = render_template(
        "practice/problem.html",
        problem=problem,
        template=template,
        reason=reason,
        typed=typed,
        attempt=attempt,
        event_id=str(uuid.uuid4()),
        started_ms=int(_now().timestamp() * 1000),
        assignment_id=assignment_id,
        assigned_due=assigned_due,
        past_due=assigned_due is not None and assigned_due <= _now(),
    )
    return page, status


def _result(attempt: Attempt, *, duplicate: bool):
    problem = generate(attempt.template_id, attempt.seed, attempt.level)
    template = template_index()[attempt.template_id]
    has_figure = hasattr(family(problem.template_id), "figure")
    return render_template(
        "practice/result.html",
        problem=problem,
        template=template,
        attempt=attempt,
        duplicate=duplicate,
        has_figure=has_figure,
        card=db.session.get(Card, (attempt.user_id, attempt.template_id)),
        hide_solution=hides_solution(db.session, attempt.user_id, attempt.assignment_id, _now())
        or hides_variant(db.session, attempt.user_id, attempt.template_id, attempt.seed, _now()),
    )
