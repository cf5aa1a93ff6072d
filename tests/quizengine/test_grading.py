"""Grading in a worker process under a hard limit: same verdicts, overruns killed and replaced.

A forkserver child cannot be monkeypatched, so the misbehaving work is a
module-level function here that `grade(..., target=...)` names by its dotted
path. No test asserts a wall-clock time: only outcomes (undecided, a new pid).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

import question_bank as qb
from quizengine import grading
from quizengine.accounts import create_user
from quizengine.extensions import db
from quizengine.grading import GradingSettings, PushGrading
from quizengine.ingest import push_events
from quizengine.models import Attempt
from tests.helpers import PASSWORD, make_app
from tests.quizengine.history import NOW, TYPO, attempt

ROOT = Path(__file__).resolve().parents[2]
PROCESS = GradingSettings(isolation="process", limit=30.0)  # generous: this machine is noisy
SPIN = "tests.quizengine.test_grading:spin"
PID = "tests.quizengine.test_grading:pid"
SLOW = "tests.quizengine.test_grading:slow"

# (template, seed, level): a few families and levels, each graded on all its samples.
PROBLEMS = [("gradient", 3, 1), ("hessian", 5, 2), ("stable_step_size", 7, 1),
            ("classify_critical_point", 2, 1), ("saddle_escape_direction", 4, 1),
            ("critical_points", 1, 1)]  # fmt: skip


def spin(template_id: str, seed: int, level: int, answer: str) -> None:
    """Never finish: write this process's pid to the file named by `answer`, then loop."""
    Path(answer).write_text(str(os.getpid()))
    while True:
        pass


def slow(template_id: str, seed: int, level: int, answer: str) -> dict:
    """Grade `answer` after a pause: "FOLDER|TEXT" (the folder is unused)."""
    time.sleep(1.0)
    return grading.grade_inline(template_id, seed, level, answer.split("|", 1)[1])


def pid() -> int:
    """Return the worker's pid."""
    return os.getpid()


def answers(problem: qb.Problem) -> list[str]:
    samples = qb.samples(problem)
    return [*samples.correct, *(text for text, _ in samples.incorrect), *samples.invalid, TYPO]


def alive(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition, timeout: float = 60.0) -> bool:
    """Poll `condition` until true or `timeout` passes (a bound, never an assertion on time)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize(("template_id", "seed", "level"), PROBLEMS)
def test_a_worker_grades_exactly_as_the_problem_does_in_process(template_id, seed, level):
    problem = qb.generate(template_id, seed, level)
    for answer in answers(problem):
        expected = problem.check(answer)
        assert grading.grade(template_id, seed, level, answer, settings=PROCESS) == expected
        inline = replace(PROCESS, isolation="inline")
        assert grading.grade(template_id, seed, level, answer, settings=inline) == expected


def test_an_overrun_is_killed_replaced_and_undecided(tmp_path):
    settings = replace(PROCESS, limit=0.5)
    spun = grading.run(PID, (), PROCESS)  # the child that runs next (LIFO); it imports this module
    verdict = grading.grade("gradient", 1, 1, str(tmp_path / "pid"), settings=settings, target=SPIN)
    assert verdict.status == "undecided" and not verdict.correct and verdict.score == 0
    assert verdict.feedback == grading.TOO_SLOW
    assert not alive(spun) and spun not in grading.worker_pids()
    problem = qb.generate("gradient", 1, 1)
    assert grading.grade("gradient", 1, 1, problem.solution, settings=PROCESS).correct
    assert grading.run(PID, (), PROCESS) != spun


def test_a_worker_killed_while_idle_is_replaced_without_losing_the_answer():
    before = grading.run(PID, (), PROCESS)
    os.kill(before, signal.SIGKILL)
    assert wait_for(lambda: not alive(before))  # reaped: every thread gone, its pipe closed
    problem = qb.generate("hessian", 2, 1)
    assert grading.grade("hessian", 2, 1, problem.solution, settings=PROCESS).correct
    assert grading.run(PID, (), PROCESS) != before


def test_a_worker_killed_mid_answer_leaves_it_undecided(tmp_path):
    written = tmp_path / "pid"

    def kill_when_spinning() -> None:
        if wait_for(lambda: written.exists() and written.read_text()):
            os.kill(int(written.read_text()), signal.SIGKILL)

    killer = threading.Thread(target=kill_when_spinning)
    killer.start()
    verdict = grading.grade("gradient", 1, 1, str(written), settings=PROCESS, target=SPIN)
    killer.join()
    assert verdict.status == "undecided"
    assert grading.grade("gradient", 1, 1, TYPO, settings=PROCESS).status == "invalid"


def test_concurrent_calls_from_threads_all_get_their_own_verdicts():
    settings = replace(PROCESS, workers=2)
    jobs = [(t, s, lv, a) for t, s, lv in PROBLEMS for a in answers(qb.generate(t, s, lv))[:4]]
    with ThreadPoolExecutor(max_workers=6) as pool:
        verdicts = list(pool.map(lambda job: grading.grade(*job, settings=settings), jobs))
    assert verdicts == [qb.generate(t, s, lv).check(a) for t, s, lv, a in jobs]
    assert len(grading.worker_pids()) <= 2


def test_a_grader_failure_is_logged_and_leaves_the_answer_undecided(caplog):
    with pytest.raises(KeyError, match="no_such_template"):
        grading.run(grading.GRADE_TARGET, ("no_such_template", 1, 1, "x"), PROCESS)
    verdict = grading.grade("no_such_template", 1, 1, "x", settings=PROCESS)
    assert verdict.status == "undecided" and verdict.feedback == grading.CHECK_FAILED
    assert "grading failed" in caplog.text
    assert grading.grade("gradient", 1, 1, TYPO, settings=PROCESS).status == "invalid"


class Interrupted(BaseException):
    """Like SystemExit or a timeout library's exception: it stops a thread mid-call."""


