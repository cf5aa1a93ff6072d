"""What grading in a worker process costs: the same answers graded inline and through it.

The answers are every family's sample answers (correct, incorrect, invalid) for
a few seeds at its first level. Each answer is graded both ways, alternating
which goes first, after one untimed pass that warms both sides' caches. Also
measured: the first call of a process (the forkserver imports the grader once)
and the call after a worker was killed (a fresh worker forks from the server).
"""

from __future__ import annotations

import os
import signal
import statistics
import time
from pathlib import Path

from question_bank.registry import catalog, generate, samples
from quizengine import grading

from .registry import Row, benchmark
from .timing import percentile

SEEDS = (1, 2)
SETTINGS = grading.GradingSettings(isolation="process", limit=30.0)
INLINE = grading.GradingSettings(isolation="inline")


def _answers() -> list[tuple[str, int, int, str]]:
    jobs = []
    for template in catalog():
        for seed in SEEDS:
            problem = generate(template.id, seed, template.levels[0])
            known = samples(problem)
            texts = [*known.correct, *(text for text, _ in known.incorrect), *known.invalid]
            jobs += [(template.id, seed, problem.level, text) for text in texts]
    return jobs


def _ms(settings: grading.GradingSettings, job: tuple[str, int, int, str]) -> float:
    started = time.perf_counter()
    grading.grade(*job, settings=settings)
    return (time.perf_counter() - started) * 1000


@benchmark("grading_worker")
def bench_grading_worker() -> list[Row]:
    grading.shutdown()
    started = time.perf_counter()
    grading.grade("gradient", 1, 1, "0", settings=SETTINGS)
    cold = time.perf_counter() - started
    jobs = _answers()
    for job in jobs:  # warm both sides: every problem generated, every expected answer parsed
        grading.grade(*job, settings=SETTINGS)
        grading.grade(*job, settings=INLINE)
    inline, worker = [], []
    for index, job in enumerate(jobs):
        order = [(INLINE, inline), (SETTINGS, worker)]
        for settings, times in order if index % 2 else reversed(order):
            times.append(_ms(settings, job))
    [pid] = grading.worker_pids()
    os.kill(pid, signal.SIGKILL)
    _wait_until_dead(pid)
    respawn = _ms(SETTINGS, jobs[0])  # the pool finds the worker dead and forks another
    return _rows(inline, worker, cold, respawn, len(jobs))


def _wait_until_dead(pid: int) -> None:
    # It is the forkserver's child, not ours: wait until the forkserver has reaped it.
    for _ in range(1000):
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.01)


def _rows(inline: list[float], worker: list[float], cold: float, respawn: float, n: int):
    rows = []
    for name, times in (("inline", inline), ("worker", worker)):
        rows += [
            Row("grading_worker", f"{name}_median_ms", round(statistics.median(times), 3), "ms"),
            Row("grading_worker", f"{name}_p99_ms", round(percentile(times, 99), 3), "ms"),
        ]
    extra = statistics.median(worker) - statistics.median(inline)
    ratio = statistics.median(worker) / statistics.median(inline)
    p99_ratio = percentile(worker, 99) / percentile(inline, 99)
    return rows + [
        Row("grading_worker", "answers", n, "answers"),
        Row("grading_worker", "median_overhead_ms", round(extra, 3), "ms", "< 2 ms", extra < 2),
        Row("grading_worker", "median_ratio", round(ratio, 2), "x"),
        Row("grading_worker", "p99_ratio", round(p99_ratio, 2), "x"),
        Row("grading_worker", "first_call_s", round(cold, 2), "s"),
        Row(
            "grading_worker", "after_kill_ms", round(respawn, 1), "ms", "< 1000 ms", respawn < 1000
        ),
    ]


if __name__ == "__main__":
    for row in bench_grading_worker():
        print(row)
