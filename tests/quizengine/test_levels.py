"""Adaptive levels through pushed attempts: up after two clean answers, down after two misses.

Each step is one attempt event, a day after the last, at the level the
learner was served; the card's level after it is what the table expects.
"""

from __future__ import annotations

import random

import pytest

from quizengine.accounts import create_user
from quizengine.content import template_index
from quizengine.extensions import db
from quizengine.queue import build_queue
from tests.helpers import PASSWORD, make_app
from tests.quizengine.history import NOW, answered, attempt, card, days, push

START = NOW - days(60)
TEMPLATES = ["gradient", "hessian"]
UP = [("correct", 1, 1), ("correct", 1, 2)]  # from level 1 to level 2

# Steps: (answer kind, level of the attempt, the card's level after it).
# Kinds: correct, wrong (no credit), partial (some credit: Hard), slow (correct but over
# twice the typical time: Hard), gave_up (Again), invalid (unreadable: not a review).
LEVEL_CASES = {
    "two clean correct answers raise the level": UP,
    "one clean correct answer is not enough": [("correct", 1, 1)],
    "raised twice, then capped at the top level": [
        *UP, ("correct", 2, 2), ("correct", 2, 3), ("correct", 3, 3), ("correct", 3, 3),
    ],
    "two misses lower the level": [*UP, ("wrong", 2, 2), ("wrong", 2, 1)],
    "misses at the bottom level stay there": [("wrong", 1, 1), ("wrong", 1, 1), ("wrong", 1, 1)],
    "giving up twice is two misses": [*UP, ("gave_up", 2, 2), ("gave_up", 2, 1)],
    "partial credit resets the clean streak": [
        ("correct", 1, 1), ("partial", 1, 1), ("correct", 1, 1), ("correct", 1, 2),
    ],
    "a slow answer resets the clean streak": [
        ("correct", 1, 1), ("slow", 1, 1), ("correct", 1, 1), ("correct", 1, 2),
    ],
    "partial credit resets the miss streak": [
        *UP, ("wrong", 2, 2), ("partial", 2, 2), ("wrong", 2, 2), ("wrong", 2, 1),
    ],
    "an invalid answer breaks no streak": [("correct", 1, 1), ("invalid", 1, 1), ("correct", 1, 2)],
    "invalid answers never lower the level": [*UP, ("invalid", 2, 2), ("invalid", 2, 2)],
    "answers at another level do not move the card": [
        ("correct", 3, 1), ("correct", 3, 1), ("wrong", 2, 1), ("correct", 1, 1),
    ],
}  # fmt: skip


def step_event(template_id: str, kind: str, level: int, n: int) -> dict:
    when = START + days(n)
    if kind == "slow":
        typical = template_index()[template_id].typical_seconds
        return answered(template_id, "correct", when, level=level,
                        duration_ms=2 * typical * 1000 + 1000)  # fmt: skip
    if kind == "gave_up":
        return attempt(template_id, "", when, level=level, gave_up=True)
    return answered(template_id, kind, when, level=level)


def history(template_id: str, steps) -> list[dict]:
    return [step_event(template_id, kind, level, n) for n, (kind, level, _) in enumerate(steps)]


@pytest.mark.parametrize("template_id", TEMPLATES)
@pytest.mark.parametrize("steps", LEVEL_CASES.values(), ids=LEVEL_CASES.keys())
def test_level_follows_the_answers(db_session, learner_id, template_id, steps):
    assert template_index()[template_id].levels == (1, 2, 3)
    for event, (_kind, _level, expected) in zip(history(template_id, steps), steps, strict=True):
        [result] = push(db_session, learner_id, [event])
        assert result.status == "accepted"
        assert card(db_session, learner_id, template_id).level == expected, event["payload"]


def test_the_queue_serves_the_cards_level(db_session, learner_id):
    push(db_session, learner_id, history("gradient", UP))
    [item] = [i for i in build_queue(db_session, learner_id, NOW) if i.template_id == "gradient"]
    assert item.level == 2


LONG_HISTORY = [
    *UP, ("correct", 2, 2), ("partial", 2, 2), ("correct", 2, 2), ("correct", 2, 3),
    ("wrong", 3, 3), ("invalid", 3, 3), ("wrong", 3, 2), ("slow", 2, 2), ("correct", 1, 2),
]  # fmt: skip


def cards_in_fresh_app(tmp_path, events) -> dict:
    """Push the events for a learner of a brand-new database; return the cards' state."""
    app = make_app(tmp_path)
    try:
        with app.app_context():
            user_id = create_user("ada@example.org", PASSWORD).id
            push(db.session, user_id, events)
            return {
                tid: (row.level, row.clean_streak, row.miss_streak, row.due, row.reviews)
                for tid in TEMPLATES
                if (row := card(db.session, user_id, tid)) is not None
            }
    finally:
        with app.app_context():
            db.engine.dispose()


def test_replaying_the_same_events_reproduces_the_levels(tmp_path, cheap_passwords):
    events = history("gradient", LONG_HISTORY) + history("hessian", LEVEL_CASES[
        "partial credit resets the miss streak"])  # fmt: skip
    in_order = cards_in_fresh_app(tmp_path / "in-order", events)
    assert in_order["gradient"][0] == LONG_HISTORY[-1][2]
    assert in_order["hessian"][0] == 1
    shuffled = list(events)
    random.Random(5).shuffle(shuffled)
    assert cards_in_fresh_app(tmp_path / "shuffled", shuffled) == in_order
    assert cards_in_fresh_app(tmp_path / "reversed", events[::-1]) == in_order


# Pushed in order, each arrival folds in incrementally; latest first, each one forces a replay.
@pytest.mark.parametrize("order", ["in order", "latest first"])
def test_levels_pushed_one_by_one_equal_one_push(
    tmp_path, cheap_passwords, db_session, learner_id, order
):
    events = history("gradient", LONG_HISTORY)
    for event in events if order == "in order" else events[::-1]:
        push(db_session, learner_id, [event])
    row = card(db_session, learner_id, "gradient")
    one_push = cards_in_fresh_app(tmp_path / "one", events)["gradient"]
    assert (row.level, row.clean_streak, row.miss_streak, row.due, row.reviews) == one_push
