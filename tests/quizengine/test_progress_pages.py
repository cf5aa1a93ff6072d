"""The progress page (charts drawn by the app as SVG) and the learner's settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import question_bank as qb
from quizengine.accounts import create_user
from quizengine.content import template_index
from quizengine.extensions import db
from quizengine.ingest import push_events
from quizengine.models import Card, LearnerSettings
from quizengine.projections import settings_for
from tests.helpers import PASSWORD, make_app
from tests.quizengine.history import DEVICE, answered, days, form_fields, hlc

DEFAULTS = {"desired_retention": 0.9, "daily_new_limit": 5, "timezone": "UTC",
            "day_start_hour": 4}  # fmt: skip
VALID = {"desired_retention": "0.85", "daily_new_limit": "3", "timezone": "Europe/Paris",
         "day_start_hour": "5"}  # fmt: skip

# (case, the field changed, its value): each must be refused with a message, changing nothing.
INVALID_SETTINGS = [
    ("retention too low", "desired_retention", "0.5"),
    ("retention not a number", "desired_retention", "ninety"),
    ("retention of one", "desired_retention", "1"),
    ("negative new-skill limit", "daily_new_limit", "-1"),
    ("fractional new-skill limit", "daily_new_limit", "2.5"),
    ("unknown time zone", "timezone", "Mars/Olympus_Mons"),
    ("hour past 23", "day_start_hour", "24"),
]


def history(now: datetime) -> list[dict]:
    """Three days in a row on gradient (now at level 2), and a miss on hessian yesterday."""
    return [
        answered("gradient", "correct", now - days(2)),
        answered("gradient", "correct", now - days(1)),
        answered("gradient", "correct", now - days(1 / 24), level=2),
        answered("hessian", "wrong", now - days(1)),
    ]


def push_via_api(client, events: list[dict]) -> None:
    response = client.post("/api/v1/sync/push", json={"device_id": DEVICE, "events": events})
    assert response.status_code == 200
    assert {r["status"] for r in response.json["results"]} == {"accepted"}


def charts(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, re.DOTALL)


def bar_values(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r'<rect class="bar"[^>]*><title>[^<]*: ([\d.]+)', svg)]


def skill_row(page: str, template_id: str) -> list[str]:
    title = template_index()[template_id].title
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a[^>]*>{re.escape(title)}</a></th>(.*?)</tr>",
                    page, re.DOTALL)  # fmt: skip
    assert row, f"a row for {template_id}"
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.DOTALL)
    return [re.sub(r"<[^>]+>", " ", cell).split()[-1] if cell.strip() else "" for cell in cells]


def stat(page: str, label: str) -> str:
    return re.search(rf'<p class="stat-value">([^<]*)</p><p>{label}</p>', page).group(1)


def progress_page(client) -> str:
    response = client.get("/progress")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_progress_shows_each_skill_and_the_charts_as_inline_svg(client, learner):
    push_via_api(client, history(datetime.now(UTC)))
    page = progress_page(client)
    # Recall now, level, reviews, next review.
    gradient, hessian = skill_row(page, "gradient"), skill_row(page, "hessian")
    assert gradient[0].endswith("%") and hessian[0].endswith("%")
    assert 0 < int(hessian[0][:-1]) < int(gradient[0][:-1]) <= 100, "forgetting shows"
    assert (gradient[1], gradient[2]) == ("2", "3")
    assert (hessian[1], hessian[2]) == ("1", "1")
    assert stat(page, "day streak") == "3"
    assert stat(page, "answers graded") == "4"
    assert stat(page, "correct") == "75%"
    activity, forecast = charts(page)
    assert len(bar_values(activity)) == 30 and sum(bar_values(activity)) == 4
    assert "<polyline" in activity, "accuracy is drawn over the answers"
    assert len(bar_values(forecast)) == 14 and sum(bar_values(forecast)) == 2
    for script in re.findall(r"<script[^>]*>", page):
        assert re.search(r'src="/assets/', script), f"only the app's own scripts: {script}"
    for svg in (activity, forecast):
        assert "<script" not in svg.lower() and " on" not in svg.lower()
        urls = re.findall(r"(?:https?:)?//[^\s\"'<>]+", svg)
        assert urls == ["http://www.w3.org/2000/svg"], urls
        assert "<title" in svg, "each chart has a text alternative"
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page), "no external asset"


def test_progress_changes_after_answering(client, learner):
    before = progress_page(client)
    assert "No skills yet" in before
    assert stat(before, "answers graded") == "0"
    fields = form_fields(client.get("/practice/").get_data(as_text=True))
    solution = qb.generate(fields["template_id"], int(fields["seed"]), int(fields["level"]))
    solution = solution.solution
    assert client.post("/practice/answer", data={**fields, "answer": solution}).status_code == 200
    after = progress_page(client)
    assert after != before
    assert stat(after, "answers graded") == "1"
    assert stat(after, "day streak") == "1"
    row = skill_row(after, fields["template_id"])
    assert row[0] == "100%" and row[2] == "1"
    assert sum(bar_values(charts(after)[1])) == 1


def saved_settings(app, user_id: int) -> dict:
    with app.app_context():
        row = db.session.get(LearnerSettings, user_id)
        if row is None:
            return dict(DEFAULTS)
        return {name: getattr(row, name) for name in DEFAULTS}


def test_valid_settings_are_saved(app, client, learner):
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="0.90"' in page
    response = client.post("/settings", data=VALID)
    assert response.status_code == 302
    assert saved_settings(app, learner) == {
        "desired_retention": 0.85, "daily_new_limit": 3, "timezone": "Europe/Paris",
        "day_start_hour": 5,
    }  # fmt: skip
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="0.85"' in page and "Europe/Paris\" selected" in page


@pytest.mark.parametrize(
    ("field", "value"), [pytest.param(f, v, id=case) for case, f, v in INVALID_SETTINGS]
)
def test_invalid_settings_are_refused_with_a_message_and_change_nothing(
    app, client, learner, field, value
):
    assert client.post("/settings", data=VALID).status_code == 302
    saved = saved_settings(app, learner)
    response = client.post("/settings", data={**VALID, "daily_new_limit": "7", field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    message = re.search(rf'id="{field}-error">([^<]+)<', page).group(1)
    assert len(message.split()) >= 3, "a message a person can act on"
    assert saved_settings(app, learner) == saved


def test_a_first_visit_with_invalid_settings_shows_the_message(app, client, learner):
    # No settings row yet: the defaults added for this request go with its rollback.
    response = client.post("/settings", data={**VALID, "day_start_hour": "24"})
    assert response.status_code == 400
    assert 'id="day_start_hour-error"' in response.get_data(as_text=True)
    assert saved_settings(app, learner) == DEFAULTS


def cards_of(app, user_id: int) -> dict[str, tuple]:
    with app.app_context():
        rows = db.session.scalars(select(Card).where(Card.user_id == user_id))
        return {r.template_id: (r.due, r.stability, r.difficulty, r.level, r.reviews, r.state)
                for r in rows}  # fmt: skip


def full_replay(tmp_path, events: list[dict], retention: float, user_id: int) -> dict:
    """Push `events` for a learner of a fresh database who already chose `retention`."""
    app = make_app(tmp_path)
    try:
        with app.app_context():
            user = create_user("ada@example.org", PASSWORD)
            assert user.id == user_id, "card ids (and their fuzz) depend on the user id"
            settings_for(db.session, user.id).desired_retention = retention
            db.session.commit()
            # Every hlc is in the past, so each attempt keeps its own clock time.
            push_events(db.session, user.id, DEVICE, events, datetime.now(UTC))
        return cards_of(app, user_id)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_changing_retention_replays_every_card(app, client, learner, tmp_path):
    now = datetime.now(UTC)
    events = [
        answered("gradient", "correct", now - days(30)),
        answered("gradient", "correct", now - days(26)),
        answered("hessian", "wrong", now - days(20)),
        answered("hessian", "correct", now - days(12)),
        answered("critical_points", "correct", now - days(9)),
    ]
    assert all(e["hlc"] < hlc(now) for e in events)
    push_via_api(client, events)
    before = cards_of(app, learner)
    assert client.post("/settings", data={**VALID, "desired_retention": "0.80"}).status_code == 302
    after = cards_of(app, learner)
    assert set(after) == set(before)
    assert all(after[t][0] != before[t][0] for t in before), "every due date moves"
    assert after == full_replay(tmp_path / "replay", events, 0.80, learner)


def test_other_settings_leave_cards_alone(app, client, learner):
    push_via_api(client, history(datetime.now(UTC)))
    before = cards_of(app, learner)
    assert client.post("/settings", data={**VALID, "desired_retention": "0.90"}).status_code == 302
    assert cards_of(app, learner) == before


def test_invalid_settings_from_a_learner_who_never_saved_any(app, client, learner):
    response = client.post("/settings", data={**VALID, "desired_retention": "0.5"})
    assert response.status_code == 400
    assert 'id="desired_retention-error"' in response.get_data(as_text=True)
    assert saved_settings(app, learner) == DEFAULTS
    assert client.get("/settings").status_code == 200


def test_the_next_review_date_is_in_the_learners_time_zone(app, client, learner):
    # Kiritimati is UTC+14 all year: 15:00 UTC is 05:00 the next day there, after 04:00.
    settings = {**VALID, "timezone": "Pacific/Kiritimati", "day_start_hour": "4"}
    assert client.post("/settings", data=settings).status_code == 302
    today = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    push_via_api(client, [answered("gradient", "correct", today - days(10))])
    with app.app_context():
        due = db.session.get(Card, (learner, "gradient")).due
    assert due.hour == 15, "intervals are whole days"
    local_day = (due + timedelta(hours=14)).date()
    assert skill_row(progress_page(client), "gradient")[-1] == local_day.isoformat()


def test_giving_up_counts_as_a_missed_answer_on_the_progress_page(client, learner):
    fields = form_fields(client.get("/practice/").get_data(as_text=True))
    data = {**fields, "answer": "", "action": "give_up"}
    assert client.post("/practice/answer", data=data).status_code == 200
    page = progress_page(client)
    assert skill_row(page, fields["template_id"])[2] == "1", "one review on the card"
    assert stat(page, "answers graded") == "1"
    assert stat(page, "correct") == "0%"
    assert stat(page, "day streak") == "1"
