"""The database-facing paths on a real PostgreSQL server: migrations, the event store
under concurrent writers, sync convergence, the queue."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from quizengine import create_app
from quizengine.accounts import create_user
from quizengine.event_store import events_after
from quizengine.extensions import db
from quizengine.ingest import push_events
from quizengine.queue import build_queue
from tests.helpers import PASSWORD
from tests.quizengine.test_migrations import schema_drift
from tests.quizengine.test_sync import mixed_history

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def pg_app(postgres_url, tmp_path):
    """An app on a fresh PostgreSQL database; its connections are closed afterwards."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": postgres_url})  # fmt: skip
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_migrations_upgrade_downgrade_and_match_the_models(pg_app):
    app = pg_app
    with app.app_context():
        upgrade()
        assert {"users", "events", "cards", "attempts"} <= set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()
    assert schema_drift(app) == []


def test_a_mixed_history_projects_the_same_in_any_order(pg_app):
    app = pg_app
    history = mixed_history(11)
    with app.app_context():
        upgrade()
        ordered = create_user("ordered@example.org", PASSWORD).id
        shuffled = create_user("shuffled@example.org", PASSWORD).id
        for device, event in sorted(history, key=lambda p: p[1]["hlc"]):
            push_events(db.session, ordered, device, [event], T0 + timedelta(days=30))
        for device, event in reversed(history + history[:3]):
            push_events(db.session, shuffled, device, [event], T0 + timedelta(days=30))
        queue = [build_queue(db.session, user, T0 + timedelta(days=31)) for user in
                 (ordered, shuffled)]  # fmt: skip
        assert [(i.template_id, i.reason, i.level) for i in queue[0]] == [
            (i.template_id, i.reason, i.level) for i in queue[1]
        ]


def test_concurrent_pushes_never_make_a_pull_skip(pg_app):
    app = pg_app
    with app.app_context():
        upgrade()
        user_id = create_user("p@example.org", PASSWORD).id
        engine = db.engine
        lesson_id = mixed_history(1)[0][1]["payload"].get("lesson_id") or "landscape-1"

    def writer(device: str) -> None:
        with app.app_context(), Session(engine) as session:
            for n in range(15):
                when = T0 + timedelta(seconds=n)
                event = {
                    "id": str(uuid.uuid4()),
                    "v": 1,
                    "type": "note.put",
                    "hlc": f"{int(when.timestamp() * 1000):015d}-0000-{device}",
                    "created_at": when.isoformat(),
                    "payload": {"lesson_id": lesson_id, "body": f"{device} {n}"},
                }
                push_events(session, user_id, device, [event], T0)

    threads = [threading.Thread(target=writer, args=(d,)) for d in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    seen, after = [], 0
    with Session(engine) as reader:
        while True:
            page = events_after(reader, user_id, after, 4)
            reader.rollback()
            if page:
                seen += [e.seq for e in page]
                after = page[-1].seq
            elif not any(t.is_alive() for t in threads):
                if not events_after(reader, user_id, after, 4):
                    break
    for thread in threads:
        thread.join()
    assert seen == list(range(1, 46))
