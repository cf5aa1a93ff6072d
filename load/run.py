"""One load run on one database: sign in, the mixed phase, the answer endpoint against
the baselines, then the exactly-once check."""

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

from .client import HttpClient, csrf_token, sign_in
from .comparison import AnswerComparison, Cost, Side, hammer
from .database import app_config, check_events, prepare
from .learner import PASSWORD, AnswerPool, Learner, Ledger
from .server import Server, Settings
from .stats import Recorder


@dataclass(frozen=True)
class Options:
    """How big and how long; the defaults are `make load`'s."""

    learners: int = 200
    mixed_seconds: float = 30.0
    think: float = 5.0  # mean pause (s) before each answer and again after each step
    answer_connections: int = 16  # more than the server's threads: none ever idles
    answer_slice: float = 4.0  # app and baselines alternate in slices this long ...
    answer_slices: int = 2  # ... this many each, so background load hits them alike
    signin_threads: int = 16
    settings: Settings = field(default_factory=Settings)
    app_settings: dict = field(default_factory=dict)  # extra Flask settings, to experiment
    seed: int = 2026


class LoadRun:
    """Every phase against one app server on `url`, the baselines `bare` (the target) and
    `same_work` (a diagnostic) alongside."""

    def __init__(self, database: str, url: str, instance: Path, pool: AnswerPool, bare: Server,
                 same_work: Server, options: Options,
                 say: Callable[[str], None] = print):  # fmt: skip
        self.database, self.url, self.instance = database, url, instance
        self.pool, self.bare, self.same_work, self.options = pool, bare, same_work, options
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
        """Closed loop, no pauses: the app and each baseline take turns, a slice at a time."""
        c = self.comparison
        chosen = self.learners[: self.options.answer_connections]
        app_side: list[Side] = []
        for learner in chosen:
            client = HttpClient(server.url, c.app)
            client.cookies = dict(learner.client.cookies)  # the same signed-in session
            ledger = Ledger()
            self.extra[learner.email].append(ledger)
            app_side.append((client, csrf_token(client), learner, ledger))
        # The baselines store nothing in the app's database: their ledgers are not checked.
        bare_side = self._baseline_side(self.bare, c.bare, chosen)
        same_side = self._baseline_side(self.same_work, c.same_work, chosen)
        warm_up = self._baseline_side(self.same_work, Recorder(), chosen)
        # Unmeasured: the app is warm from the mixed phase, the same-work server is not
        # (its problem cache, sympy's caches, its first SQLite connections).
        hammer(warm_up, self.same_work, self.pool, self.options.answer_slice / 2)
        for client, *_ in warm_up:
            client.close()
        slice_seconds = self.options.answer_slice
        for _ in range(self.options.answer_slices):
            c.app_cost.add(*hammer(app_side, server, self.pool, slice_seconds))
            c.bare_cost.add(*hammer(bare_side, self.bare, self.pool, slice_seconds))
            c.same_work_cost.add(*hammer(same_side, self.same_work, self.pool, slice_seconds))
        for client, *_ in app_side + bare_side + same_side:
            client.close()
        c.stop()
        self.say(f"answer endpoint: app {c.app_rps:.1f} rps, bare Flask {c.bare_rps:.1f} rps, "
                 f"ratio {c.ratio:.2f} (CPU per request predicts {c.cpu_ratio:.2f})")  # fmt: skip
        self.say(f"same-work bare Flask (diagnostic): {c.same_work_rps:.1f} rps; app/same-work "
                 f"ratio {c.same_work_ratio:.2f} (CPU per request predicts "
                 f"{c.same_work_cpu_ratio:.2f})")  # fmt: skip

    @staticmethod
    def _baseline_side(baseline: Server, recorder: Recorder, chosen: list[Learner]) -> list[Side]:
        return [(HttpClient(baseline.url, recorder), "-", learner, Ledger())
                for learner in chosen]  # fmt: skip

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
                "same-work": self.comparison.same_work,
            },  # fmt: skip
        }