def test_a_call_interrupted_mid_answer_never_hands_its_reply_to_the_next(tmp_path):
    solution = qb.generate("gradient", 1, 1).solution
    grading.warm_up(PROCESS)

    def interrupt(*_):
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Interrupted):  # learner A: a correct answer, slow to grade
            grading.grade("gradient", 1, 1, f"{tmp_path}|{solution}", settings=PROCESS,
                          target=SLOW)  # fmt: skip
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # Learner B's nonsense must be graded as itself, not get A's "correct".
    assert grading.grade("gradient", 1, 1, "this is nonsense ((", settings=PROCESS).status == (
        "invalid"
    )


def test_waiting_for_a_free_child_counts_against_the_push_budget(tmp_path):
    grading.shutdown()  # a pool of exactly one child
    settings = replace(PROCESS, workers=1)
    busy = threading.Thread(target=grading.grade, args=("gradient", 1, 1, str(tmp_path / "p")),
                            kwargs={"settings": settings, "target": SPIN}, daemon=True)
    busy.start()  # holds the only child until its limit passes
    assert wait_for(lambda: (tmp_path / "p").exists())
    push = PushGrading(replace(settings, push_limit=0.2))
    verdict = push.grade("gradient", 1, 1, qb.generate("gradient", 1, 1).solution)
    assert verdict.status == "undecided" and verdict.feedback == grading.NO_TIME_LEFT
    grading.shutdown()  # kills the spinning child: the busy call ends, undecided
    busy.join(60)
    assert not busy.is_alive()


def test_the_preview_is_read_in_a_worker():
    read = grading.preview("gradient", 3, 1, "(2*x*y, x**2)", settings=PROCESS)
    assert read["status"] == "ok" and read["preview"] and read["preview_html"].startswith("<math")
    assert grading.preview("gradient", 3, 1, TYPO, settings=PROCESS)["status"] == "invalid"


def test_a_push_starts_no_attempt_after_its_time_budget():
    push = PushGrading(replace(PROCESS, push_limit=60.0))
    solution = qb.generate("gradient", 1, 1).solution
    assert push.grade("gradient", 1, 1, solution).correct
    push.deadline = time.monotonic() - 1
    verdict = push.grade("gradient", 1, 1, solution)
    assert verdict.status == "undecided" and verdict.feedback == grading.NO_TIME_LEFT


@pytest.mark.parametrize(
    ("config", "expected"),
    [({}, GradingSettings()),
     ({"GRADING_TIME_LIMIT": "3.5", "GRADING_WORKERS": "2", "GRADING_ISOLATION": " Inline "},
      GradingSettings(isolation="inline", limit=3.5, workers=2)),
     ({"GRADING_PUSH_TIME_LIMIT": 0}, GradingSettings(push_limit=0.0))],
)  # fmt: skip
def test_settings_come_from_the_app_config(config, expected):
    assert GradingSettings.from_config(config) == expected
    assert GradingSettings().isolation == "process"  # the production path is the tested one


@pytest.mark.parametrize(
    "config", [{"GRADING_ISOLATION": "thread"}, {"GRADING_TIME_LIMIT": 0}, {"GRADING_WORKERS": 0}]
)
def test_bad_settings_are_refused(config):
    with pytest.raises(ValueError):
        GradingSettings.from_config(config)


