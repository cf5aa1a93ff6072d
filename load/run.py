"""One load run on one database: sign in, the mixed phase, the answer endpoint against
the bare baseline, then the exactly-once check."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .client import (
    GaveUp,
    HttpClient,
    RetryPolicy,
    TransportError,
    csrf_token,
    push_with_retry,
    sign_in,
)
from .database import app_config, check_events, prepare
from .learner import PASSWORD, AnswerPool, Learner, Ledger, new_event
from .server import Server, Settings
from .stats import Recorder

ANSWER = "POST /api/v1/sync/push"


@dataclass(frozen=True)
class Options:
    """How big and how long; the defaults are `make load`'s."""

    learners: int = 200
    mixed_seconds: float = 30.0
    think: float = 5.0  # mean pause (s) before each answer and again after each step
    answer_connections: int = 16  # more than the server's threads: none ever idles
    answer_slice: float = 4.0  # app and baseline alternate in slices this long ...
    answer_slices: int = 2  # ... this many each, so background load hits both alike
    signin_threads: int = 16
    settings: Settings = field(default_factory=Settings)
    app_settings: dict = field(default_factory=dict)  # extra Flask settings, to experiment
    seed: int = 2026


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


@dataclass
class AnswerComparison:
    """The answer endpoint, closed loop, against the bare baseline on the same settings."""

    app: Recorder = field(default_factory=Recorder)
    bare: Recorder = field(default_factory=Recorder)
    app_cost: Cost = field(default_factory=Cost)
    bare_cost: Cost = field(default_factory=Cost)

    @property
    def seconds_app(self) -> float:
        return self.app_cost.seconds

    @property
    def seconds_bare(self) -> float:
        return self.bare_cost.seconds

    @property
    def app_rps(self) -> float:
        return self.app.endpoint(ANSWER).requests / max(self.seconds_app, 1e-9)

    @property
    def bare_rps(self) -> float:
        return self.bare.endpoint(ANSWER).requests / max(self.seconds_bare, 1e-9)

    @property
    def ratio(self) -> float:
        return self.app_rps / self.bare_rps if self.bare_rps else 0.0

    @property
    def cpu_ratio(self) -> float:
        """The ratio the CPU costs predict: bare server CPU per request / the app's."""
        app = self.app_cost.server_cpu / max(self.app.endpoint(ANSWER).requests, 1)
        bare = self.bare_cost.server_cpu / max(self.bare.endpoint(ANSWER).requests, 1)
        return bare / app if app else 0.0

    def to_dict(self) -> dict:
        app, bare = self.app.endpoint(ANSWER), self.bare.endpoint(ANSWER)
        return {"app_rps": round(self.app_rps, 1), "bare_rps": round(self.bare_rps, 1),
                "ratio": round(self.ratio, 3), "cpu_ratio": round(self.cpu_ratio, 3),
                "app": app.to_dict() | self.app_cost.per_request_ms(app.requests),
                "bare": bare.to_dict() | self.bare_cost.per_request_ms(bare.requests),
                "notes": dict(self.app.notes),
                "server_error_samples": self.app.samples}  # fmt: skip


