"""One simulated learner, doing what the browser client does (quizengine/static/js/sync.js).

Each step: read the practice queue, fetch a problem, think, answer it (an
`attempt` event written to the outbox first), push the outbox with a fresh CSRF
token, pull what the server added (its grading), and now and then open the
progress page. Events leave the outbox only when the server acknowledged them,
so a failed push is simply sent again, under the same ids, on the next step.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .client import GaveUp, HttpClient, RetryPolicy, TransportError, csrf_token, push_with_retry

PASSWORD = "load test password"
ACKNOWLEDGED = ("accepted", "duplicate")


@dataclass(frozen=True)
class Variant:
    """A problem the learner can answer: its seed and its canonical solution."""

    seed: int
    solution: str


@dataclass(frozen=True)
class AnswerPool:
    """Known variants per (template, level), built before the run (sympy stays out of it)."""

    variants: dict[tuple[str, int], tuple[Variant, ...]]
    lessons: tuple[str, ...]

    def attempt_payload(self, template_id: str, level: int, rng: random.Random) -> dict:
        """A variant of this skill, answered right about 70% of the time."""
        key = (template_id, level)
        if key not in self.variants:  # a skill the pool lacks: answer the first one
            key = next(iter(self.variants))
        choices = self.variants[key]
        variant = rng.choice(choices)
        answer = variant.solution if rng.random() < 0.7 else rng.choice(choices).solution
        tid, lvl = key
        return {"template_id": tid, "seed": variant.seed, "level": lvl, "answer": answer,
                "duration_ms": rng.randrange(5_000, 90_000)}  # fmt: skip


def build_pool(templates: Iterable[str] | None = None, seeds_per_variant: int = 4) -> AnswerPool:
    """Generate the variants (imports the question bank: call it before the clock starts)."""
    import question_bank as qb
    from quizengine.content import lesson_index

    chosen = [t for t in qb.catalog() if templates is None or t.id in set(templates)]
    variants = {}
    for template in chosen:
        for level in template.levels:
            variants[(template.id, level)] = tuple(
                Variant(seed, qb.generate(template.id, seed, level).solution)
                for seed in range(1, seeds_per_variant + 1)
            )
    return AnswerPool(variants, tuple(lesson_index()))


class Clock:
    """A hybrid logical clock for one device: `MMMMMMMMMMMMMMM-CCCC-DEVICE`."""

    def __init__(self, device_id: str):
        self.device_id = device_id
        self.millis, self.counter = 0, 0

    def tick(self) -> str:
        now = int(time.time() * 1000)
        if now > self.millis:
            self.millis, self.counter = now, 0
        else:
            self.counter += 1
        return f"{self.millis:015d}-{self.counter:04d}-{self.device_id}"


def new_event(clock: Clock, kind: str, payload: dict) -> dict:
    """A client event as CONTRACT.md describes it, with a fresh UUID."""
    return {"id": str(uuid.uuid4()), "v": 1, "type": kind, "hlc": clock.tick(),
            "created_at": datetime.now(UTC).isoformat(), "payload": payload}  # fmt: skip


@dataclass
class Ledger:
    """What one learner sent and what the server acknowledged, by event id."""

    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    resent_duplicates: int = 0  # pushes repeated on purpose, answered `duplicate`
    rejected: list[dict] = field(default_factory=list)  # conflict or invalid: a bug


class Learner:
    """One person on one device, signed in, practising in a loop."""

    def __init__(self, client: HttpClient, email: str, pool: AnswerPool, rng: random.Random,
                 *, think: float = 1.0, resend_share: float = 0.05):  # fmt: skip
        self.client, self.email, self.pool, self.rng = client, email, pool, rng
        self.think, self.resend_share = think, resend_share
        self.device_id = f"load-{uuid.uuid4().hex[:12]}"
        self.clock = Clock(self.device_id)
        self.outbox: list[dict] = []
        self.ledger = Ledger()
        self.cursor = 0
        self.steps = 0
        self.errors: list[str] = []

    # A step that fails part-way is logged and the next step goes on: a person reloads.
    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.step(stop)
            except (TransportError, GaveUp, RuntimeError, ValueError, KeyError) as error:
                self.errors.append(f"{type(error).__name__}: {error}")
                stop.wait(self.think)

    def step(self, stop: threading.Event) -> None:
        queue = self.client.get("/api/v1/queue?limit=5", name="GET /api/v1/queue")
        items = queue.json()["items"] if queue.status == 200 else []
        item = self.rng.choice(items[:3]) if items else None
        tid, level = (item["template_id"], item["level"]) if item else ("gradient", 1)
        payload = self.pool.attempt_payload(tid, level, self.rng)
        self.client.get(f"/api/v1/problems/{payload['template_id']}?seed={payload['seed']}"
                        f"&level={payload['level']}", name="GET /api/v1/problems/<id>")  # fmt: skip
        stop.wait(self._pause())  # reading the problem and typing the answer
        self._record(new_event(self.clock, "attempt", payload))
        if self.rng.random() < 0.1:
            note = {"lesson_id": self.rng.choice(self.pool.lessons), "body": f"note {self.steps}"}
            self._record(new_event(self.clock, "note.put", note))
        self.sync()
        self.steps += 1
        if self.steps % 4 == 0:
            self.client.get("/progress", name="GET /progress")
        stop.wait(self._pause())

    def _pause(self) -> float:
        return self.rng.uniform(0.5, 1.5) * self.think

    def _record(self, event: dict) -> None:
        self.outbox.append(event)
        self.ledger.sent.add(event["id"])

    def sync(self, policy: RetryPolicy = RetryPolicy(deadline=10.0)) -> None:  # noqa: B008
        """Push the outbox (fresh token first, as sync.js does), then pull."""
        if self.outbox:
            batch = list(self.outbox[:200])
            token = csrf_token(self.client)
            try:
                outcome = push_with_retry(self.client, self.device_id, batch, token,
                                          policy=policy, rng=self.rng)  # fmt: skip
            except GaveUp as error:
                self.errors.append(str(error))
                return  # the outbox keeps them; the next step sends them again
            self._acknowledge(outcome.results)
            if self.rng.random() < self.resend_share:
                # As if the first answer had been lost on the way: the same push again.
                again = push_with_retry(self.client, self.device_id, batch, token,
                                        policy=policy, rng=self.rng)  # fmt: skip
                statuses = {r["status"] for r in again.results}
                if statuses == {"duplicate"}:
                    self.ledger.resent_duplicates += 1
                else:
                    self.ledger.rejected.extend(r for r in again.results
                                                if r["status"] != "duplicate")  # fmt: skip
        self.pull()

    def _acknowledge(self, results: list[dict]) -> None:
        done = set()
        for result in results:
            if result["status"] in ACKNOWLEDGED:
                self.ledger.acknowledged.add(result["id"])
            else:
                self.ledger.rejected.append(result)
            done.add(result["id"])
        self.outbox = [event for event in self.outbox if event["id"] not in done]

    def pull(self) -> None:
        while True:
            response = self.client.get(f"/api/v1/sync/pull?after={self.cursor}&limit=200",
                                       name="GET /api/v1/sync/pull")  # fmt: skip
            if response.status != 200:
                return
            data = response.json()
            self.cursor = data["next_after"]
            if not data["more"]:
                return

    def flush(self, deadline: float) -> None:
        """After the run: push whatever is still in the outbox, retrying until `deadline`."""
        while self.outbox and time.monotonic() < deadline:
            try:
                self.sync(RetryPolicy(deadline=max(1.0, deadline - time.monotonic())))
            except (TransportError, GaveUp, RuntimeError) as error:
                self.errors.append(f"flush: {error}")
                time.sleep(0.5)
