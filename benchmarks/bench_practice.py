"""Daily practice at scale: the queue from cached cards, a full replay, an answer's round trip.

A learner with 300 skills and 100,000 graded attempts: the catalog has far
fewer templates, so the benchmark registers 300 stand-in templates that share
the real families' settings.
"""

from __future__ import annotations

import functools
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from question_bank import generate
from question_bank.problem import Template
from quizengine import create_app, scheduling
from quizengine.accounts import create_user
from quizengine.extensions import db
from quizengine.models import Attempt
from quizengine.projections import replay_cards
from quizengine.queue import build_queue

from .registry import Row, benchmark
from .timing import percentile

SKILLS, ATTEMPTS = 300, 100_000
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@functools.cache
def _templates() -> dict[str, Template]:
    return {
        f"skill_{n:03d}": Template(f"skill_{n:03d}", f"Skill {n}", "stand-in", (1, 2, 3), "expr")
        for n in range(SKILLS)
    }


def _fill(user_id: int, rng: random.Random) -> None:
    """Write 100,000 graded attempts spread over 300 skills and two years."""
    start = NOW - timedelta(days=730)
    rows = []
    for n in range(ATTEMPTS):
        when = start + timedelta(seconds=n * (730 * 86400 // ATTEMPTS))
        hlc = f"{int(when.timestamp() * 1000):015d}-0000-bench"
        status = "correct" if rng.random() < 0.8 else "incorrect"
        rows.append({
            "user_id": user_id, "event_id": str(uuid.UUID(int=n + 1)),
            "template_id": f"skill_{rng.randrange(SKILLS):03d}", "seed": n, "level": 1,
            "answer": "x", "duration_ms": 20_000, "assignment_id": None, "device_id": "bench",
            "hlc": hlc, "answered_at": when, "received_at": when, "status": status,
            "score": 1.0 if status == "correct" else 0.0, "feedback": "", "tags": [],
            "preview": None, "flags": {}, "graded_event_id": str(uuid.uuid4()),
        })  # fmt: skip
    db.session.execute(Attempt.__table__.insert(), rows)
    db.session.commit()


@benchmark("practice")
def practice() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="qe-bench-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "b",
        "TESTING": True, "RATELIMIT_ENABLED": False, "INSTANCE_PATH": str(folder),
    })  # fmt: skip
    rows: list[Row] = []
    with app.app_context(), mock.patch("quizengine.queue.template_index", _templates), \
            mock.patch("quizengine.projections.template_index", _templates):  # fmt: skip
        db.create_all()
        user = create_user("bench@example.org", "benchmark password")
        _fill(user.id, random.Random(1))
        started = time.perf_counter()
        replay_cards(db.session, user.id, 0.9)
        db.session.commit()
        replay_seconds = time.perf_counter() - started
        times = []
        for _ in range(30):
            started = time.perf_counter()
            build_queue(db.session, user.id, NOW, limit=20)
            times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    rows += [
        Row("practice", "replay 100k attempts", replay_seconds, "s", "< 5 s", replay_seconds < 5),
        Row("practice", "build_queue median (300 skills)", statistics.median(times), "ms"),
        Row(
            "practice",
            "build_queue p99",
            percentile(times, 99),
            "ms",
            "< 20 ms",
            percentile(times, 99) < 20,
        ),  # fmt: skip
    ]
    return rows + _round_trip(folder)


def _round_trip(folder: Path) -> list[Row]:
    """Answer through the test client: grade, store, reschedule; p99 of 100 answers."""
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'trip.sqlite3'}", "SECRET_KEY": "b",
        "TESTING": True, "RATELIMIT_ENABLED": False, "INSTANCE_PATH": str(folder),
    })  # fmt: skip
    with app.app_context():
        db.create_all()
        create_user("trip@example.org", "benchmark password")
    client = app.test_client()
    client.post("/login", data={"email": "trip@example.org", "password": "benchmark password"})
    rng = random.Random(2)
    times = []
    for n in range(110):
        problem = generate("hessian" if n % 2 else "gradient", rng.randrange(10_000), 1)
        when = NOW + timedelta(minutes=n)
        event = {
            "id": str(uuid.uuid4()), "v": 1, "type": "attempt",
            "hlc": f"{int(when.timestamp() * 1000):015d}-0000-bench",
            "created_at": when.isoformat(),
            "payload": {"template_id": problem.template_id, "seed": problem.seed, "level": 1,
                        "answer": problem.solution if n % 3 else "(0, 0)", "duration_ms": 5000},
        }  # fmt: skip
        started = time.perf_counter()
        response = client.post("/api/v1/sync/push", json={"device_id": "bench", "events": [event]})
        if n >= 10:  # the first answers warm the process up (imports, connections)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    p99 = percentile(times, 99)
    return [
        Row("practice", "answer round trip median", statistics.median(times), "ms"),
        Row("practice", "answer round trip p99", p99, "ms", "< 50 ms", p99 < 50),
    ]


__all__ = ["practice", "scheduling"]