class LoadRun:
    """Every phase against one app server on `url`, the baseline `bare` alongside."""

    def __init__(self, database: str, url: str, instance: Path, pool: AnswerPool, bare: Server,
                 options: Options, say: Callable[[str], None] = print):  # fmt: skip
        self.database, self.url, self.instance = database, url, instance
        self.pool, self.bare, self.options = pool, bare, options
        self.say = lambda text: say(f"[{database}] {text}")
        self.rng = random.Random(options.seed)
        self.phases: dict[str, Recorder] = {}
        self.learners: list[Learner] = []
        self.extra: dict[str, list[Ledger]] = defaultdict(list)  # the answer phase's events
        self.comparison = AnswerComparison()
        self.costs: dict[str, Cost] = {}
        self.load_before = os.getloadavg()

    def run(self) -> dict:
        started = time.monotonic()
        emails = prepare(self.url, self.instance, self.options.learners)
        self.say(f"migrated, {len(emails)} accounts ({time.monotonic() - started:.1f} s)")
        config = app_config(self.url, self.instance, **self.options.app_settings)
        with Server("load.wsgi_app:app", self.options.settings, config=config) as server:
            self.say(f"serving: {self.options.settings.describe()}")
            try:
                self.sign_in(server, emails)
                self.mixed(server)
                self.flush()
                self.compare(server)
            except Exception:
                self.say(f"the run failed; the server's log ends:\n{server.log_text()}")
                raise
            finally:
                for learner in self.learners:
                    learner.client.close()
            log = server.log_text()
        check = check_events(self.url, self.ledgers())
        self.say(f"database check: {check.describe()}")
        return self.result(check, log, time.monotonic() - started)

    def sign_in(self, server: Server, emails: list[str]) -> None:
        recorder = self.phases["sign-in"] = Recorder()
        self.learners = [Learner(HttpClient(server.url, recorder), email, self.pool,
                                 random.Random(self.rng.random()), think=self.options.think)
                         for email in emails]  # fmt: skip
        with ThreadPoolExecutor(self.options.signin_threads) as workers:
            list(workers.map(lambda one: sign_in(one.client, one.email, PASSWORD), self.learners))
        recorder.stop()
        self.say(f"{len(self.learners)} learners signed in in {recorder.seconds:.1f} s")

    def mixed(self, server: Server) -> None:
        """Every learner in its own thread, with pauses, for `mixed_seconds`."""
        recorder = self.phases["mixed"] = Recorder()
        before = (server.cpu_seconds(), time.process_time())
        for learner in self.learners:
            learner.client.recorder = recorder
        stop = threading.Event()
        threads = [threading.Thread(target=one.run, args=(stop,), daemon=True)
                   for one in self.learners]  # fmt: skip
        arrival = 2.0  # learners arrive over the first two seconds
        for thread in threads:
            thread.start()
            time.sleep(arrival / len(threads))
        time.sleep(max(0.0, self.options.mixed_seconds - arrival))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        recorder.stop()
        self.costs["mixed"] = Cost(recorder.seconds, server.cpu_seconds() - before[0],
                                   time.process_time() - before[1])  # fmt: skip
        self.say(f"mixed phase: {recorder.seconds:.1f} s")

    def flush(self) -> None:
        """Push what is left in every outbox (retrying), so that nothing is left unsent."""
        recorder = self.phases["flush"] = Recorder()
        deadline = time.monotonic() + 60
        for learner in self.learners:
            learner.client.recorder = recorder
        with ThreadPoolExecutor(16) as workers:
            list(workers.map(lambda one: one.flush(deadline), self.learners))
        recorder.stop()

    def compare(self, server: Server) -> None:
        """Closed loop, no pauses: app and baseline take turns, one slice each at a time."""
        chosen = self.learners[: self.options.answer_connections]
        app_side, bare_side = [], []
        for learner in chosen:
            client = HttpClient(server.url, self.comparison.app)
            client.cookies = dict(learner.client.cookies)  # the same signed-in session
            ledger = Ledger()
            self.extra[learner.email].append(ledger)
            app_side.append((client, csrf_token(client), learner, ledger))
            bare_side.append((HttpClient(self.bare.url, self.comparison.bare), "-", learner,
                              Ledger()))  # fmt: skip
        for _ in range(self.options.answer_slices):
            self.comparison.app_cost.add(*self._hammer(app_side, server))
            self.comparison.bare_cost.add(*self._hammer(bare_side, self.bare))
        for client, *_ in app_side + bare_side:
            client.close()
        self.comparison.app.stop()
        self.comparison.bare.stop()
        c = self.comparison
        self.say(f"answer endpoint: app {c.app_rps:.1f} rps, bare Flask {c.bare_rps:.1f} rps, "
                 f"ratio {c.ratio:.2f} (CPU per request predicts {c.cpu_ratio:.2f})")  # fmt: skip

    def _hammer(self, sides, server: Server) -> tuple[float, float, float]:
        """Every client answers as fast as it can for one slice; return the wall time, the
        server's CPU time and this client's CPU time it took."""
        stop = threading.Event()
        templates = list(self.pool.variants)

        def answer(client: HttpClient, token: str, learner: Learner, ledger: Ledger) -> None:
            rng = random.Random(id(ledger))
            while not stop.is_set():
                template_id, level = rng.choice(templates)
                payload = self.pool.attempt_payload(template_id, level, rng)
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
        time.sleep(self.options.answer_slice)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        ended = (time.monotonic(), server.cpu_seconds(), time.process_time())
        return tuple(after - before for after, before in zip(ended, started, strict=True))

    def ledgers(self) -> dict[str, list[Ledger]]:
        found: dict[str, list[Ledger]] = defaultdict(list)
        for learner in self.learners:
            found[learner.email].append(learner.ledger)
        for email, books in self.extra.items():
            found[email].extend(books)
        return found

    def result(self, check, log: str, seconds: float) -> dict:
        books = [book for group in self.ledgers().values() for book in group]
        mixed = self.costs["mixed"]
        requests = sum(row.requests for row in self.phases["mixed"].summary())
        errors = [error for learner in self.learners for error in learner.errors]
        return {
            "database": self.database,
            "settings": self.options.settings.describe(),
            "app_settings": self.options.app_settings,
            "learners": self.options.learners,
            "think_seconds": self.options.think,
            "phases": {
                name: {
                    "seconds": round(r.seconds, 2),
                    "endpoints": [row.to_dict() for row in r.summary()],
                    "notes": dict(r.notes),
                    "server_error_samples": r.samples,
                }
                for name, r in self.phases.items()
            },  # fmt: skip
            "answer_endpoint": self.comparison.to_dict(),
            "check": check.to_dict(),
            "learner_error_count": len(errors),
            "learner_errors": errors[:20],
            "rejected_events": [r for book in books for r in book.rejected][:20],
            "resent_pushes_answered_duplicate": sum(book.resent_duplicates for book in books),
            "tracebacks_in_server_log": log.count("Traceback"),
            "seconds": round(seconds, 1),
            "mixed_cost": {
                "seconds": round(mixed.seconds, 1),
                "server_cpu_seconds": round(mixed.server_cpu, 1),
                "client_cpu_seconds": round(mixed.client_cpu, 1),
                **mixed.per_request_ms(requests),
            },  # fmt: skip
            "machine_load_average": {"before": self.load_before, "after": os.getloadavg()},
            "_recorders": {
                **self.phases,
                "app": self.comparison.app,
                "bare": self.comparison.bare,
            },  # fmt: skip
        }
