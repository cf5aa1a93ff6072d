"""The progress page and the learner's scheduling settings."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .charts import bar_chart
from .extensions import db
from .projections import read_settings
from .settings import SettingsError, update_settings
from .stats import progress

bp = Blueprint("progress", __name__)


@bp.get("/progress")
@login_required
def index():
    now = datetime.now(UTC)
    report = progress(db.session, current_user.id, now)
    db.session.commit()
    activity_chart = bar_chart(
        [(d.day.strftime("%d %b"), d.attempts) for d in report.activity],
        title="Answers per day, last 30 days (line: share correct)",
        line=[d.accuracy for d in report.activity],
        line_label="share correct",
    )
    forecast_chart = bar_chart(
        [(day.strftime("%a %d"), count) for day, count in report.forecast],
        title="Reviews due, next 14 days",
    )
    return render_template(
        "progress/index.html", report=report, activity_chart=activity_chart,
        forecast_chart=forecast_chart,
    )  # fmt: skip


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            update_settings(db.session, current_user.id, request.form, datetime.now(UTC))
        except SettingsError as error:
            db.session.rollback()
            errors[error.field] = error.message
        else:
            flash("Settings saved.", "success")
            return redirect(url_for(".settings"))
    current = read_settings(db.session, current_user.id)
    db.session.commit()
    return render_template(
        "progress/settings.html", settings=current, errors=errors, form=request.form,
        timezones=sorted(available_timezones()),
    ), (400 if errors else 200)  # fmt: skip
