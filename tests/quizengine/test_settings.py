"""Changing the scheduling settings while another device syncs."""

from __future__ import annotations

import threading

from quizengine import event_store, projections
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
    at_the_lock, pushed = threading.Event(), threading.Event()
    real_lock_owner = event_store.lock_owner

    def phone_lock_owner(session, owner_id):
        at_the_lock.set()  # graded, about to store: the push now needs the learner's lock
        return real_lock_owner(session, owner_id)

    def push_from_the_phone() -> None:
        with app.app_context():
            push(db.session, user_id, [answered("gradient", "correct", NOW - days(1), seed=7)],
                 device="phone")  # fmt: skip
            db.session.remove()
        pushed.set()

    phone = threading.Thread(target=push_from_the_phone, daemon=True)
    real_store_state = projections.store_state
    held_it_back = []

    def store_after_letting_the_phone_try(state, row) -> None:
        # The replay has read every card and attempt and written none of them yet.
        if not phone.is_alive() and not pushed.is_set():
            phone.start()
            assert at_the_lock.wait(30)
            held_it_back.append(not pushed.wait(0.5))  # it may not store in between
        real_store_state(state, row)

    # Only the phone's push looks it up here; update_settings holds its own reference.
    monkeypatch.setattr(event_store, "lock_owner", phone_lock_owner)
    monkeypatch.setattr(projections, "store_state", store_after_letting_the_phone_try)
    with app.app_context():
        update_settings(db.session, user_id, NEW_RETENTION, NOW)
        db.session.remove()
    phone.join(30)
    assert held_it_back == [True] and pushed.is_set()
    with app.app_context():
        found = card(db.session, user_id, "gradient")
        # What both answers make under the new retention, not a blend of the replay's
        # stale schedule and the push's counts.
        replayed = projections.replay_card(db.session, user_id, "gradient", 0.8)
        assert (found.attempts, found.reviews) == (2, 2)
        assert projections.card_state(found) == replayed
