"""Projections kept beside the events: the learner's settings, stored once they are saved,
and the cards every answer updates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select

from quizengine.extensions import db
from quizengine.ingest import push_events
from quizengine.models import Card, LearnerSettings
from quizengine.projections import settings_for
from tests.helpers import PASSWORD, at_once
from tests.quizengine.history import DEVICE, NOW, answered
from tests.quizengine.teaching import person

FIRST_PAGES = ("/api/v1/queue", "/progress", "/api/v1/pack")


def _rows(user_id: int) -> int:
    query = select(func.count()).select_from(LearnerSettings)
    return db.session.scalar(query.where(LearnerSettings.user_id == user_id))


def test_settings_for_yields_to_a_row_added_since_it_looked(db_session, monkeypatch,
                                                            cheap_passwords):  # fmt: skip
    user_id = person("ada@example.org").id
    settings_for(db_session, user_id).daily_new_limit = 2  # another request's, committed
    db_session.commit()
    looked = []
    real_get = db_session.get

    def looked_too_early(entity, ident, **options):
        looked.append(ident)  # the first look ran before that request inserted
        return None if len(looked) == 1 else real_get(entity, ident, **options)

    monkeypatch.setattr(db_session, "get", looked_too_early)
    found = settings_for(db_session, user_id)
    db_session.commit()
    assert found.daily_new_limit == 2  # the row already there, untouched
    assert _rows(user_id) == 1


def test_a_new_learners_first_pages_at_once_all_load(app, cheap_passwords):
    statuses: list[tuple[str, int]] = []
    for n in range(4):
        email = f"new{n}@example.org"
        with app.app_context():
            user_id = person(email).id
        client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})
        found = at_once(app, client, [("GET", path, None) for path in FIRST_PAGES])
        statuses += zip(FIRST_PAGES, found, strict=True)
        with app.app_context():
            assert _rows(user_id) == 0  # reading pages store nothing: the defaults apply
    assert len(statuses) == 4 * len(FIRST_PAGES)
    assert all(status == 200 for _, status in statuses), statuses


def _second_answer(retention: float | None) -> tuple[Card, list[str]]:
    """A learner (with `retention` saved, or the defaults) answers a skill right twice, a
    day apart; return the card and the statements the second answer ran."""
    user_id = person(f"r{retention}@example.org").id
    if retention is not None:
        settings_for(db.session, user_id).desired_retention = retention
        db.session.commit()
    push_events(db.session, user_id, DEVICE, [answered("gradient", "correct")], NOW)
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    later = NOW + timedelta(days=1)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        push_events(db.session, user_id, DEVICE, [answered("gradient", "correct", later)], later)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    card = db.session.scalars(select(Card).where(Card.user_id == user_id)).one()
    return card, statements


def test_an_answer_on_a_known_card_reads_the_retention_in_the_cards_own_query(
    db_session, cheap_passwords
):
    default, default_statements = _second_answer(None)
    eager, eager_statements = _second_answer(0.97)
    # A higher desired retention brings the next review sooner; the default is 0.9.
    assert eager.due < default.due
    for statements in (default_statements, eager_statements):
        settings_reads = [s for s in statements if "learner_settings" in s]
        assert len(settings_reads) == 1 and settings_reads[0].lstrip().startswith("SELECT cards")
