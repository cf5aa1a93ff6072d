"""The teacher's gradebook at class scale: 150 students by 20 problems, rendered as a page.

The class is written with bulk inserts (a precomputed password hash, one
attempt row per answered problem), so the benchmark measures the page, not
the setup. `fill_gradebook` is shared with the query-count test.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from quizengine import create_app
from quizengine.accounts import create_user
from quizengine.extensions import db
from quizengine.models import Attempt, Card, Classroom, Enrollment, User
from quizengine.problem_sets import ItemSpec, SetSettings, create_set, problem_seed, set_problems
from quizengine.problem_sets import set_items as load_items

from .registry import Row, benchmark
from .timing import percentile

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TEMPLATES = ("gradient", "hessian", "critical_points", "stable_step_size")
TAGS = ("missing_factor_2", "dropped_cross_term", "transposed", "reciprocal")


def fill_gradebook(teacher_id: int, students: int, per_template: int, *, seed: int = 1):
    """Write a class of `students` with an assignment of 4 x `per_template` problems, most
    of them answered; return the assignment id."""
    from quizengine.models import Assignment

    rng = random.Random(seed)
    session = db.session
    classroom = Classroom(teacher_id=teacher_id, name="Big class", join_code=None, created_at=NOW)
    session.add(classroom)
    settings = SetSettings("Hessians and step sizes", "", "per_student", None, "each_answer",
                           tuple(ItemSpec(t, 1, per_template) for t in TEMPLATES))  # fmt: skip
    problem_set = create_set(session, teacher_id, settings, NOW)
    session.flush()
    assignment = Assignment(set_id=problem_set.id, classroom_id=classroom.id,
                            opens_at=NOW - timedelta(days=3), due_at=NOW - timedelta(hours=1),
                            created_at=NOW)  # fmt: skip
    session.add(assignment)
    hashed = session.get(User, teacher_id).password_hash
    first = session.execute(
        insert(User).returning(User.id),
        [{"email": f"s{n:04d}@example.org", "display_name": f"Student {n:04d}",
          "password_hash": hashed, "role": "learner", "session_token": uuid.uuid4().hex,
          "created_at": NOW, "last_event_seq": 0} for n in range(students)],
    ).scalars().all()  # fmt: skip
    session.flush()
    session.execute(insert(Enrollment), [
        {"classroom_id": classroom.id, "student_id": sid, "joined_at": NOW} for sid in first
    ])  # fmt: skip
    problems = set_problems(load_items(session, problem_set.id))
    rows, cards = [], []
    for sid in first:
        for problem in problems:
            if rng.random() < 0.15:
                continue
            when = NOW - timedelta(days=1, minutes=rng.randrange(600))
            late = rng.random() < 0.05
            status = "correct" if rng.random() < 0.7 else "incorrect"
            rows.append({
                "user_id": sid, "event_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "template_id": problem.template_id, "seed": problem_seed(problem_set, problem, sid),
                "level": 1, "answer": "x**2 + 2*y", "duration_ms": rng.randrange(5_000, 200_000),
                "assignment_id": assignment.id, "device_id": "bench",
                "hlc": f"{int(when.timestamp() * 1000):015d}-0000-bench", "answered_at": when,
                "received_at": NOW if late else when, "status": status,
                "score": 1.0 if status == "correct" else 0.0, "feedback": "",
                "tags": [] if status == "correct" else [rng.choice(TAGS)], "preview": None,
                "flags": {}, "graded_event_id": str(uuid.uuid4()),
            })  # fmt: skip
        for template_id in TEMPLATES:
            cards.append({
                "user_id": sid, "template_id": template_id, "card_id": sid, "state": 2,
                "step": None,
                "stability": rng.uniform(1, 30), "difficulty": 5.0, "due": NOW,
                "last_review": NOW - timedelta(days=rng.randrange(1, 20)), "reviews": 3,
                "lapses": 0, "attempts": 3, "level": 1, "clean_streak": 0, "miss_streak": 0,
                "last_rating": 3, "last_time": NOW - timedelta(days=1), "last_key": "",
                "introduced_at": NOW - timedelta(days=30), "first_review": NOW - timedelta(days=30),
            })  # fmt: skip
    session.execute(insert(Attempt), rows)
    session.execute(insert(Card), cards)
    session.commit()
    return assignment.id


@benchmark("gradebook")
def gradebook_page() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="qe-bench-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "b",
        "TESTING": True, "RATELIMIT_ENABLED": False, "INSTANCE_PATH": str(folder),
    })  # fmt: skip
    with app.app_context():
        db.create_all()
        teacher = create_user("teacher@example.org", "benchmark password", "teacher")
        assignment_id = fill_gradebook(teacher.id, 150, 5)
    client = app.test_client()
    client.post("/login", data={"email": "teacher@example.org", "password": "benchmark password"})
    rows = []
    base = f"/teach/assignments/{assignment_id}"
    for name, path in (("gradebook page", base), ("item analysis page", f"{base}/items"),
                       ("CSV export", f"{base}/gradebook.csv")):  # fmt: skip
        times = []
        for n in range(23):
            started = time.perf_counter()
            response = client.get(path)
            if n >= 3:  # warm-up: template compilation, connections
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        p90 = percentile(times, 90)
        rows.append(Row("gradebook", f"{name} median (150 x 20)", statistics.median(times), "ms"))
        if name == "gradebook page":
            rows.append(Row("gradebook", f"{name} p90", p90, "ms", "< 300 ms", p90 < 300))
    return rows
