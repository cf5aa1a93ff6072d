"""The answer endpoint, closed loop: the app against two baselines, in alternating slices.

`bare_app` (parses JSON, echoes a reply) is the issue's target: on SQLite the app
must reach 50% of its requests per second. `bare_same_work_app` (grades and stores
each attempt with the stdlib, always on SQLite) is a diagnostic only: it splits the
gap into the inherent work and the framework, and never decides PASS or FAIL.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from .client import GaveUp, HttpClient, RetryPolicy, TransportError, push_with_retry
from .learner import AnswerPool, Learner, Ledger, new_event
from .server import Server
from .stats import Recorder

ANSWER = "POST /api/v1/sync/push"


@dataclass
class Cost:
    """Wall time and CPU time (server's process tree, and this client) over some slices."""

    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def add(self, seconds: float, server_cpu: float, client_cpu: float) -> None:
        self.seconds += seconds
        self.server_cpu += server_cpu
        self.client_cpu += client_cpu

    def per_request_ms(self, requests: int) -> dict:
        n = max(requests, 1)
        return {"server_cpu_ms": round(self.server_cpu / n * 1000, 2),
                "client_cpu_ms": round(self.client_cpu / n * 1000, 2)}  # fmt: skip


def _rps(recorder: Recorder, cost: Cost) -> float:
    return recorder.endpoint(ANSWER).requests / max(cost.seconds, 1e-9)


def _cpu_per_request(recorder: Recorder, cost: Cost) -> float:
    return cost.server_cpu / max(recorder.endpoint(ANSWER).requests, 1)


@dataclass
class AnswerComparison:
    """The app, the bare baseline (the target) and the same-work baseline (a diagnostic)."""

    app: Recorder = field(default_factory=Recorder)
    bare: Recorder = field(default_factory=Recorder)
    same_work: Recorder = field(default_factory=Recorder)
    app_cost: Cost = field(default_factory=Cost)
    bare_cost: Cost = field(default_factory=Cost)
    same_work_cost: Cost = field(default_factory=Cost)

    @property
    def seconds_app(self) -> float:
        return self.app_cost.seconds

    @property
    def seconds_bare(self) -> float:
        return self.bare_cost.seconds

    @property
    def app_rps(self) -> float:
        return _rps(self.app, self.app_cost)

    @property
    def bare_rps(self) -> float:
        return _rps(self.bare, self.bare_cost)

    @property
    def same_work_rps(self) -> float:
        return _rps(self.same_work, self.same_work_cost)

    @property
    def ratio(self) -> float:
        """The target's measure: the app's requests per second / bare Flask's."""
        return self.app_rps / self.bare_rps if self.bare_rps else 0.0

    @property
    def cpu_ratio(self) -> float:
        """The ratio the CPU costs predict: bare server CPU per request / the app's."""
        app = _cpu_per_request(self.app, self.app_cost)
        return _cpu_per_request(self.bare, self.bare_cost) / app if app else 0.0

    @property
    def same_work_ratio(self) -> float:
        """The app's requests per second / the same-work baseline's (a diagnostic)."""
        return self.app_rps / self.same_work_rps if self.same_work_rps else 0.0

    @property
    def same_work_cpu_ratio(self) -> float:
        """The same ratio as the CPU costs predict it."""
        app = _cpu_per_request(self.app, self.app_cost)
        return _cpu_per_request(self.same_work, self.same_work_cost) / app if app else 0.0

    @property
    def same_work_share_of_bare(self) -> float:
        """How close doing the inherent work alone comes to bare Flask."""
        return self.same_work_rps / self.bare_rps if self.bare_rps else 0.0

    def stop(self) -> None:
        for recorder in (self.app, self.bare, self.same_work):
            recorder.stop()

    def to_dict(self) -> dict:
        app, bare = self.app.endpoint(ANSWER), self.bare.endpoint(ANSWER)
        same = self.same_work.endpoint(ANSWER)
        same_work = {
            **same.to_dict(),
            **self.same_work_cost.per_request_ms(same.requests),
            "diagnostic": "not a target: bare Flask grading in-process and storing with "
            "sqlite3, on SQLite in every run (WAL, synchronous NORMAL)",
            "notes": dict(self.same_work.notes),
            "server_error_samples": self.same_work.samples,
        }
        return {"app_rps": round(self.app_rps, 1), "bare_rps": round(self.bare_rps, 1),
                "ratio": round(self.ratio, 3), "cpu_ratio": round(self.cpu_ratio, 3),
                "app": app.to_dict() | self.app_cost.per_request_ms(app.requests),
                "bare": bare.to_dict() | self.bare_cost.per_request_ms(bare.requests),
                "notes": dict(self.app.notes),
                "server_error_samples": self.app.samples,
                "same_work_rps": round(self.same_work_rps, 1),
                "same_work_ratio": round(self.same_work_ratio, 3),
                "same_work_cpu_ratio": round(self.same_work_cpu_ratio, 3),
                "same_work_share_of_bare": round(self.same_work_share_of_bare, 3),
                "same_work": same_work}  # fmt: skip

Side = tuple[HttpClient, str, Learner, Ledger]  # a client, its CSRF token, whose, its ledger


def hammer(sides: list[Side], server: Server, pool: AnswerPool,
           seconds: float) -> tuple[float, float, float]:  # fmt: skip
    """Every client answers as fast as it can for `seconds`; return the wall time, the
    server's CPU time and this client's CPU time it took."""
    stop = threading.Event()
    templates = list(pool.variants)

    def answer(client: HttpClient, token: str, learner: Learner, ledger: Ledger) -> None:
        rng = random.Random(id(ledger))
        while not stop.is_set():
            template_id, level = rng.choice(templates)
            payload = pool.attempt_payload(template_id, level, rng)
            event = new_event(learner.clock, "attempt", payload)
            ledger.sent.add(event["id"])
            try:
                outcome = push_with_retry(client, learner.device_id, [event], token,
                                          policy=RetryPolicy(deadline=20), rng=rng)  # fmt: skip
            except (GaveUp, TransportError):
                continue
            for result in outcome.results:
                if result["status"] == "accepted":
                    ledger.acknowledged.add(result["id"])
                else:
                    ledger.rejected.append(result)

    started = (time.monotonic(), server.cpu_seconds(), time.process_time())
    threads = [threading.Thread(target=answer, args=side, daemon=True) for side in sides]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    ended = (time.monotonic(), server.cpu_seconds(), time.process_time())
    return tuple(after - before for after, before in zip(ended, started, strict=True))
