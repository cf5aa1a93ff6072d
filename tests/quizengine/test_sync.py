"""Sync on the server: any batching, order or duplication converges; pull misses nothing."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from question_bank import generate
from quizengine.accounts import create_user
from quizengine.content import lesson_index
from quizengine.event_store import events_after
from quizengine.extensions import db
from quizengine.ingest import push_events
from quizengine.models import Attempt, Card, Event, Note, SkillCheckAnswer
from tests.helpers import PASSWORD, make_app

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DEVICES = ("phone", "laptop", "tablet")


def mixed_history(seed: int, count: int = 14) -> list[tuple[str, dict]]:
    """Return (device, event) pairs: attempts, notes (puts and deletes), Skill Check answers."""
    rng = random.Random(seed)
    lesson = next(iter(lesson_index().values()))
    question = lesson.skill_check[0]
    history = []
    for n in range(count):
        device = rng.choice(DEVICES)
        when = T0 + timedelta(minutes=rng.randint(0, 60 * 24 * 20))
        kind = rng.choice(["attempt", "attempt", "note.put", "note.deleted", "skill_check"])
        if kind == "attempt":
            problem = generate(rng.choice(["gradient", "hessian"]), rng.randint(0, 50), 1)
            right = rng.random() < 0.7
            payload = {
                "template_id": problem.template_id,
                "seed": problem.seed,
                "level": 1,
                "answer": problem.solution if right else "0",
                "duration_ms": 9000,
            }
        elif kind == "note.put":
            payload = {"lesson_id": lesson.id, "body": f"note {n} from {device}"}
        elif kind == "note.deleted":
            payload = {"lesson_id": lesson.id}
        else:
            payload = {
                "lesson_id": lesson.id,
                "question_id": question.id,
                "choice": rng.choice([value for value, _ in question.choices]),
            }
        history.append((device, {
            "id": str(uuid.UUID(int=seed * 100 + n + 1)), "v": 1, "type": kind,
            "hlc": f"{int(when.timestamp() * 1000):015d}-{n:04d}-{device}",
            "created_at": when.isoformat(), "payload": payload,
        }))  # fmt: skip
    return history


def projections(folder, batches: list[list[tuple[str, dict]]]) -> dict:
    """Push the batches to a fresh database; return every projection, normalised."""
    app = make_app(folder)
    with app.app_context():
        user = create_user("sync@example.org", PASSWORD)
        for batch in batches:
            by_device: dict[str, list] = {}
            for device, event in batch:
                by_device.setdefault(device, []).append(event)
            for device, events in by_device.items():
                push_events(db.session, user.id, device, events, T0 + timedelta(days=30))
        session = db.session
        return {
            "cards": sorted(
                (c.template_id, c.state, c.stability, c.difficulty, c.due, c.reviews, c.level)
                for c in session.scalars(select(Card))
            ),
            "attempts": sorted(
                (a.event_id, a.status, a.score) for a in session.scalars(select(Attempt))
            ),
            "notes": sorted(
                (n.lesson_id, n.body, n.deleted) for n in session.scalars(select(Note))
            ),
            "checks": sorted(
                (s.question_id, s.choice, s.correct)
                for s in session.scalars(select(SkillCheckAnswer))
            ),
            "events": session.query(Event).count(),
        }


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 5000), data=st.data())
def test_any_batching_order_and_duplication_gives_one_replays_projections(
    tmp_path_factory, seed, data
):
    history = mixed_history(seed)
    order = data.draw(st.permutations(history))
    extra = data.draw(st.lists(st.sampled_from(history), max_size=5))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(order)), max_size=3)))
    shuffled = list(order) + extra
    batches, start = [], 0
    for cut in cuts + [len(shuffled)]:
        batches.append(shuffled[start:cut])
        start = cut
    ordered = [sorted(history, key=lambda pair: (pair[1]["hlc"], pair[0], pair[1]["id"]))]
    assert projections(tmp_path_factory.mktemp("any"), batches) == projections(
        tmp_path_factory.mktemp("ordered"), ordered
    )


def test_the_same_id_with_another_payload_is_a_conflict_and_changes_nothing(app, db_session):
    user = create_user("c@example.org", PASSWORD)
    device, event = mixed_history(7)[0]
    push_events(db_session, user.id, device, [event], T0)
    before = projections_of(db_session)
    changed = {**event, "payload": {**event["payload"], "answer": "something else"}} \
        if event["type"] == "attempt" else {**event, "hlc": event["hlc"][:-1] + "x"}  # fmt: skip
    [result] = push_events(db_session, user.id, device, [changed], T0)
    assert result.status == "conflict"
    assert projections_of(db_session) == before


def projections_of(session: Session) -> tuple:
    return (
        sorted((a.event_id, a.answer, a.status) for a in session.scalars(select(Attempt))),
        sorted((n.body,) for n in session.scalars(select(Note))),
        session.query(Event).count(),
    )


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(page_size=st.integers(1, 9))
def test_pull_returns_every_event_once_while_pushes_run(tmp_path_factory, page_size):
    app = make_app(tmp_path_factory.mktemp("pull"))
    with app.app_context():
        user_id = create_user("p@example.org", PASSWORD).id
        engine = db.engine
    lesson_id = next(iter(lesson_index()))

    def writer(device: str) -> None:
        with app.app_context(), Session(engine) as session:
            for n in range(12):
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

    threads = [threading.Thread(target=writer, args=(d,)) for d in DEVICES]
    for thread in threads:
        thread.start()
    seen: list[int] = []
    after = 0
    with Session(engine) as reader:
        while True:
            page = events_after(reader, user_id, after, page_size)
            reader.rollback()
            if page:
                seen += [e.seq for e in page]
                after = page[-1].seq
            elif not any(t.is_alive() for t in threads):
                if not events_after(reader, user_id, after, page_size):
                    break
    for thread in threads:
        thread.join()
    assert seen == list(range(1, 3 * 12 + 1))