def test_a_pushed_attempt_is_graded_end_to_end(app, client, learner):
    solution = qb.generate("gradient", 1, 1).solution
    events = [attempt("gradient", solution), attempt("gradient", TYPO)]
    response = client.post("/api/v1/sync/push", json={"device_id": "d1", "events": events})
    assert response.status_code == 200
    assert [r["status"] for r in response.json["results"]] == ["accepted", "accepted"]
    graded = client.get("/api/v1/sync/pull?after=0").json["events"]
    statuses = [e["payload"]["status"] for e in graded if e["type"] == "attempt.graded"]
    assert statuses == ["correct", "invalid"]


def test_a_push_past_its_budget_leaves_its_attempts_undecided(tmp_path, cheap_passwords):
    app = make_app(tmp_path, GRADING_PUSH_TIME_LIMIT=0)  # no time at all: grade nothing
    solution = qb.generate("gradient", 1, 1).solution
    with app.app_context():
        user = create_user("ada@example.org", PASSWORD)
        [result] = push_events(db.session, user.id, "d1", [attempt("gradient", solution)], NOW)
        assert result.status == "accepted"
        stored = db.session.scalars(select(Attempt)).one()
        assert (stored.status, stored.feedback) == ("undecided", grading.NO_TIME_LEFT)
        db.engine.dispose()


FORKED = """
import os, sys
from quizengine import grading
import question_bank as qb

def main():
    settings = grading.GradingSettings(limit=60.0)
    solution = qb.generate("gradient", 1, 1).solution
    assert grading.grade("gradient", 1, 1, solution, settings=settings).correct
    mine = grading.worker_pids()
    child = os.fork()
    if child == 0:  # a pre-forked server's worker: a pool of its own, the parent's untouched
        ok = grading.grade("gradient", 1, 1, solution, settings=settings).correct
        os._exit(0 if ok and grading.worker_pids() != mine else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert grading.worker_pids() == mine
    assert grading.grade("gradient", 1, 1, solution, settings=settings).correct
    print("ok")

if __name__ == "__main__":
    main()
"""

FORKED_MID_START = """
import os, signal, threading
from multiprocessing import forkserver, resource_tracker
from quizengine import grading
import question_bank as qb

def main():
    settings = grading.GradingSettings(limit=60.0)
    solution = qb.generate("gradient", 1, 1).solution
    assert grading.grade("gradient", 1, 1, solution, settings=settings).correct
    # Another thread of the master is starting a grading child at the moment of the fork
    # (gunicorn --preload): the worker inherits the locks that takes, held.
    held, done = threading.Event(), threading.Event()
    def starting():
        with forkserver._forkserver._lock, resource_tracker._resource_tracker._lock:
            held.set()
            done.wait()
    thread = threading.Thread(target=starting)
    thread.start()
    held.wait()
    child = os.fork()
    if child == 0:
        signal.alarm(60)  # a deadlock ends here, as a failure
        ok = grading.grade("gradient", 1, 1, solution, settings=settings).correct
        os._exit(0 if ok else 1)
    done.set()
    thread.join()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    print("ok")

if __name__ == "__main__":
    main()
"""

ORPHANED = """
import os
from quizengine import grading

if __name__ == "__main__":
    settings = grading.GradingSettings(limit=60.0)
    grading.run("tests.quizengine.test_grading:pid", (), settings)
    print(grading.worker_pids()[0], flush=True)
    os.kill(os.getpid(), 9)  # no atexit: only the child's own watch can end it
"""


def _script(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-W", "error", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)  # fmt: skip


@pytest.mark.slow
def test_a_forked_server_worker_starts_its_own_pool(tmp_path):
    result = _script(tmp_path, FORKED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.slow
def test_a_server_worker_forked_while_a_child_starts_can_grade(tmp_path):
    result = _script(tmp_path, FORKED_MID_START)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.slow
def test_a_worker_exits_when_its_parent_dies(tmp_path):
    result = _script(tmp_path, ORPHANED)
    orphan = int(result.stdout.strip())
    assert result.returncode == -signal.SIGKILL
    assert wait_for(lambda: not alive(orphan) or _zombie(orphan))


def _zombie(process_id: int) -> bool:
    try:
        return Path(f"/proc/{process_id}/stat").read_text().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return False


def test_previews_are_rate_limited_per_reader(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, PREVIEW_RATE_LIMIT="3 per minute")
    body = {"template_id": "gradient", "seed": 1, "level": 1, "answer": "x"}
    first, second = app.test_client(), app.test_client()
    codes = [first.post("/api/v1/preview", json=body).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert first.post("/api/v1/preview", json=body).get_json()["error"]["message"]
    other = second.post("/api/v1/preview", json=body, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
