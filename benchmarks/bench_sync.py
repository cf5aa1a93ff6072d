"""Sync throughput: many small events, attempts with their grading, and a full pull."""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from question_bank import generate
from quizengine import create_app
from quizengine.accounts import create_user
from quizengine.content import lesson_index
from quizengine.extensions import db

from .registry import Row, benchmark

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
PASSWORD = "benchmark password"


def _client(folder: Path, name: str):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'{name}.sqlite3'}", "SECRET_KEY": "b",
        "TESTING": True, "RATELIMIT_ENABLED": False, "INSTANCE_PATH": str(folder),
    })  # fmt: skip
    with app.app_context():
        db.create_all()
        create_user(f"{name}@example.org", PASSWORD)
    client = app.test_client()
    client.post("/login", data={"email": f"{name}@example.org", "password": PASSWORD})
    return client


def _event(n: int, kind: str, payload: dict) -> dict:
    when = T0 + timedelta(seconds=n)
    return {"id": str(uuid.uuid4()), "v": 1, "type": kind,
            "hlc": f"{int(when.timestamp() * 1000):015d}-0000-bench",
            "created_at": when.isoformat(), "payload": payload}  # fmt: skip


def _push(client, events: list[dict]) -> None:
    for start in range(0, len(events), 200):
        response = client.post(
            "/api/v1/sync/push", json={"device_id": "bench", "events": events[start : start + 200]}
        )
        assert response.status_code == 200, response.get_data(as_text=True)


@benchmark("sync")
def sync() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="qe-bench-"))
    lesson = next(iter(lesson_index().values()))
    question = lesson.skill_check[0]
    rng = random.Random(3)
    small = [
        _event(n, "note.put", {"lesson_id": lesson.id, "body": f"note {n} " * 20}) if n % 2
        else _event(n, "skill_check", {"lesson_id": lesson.id, "question_id": question.id,
                                       "choice": rng.choice([v for v, _ in question.choices])})
        for n in range(10_000)
    ]  # fmt: skip
    client = _client(folder, "small")
    started = time.perf_counter()
    _push(client, small)
    small_seconds = time.perf_counter() - started

    attempts = []
    for n in range(1000):
        problem = generate(rng.choice(["gradient", "hessian", "stable_step_size"]),
                           rng.randrange(200), 1)  # fmt: skip
        attempts.append(_event(n, "attempt", {
            "template_id": problem.template_id, "seed": problem.seed, "level": 1,
            "answer": problem.solution if n % 4 else "0", "duration_ms": 20_000,
        }))  # fmt: skip
    client = _client(folder, "attempts")
    started = time.perf_counter()
    _push(client, attempts)
    attempt_rate = len(attempts) / (time.perf_counter() - started)

    started, after, pulled = time.perf_counter(), 0, 0
    while True:
        page = client.get(f"/api/v1/sync/pull?after={after}&limit=500").get_json()
        pulled += len(page["events"])
        after = page["next_after"]
        if not page["more"]:
            break
    pull_seconds = time.perf_counter() - started
    return [
        Row(
            "sync",
            "push 10,000 notes and Skill Check answers",
            small_seconds,
            "s",
            "< 5 s",
            small_seconds < 5,
        ),  # fmt: skip
        Row("sync", "push 1,000 attempts with grading", attempt_rate, "attempts/s"),
        Row("sync", f"full pull of {pulled} events", pull_seconds, "s"),
    ]
