"""Changing the scheduling settings while another device syncs."""

from __future__ import annotations

import threading

from quizengine import projections
from quizengine.extensions import db
from quizengine.settings import update_settings
from tests.quizengine.history import NOW, answered, card, days, push
from tests.quizengine.teaching import person

NEW_RETENTION = {"desired_retention": "0.8", "daily_new_limit": "5", "timezone": "UTC",
                 "day_start_hour": "4"}  # fmt: skip


def test_a_push_during_a_retention_change_keeps_its_review(app, monkeypatch, cheap_passwords):
    with app.app_context():
        user_id = person("ada@example.org").id
        push(db.session, user_id, [answered("gradient", "correct", NOW - days(2))])
    pushed = threading.Event()

    def push_from_the_phone() -> None:
        with app.app_context():
            push(db.session, user_id, [answered("gradient", "correct", NOW - days(1), seed=7)],
                 device="phone")  # fmt: skip
            db.session.remove()
        pushed.set()

    phone = threading.Thread(target=push_from_the_phone)
    real_store_state = projections.store_state

    def store_after_the_phone_had_its_chance(state, row) -> None:
        # The replay has read every card and attempt; it has not written yet.
        if not phone.is_alive() and not pushed.is_set():
            phone.start()
            pushed.wait(1.0)  # the settings change holds the learner's lock: the push waits
        real_store_state(state, row)

    monkeypatch.setattr(projections, "store_state", store_after_the_phone_had_its_chance)
    with app.app_context():
        update_settings(db.session, user_id, NEW_RETENTION, NOW)
        db.session.remove()
    phone.join(30)
    assert pushed.is_set()
    with app.app_context():
        found = card(db.session, user_id, "gradient")
        # The card is what both answers make under the new retention, not a blend of the
        # replay's stale schedule and the push's counts.
        replayed = projections.replay_card(db.session, user_id, "gradient", 0.8)
        assert (found.attempts, found.reviews) == (2, 2)
        assert projections.card_state(found) == replayed
