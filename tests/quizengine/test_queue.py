"""The practice queue with a fixed `now`: due reviews, new skills, practice ahead, variants.

Histories are made the way devices make them: attempt events pushed with
chosen hybrid-logical-clock times, graded and projected by the server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizengine.content import lesson_index, skill_order, template_index
from quizengine.projections import settings_for
from quizengine.queue import build_queue
from tests.quizengine.history import NOW, answered, card, days, event, push, related

# A history: (template, answer kind, days before NOW).
# history, and the skills it has learned
UNLOCKING = [
    pytest.param([], set(), id="nothing answered"),
    pytest.param([("gradient", "correct", 1)], {"gradient"}, id="gradient answered right"),
    # A first review that failed has not learned the skill (fsrs files it under Review).
    pytest.param([("gradient", "wrong", 1)], set(), id="gradient answered wrong first"),
    pytest.param([("gradient", "wrong", 3), ("gradient", "correct", 1)], {"gradient"},
                 id="gradient wrong, then right"),
    pytest.param([("gradient", "correct", 5), ("hessian", "correct", 1)],
                 {"gradient", "hessian"}, id="gradient right, then hessian"),
]  # fmt: skip

# (case, history, the due skills best first: lowest retrievability first)
DUE_ORDER = [
    ("older reviews first when equally remembered",
     [("gradient", "correct", 40), ("hessian", "correct", 35), ("critical_points", "correct", 30)],
     ["gradient", "hessian", "critical_points"]),
    ("a recent miss is weaker than an old success",
     [("gradient", "correct", 10), ("critical_points", "wrong", 2)],
     ["critical_points", "gradient"]),
]  # fmt: skip

# (daily new-skill limit, day gradient was first answered (days before NOW), new items expected)
NEW_LIMITS = [
    (0, 1, 0),
    (1, 1, 1),
    (2, 1, 2),
    # Starting `gradient` this morning used one of today's new skills.
    (1, 0.25, 0),
    (2, 0.25, 1),
]


def make_history(session, user_id, history) -> None:
    events = [answered(tid, kind, NOW - days(ago)) for tid, kind, ago in history]
    results = push(session, user_id, events)
    assert {r.status for r in results} <= {"accepted"}


def queue(session, user_id, now: datetime = NOW, limit: int = 20):
    items = build_queue(session, user_id, now, limit=limit)
    session.commit()
    return items


def set_new_limit(session, user_id, limit: int) -> None:
    settings_for(session, user_id).daily_new_limit = limit
    session.commit()


def test_a_new_learner_starts_with_gradient_as_new(db_session, learner_id):
    items = queue(db_session, learner_id)
    assert items, "a new learner has something to do"
    first = items[0]
    assert (first.template_id, first.reason) == ("gradient", "new")
    assert first.level == template_index()["gradient"].levels[0]
    assert first.due is None and first.assignment_id is None
    assert {item.reason for item in items} == {"new"}
    order = skill_order()
    assert [i.template_id for i in items] == sorted(
        (i.template_id for i in items), key=order.index
    )


@pytest.mark.parametrize(("history", "learned"), UNLOCKING)
def test_skills_whose_prerequisites_are_not_learned_are_not_offered(
    db_session, learner_id, history, learned
):
    make_history(db_session, learner_id, history)
    set_new_limit(db_session, learner_id, 50)
    templates = template_index()
    offered = [i.template_id for i in queue(db_session, learner_id) if i.reason == "new"]
    for template_id in offered:
        assert set(templates[template_id].prerequisites) <= learned, template_id
    unlocked = {t for t in templates if t not in learned and set(templates[t].prerequisites)
                <= learned and not any(t == h[0] for h in history)}  # fmt: skip
    assert unlocked <= set(offered)


@pytest.mark.parametrize(
    ("history", "expected"),
    [pytest.param(h, e, id=case) for case, h, e in DUE_ORDER],
)
def test_due_reviews_come_first_lowest_retrievability_first(
    db_session, learner_id, history, expected
):
    make_history(db_session, learner_id, history)
    items = queue(db_session, learner_id)
    due = [i for i in items if i.reason == "due"]
    assert [i.template_id for i in due] == expected
    assert items[: len(due)] == due, "every due review comes before anything else"
    recall = [i.retrievability for i in due]
    assert recall == sorted(recall)
    assert all(i.due is not None and i.due < NOW + days(1) for i in due)
    assert not any(i.reason == "ahead" for i in items), "nothing ahead while reviews are due"


@pytest.mark.parametrize(("limit", "started_ago", "expected"), NEW_LIMITS)
def test_the_daily_new_skill_limit_caps_new_items(
    db_session, learner_id, limit, started_ago, expected
):
    make_history(db_session, learner_id, [("gradient", "correct", started_ago)])
    set_new_limit(db_session, learner_id, limit)
    new = [i for i in queue(db_session, learner_id) if i.reason == "new"]
    assert len(new) == expected


# (time zone, new items with a limit of 1): gradient was started 20 hours before NOW,
# which is yesterday in UTC but today in Auckland (NOW is 01:00 there, past 04:00 yesterday).
DAY_BOUNDARIES = [("UTC", 1), ("Pacific/Auckland", 0)]


@pytest.mark.parametrize(("timezone", "expected"), DAY_BOUNDARIES)
def test_the_new_skill_day_starts_at_04_00_in_the_learners_time_zone(
    db_session, learner_id, timezone, expected
):
    make_history(db_session, learner_id, [("gradient", "correct", 20 / 24)])
    settings = settings_for(db_session, learner_id)
    settings.daily_new_limit, settings.timezone = 1, timezone
    db_session.commit()
    assert len([i for i in queue(db_session, learner_id) if i.reason == "new"]) == expected


def test_a_backlog_of_due_reviews_stops_new_skills(db_session, learner_id):
    templates = template_index()
    # One new skill stays available: hessian_spectrum, unlocked once hessian is learned.
    held_back = "hessian_spectrum"
    backlog = [t for t in templates if t not in (held_back, "gradient")]
    # A slow learner: one answer a day this past week, all on gradient.
    history = [(t, "correct", 40) for t in [*backlog, "gradient"]]
    history += [("gradient", "correct", n) for n in range(1, 8)]
    make_history(db_session, learner_id, history)
    items = queue(db_session, learner_id, limit=100)
    due = [i for i in items if i.reason == "due"]
    assert len(due) >= 5, "precondition: a backlog several days deep for this learner"
    assert not [i for i in items if i.reason == "new"]


def test_new_skills_follow_a_small_review_backlog(db_session, learner_id):
    make_history(db_session, learner_id, [("gradient", "correct", 40)])
    items = queue(db_session, learner_id)
    assert [i.reason for i in items[:1]] == ["due"]
    assert {i.template_id for i in items if i.reason == "new"} >= {"hessian", "critical_points"}


def test_practice_ahead_when_nothing_is_due(db_session, learner_id):
    make_history(db_session, learner_id, [("gradient", "correct", 1 / 24)])
    items = queue(db_session, learner_id)
    assert not [i for i in items if i.reason == "due"]
    [ahead] = [i for i in items if i.reason == "ahead"]
    gradient = card(db_session, learner_id, "gradient")
    assert ahead.template_id == "gradient"
    assert ahead.due == gradient.due and ahead.due > NOW


def test_a_fresh_variant_after_each_attempt_and_the_same_one_until_then(db_session, learner_id):
    def gradient_seed(now):
        items = queue(db_session, learner_id, now)
        return next(i.seed for i in items if i.template_id == "gradient")

    seeds = [gradient_seed(NOW - days(3))]
    assert gradient_seed(NOW - days(3)) == seeds[0], "the same item for two calls"
    for n, kind in enumerate(["correct", "wrong", "correct"]):
        push(db_session, learner_id, [answered("gradient", kind, NOW - days(2 - n))])
        seeds.append(gradient_seed(NOW))
        assert gradient_seed(NOW) == seeds[-1]
    assert len(set(seeds)) == len(seeds), seeds


def test_an_invalid_answer_keeps_the_same_variant(db_session, learner_id):
    before = queue(db_session, learner_id)
    push(db_session, learner_id, [answered("gradient", "invalid", NOW - timedelta(minutes=1))])
    assert queue(db_session, learner_id) == before


def test_related_skills_are_separated_by_an_unrelated_one_of_the_same_tier(
    db_session, learner_id
):
    assert related("gradient", "critical_points")
    assert not related("gradient", "hessian_spectrum")
    assert not related("critical_points", "hessian_spectrum")
    history = [("gradient", "correct", 40), ("critical_points", "correct", 35),
               ("hessian_spectrum", "correct", 30)]  # fmt: skip
    make_history(db_session, learner_id, history)
    items = queue(db_session, learner_id)
    due = [i.template_id for i in items if i.reason == "due"]
    assert due == ["gradient", "hessian_spectrum", "critical_points"]
    for before, after in zip(items, items[1:], strict=False):
        if before.reason == after.reason == "due":
            assert not related(before.template_id, after.template_id)


def test_the_queue_api_returns_items_as_the_contract_says(app, client, learner):
    real_now = datetime.now(UTC)
    events = [answered("gradient", "correct", real_now - days(40))]
    assert client.post(
        "/api/v1/sync/push", json={"device_id": "device-a", "events": events}
    ).status_code == 200
    response = client.get("/api/v1/queue?limit=3")
    assert response.status_code == 200
    items = response.json["items"]
    assert 1 <= len(items) <= 3
    assert items[0]["template_id"] == "gradient" and items[0]["reason"] == "due"
    assert any(item["reason"] == "new" for item in items)
    templates = template_index()
    for item in items:
        assert set(item) == {"template_id", "level", "seed", "reason", "due", "assignment_id"}
        assert item["level"] in templates[item["template_id"]].levels
        assert isinstance(item["seed"], int) and item["seed"] >= 0
        assert item["reason"] in ("due", "assigned", "new", "ahead")
        assert item["assignment_id"] is None or isinstance(item["assignment_id"], int)
        if item["reason"] == "new":
            assert item["due"] is None
        else:
            due = datetime.fromisoformat(item["due"].replace("Z", "+00:00"))
            assert due.tzinfo is not None
    assert len(client.get("/api/v1/queue?limit=1").json["items"]) == 1


@pytest.mark.parametrize("limit", ["0", "101", "many"])
def test_the_queue_api_rejects_a_bad_limit(client, learner, limit):
    response = client.get(f"/api/v1/queue?limit={limit}")
    assert response.status_code == 400
    assert response.json["error"]["field"] == "limit"


def test_skills_from_yesterdays_skill_check_started_today_use_todays_limit(
    db_session, learner_id
):
    lesson = next(iter(lesson_index().values()))
    checks = [event("skill_check", {"lesson_id": lesson.id, "question_id": q.id,
                                    "choice": q.answer}, NOW - days(1))
              for q in lesson.skill_check]  # fmt: skip
    push(db_session, learner_id, checks)
    limit = settings_for(db_session, learner_id).daily_new_limit
    started = [t for t in lesson.skills if t in template_index()][:limit]
    assert len(started) == limit, "precondition: the lesson has a day's worth of new skills"
    make_history(db_session, learner_id, [(t, "correct", 1 / 24) for t in started])
    assert not [i for i in queue(db_session, learner_id) if i.reason == "new"]


# (case, now, the card's due time (UTC), its reason) for a learner in Paris whose day
# starts at 04:00: on the days the clocks change, a learner day lasts 23 or 25 hours.
DST_DAYS = [
    ("spring: 04:30 Sunday is tomorrow", datetime(2026, 3, 28, 12, tzinfo=UTC),
     datetime(2026, 3, 29, 2, 30, tzinfo=UTC), "ahead"),
    ("autumn: 03:30 Sunday is still today", datetime(2026, 10, 24, 12, tzinfo=UTC),
     datetime(2026, 10, 25, 2, 30, tzinfo=UTC), "due"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "now", "due", "reason"), DST_DAYS, ids=[d[0] for d in DST_DAYS])
def test_due_today_follows_the_learners_clock_when_it_changes(
    db_session, learner_id, case, now, due, reason
):
    push(db_session, learner_id, [answered("gradient", "correct", now - days(2))], now=now)
    settings = settings_for(db_session, learner_id)
    settings.timezone, settings.day_start_hour = "Europe/Paris", 4
    db_session.commit()
    card(db_session, learner_id, "gradient").due = due
    db_session.commit()
    [item] = [i for i in queue(db_session, learner_id, now) if i.template_id == "gradient"]
    assert item.reason == reason
