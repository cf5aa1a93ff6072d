"""Learners that push without pause and retry every push until it is taken, and the
checks every drill makes afterwards."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

from load.client import (
    Failure,
    GaveUp,
    HttpClient,
    RetryPolicy,
    csrf_token,
    push_with_retry,
    sign_in,
)
from load.database import check_events
from load.learner import PASSWORD, AnswerPool, Clock, Ledger, new_event
from load.server import Server

# Patient enough to outlast any drill's fault; quick to notice the service is back.
DRILL_RETRY = RetryPolicy(first_delay=0.2, max_delay=1.0, deadline=90.0)


@dataclass
class Push:
    """One push, from its first try to the 200 that ended it."""

    tries: int
    failures: list[Failure]
    statuses: list[str]


@dataclass
class Pusher:
    """One learner on one device, pushing batches in a thread until told to stop."""

    base_url: str
    email: str
    answers: AnswerPool
    batch: int = 5
    pushes: list[Push] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    gave_up: list[GaveUp] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = HttpClient(self.base_url, timeout=60)
        self.device_id = f"drill-{uuid.uuid4().hex[:10]}"
        self.clock = Clock(self.device_id)
        self.rng = random.Random(self.device_id)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Pusher:
        sign_in(self.client, self.email, PASSWORD)
        self.token = csrf_token(self.client)
        self.thread.start()
        return self

    def finish(self) -> None:
        """Stop after the push in flight has been taken (it retries until it is)."""
        self.stop.set()
        self.thread.join(timeout=120)
        assert not self.thread.is_alive(), "a pusher did not finish"
        self.client.close()
        if self.crashed:
            raise self.crashed[0]

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                self.push_once()
        except BaseException as error:  # the test thread re-raises it
            self.crashed.append(error)

    def push_once(self) -> Push:
        events = [self._event(n) for n in range(self.batch)]
        self.ledger.sent.update(event["id"] for event in events)
        try:
            outcome = push_with_retry(self.client, self.device_id, events, self.token,
                                      policy=DRILL_RETRY, rng=self.rng)  # fmt: skip
        except GaveUp as error:
            self.gave_up.append(error)
            raise
        statuses = [result["status"] for result in outcome.results]
        for result in outcome.results:
            if result["status"] in ("accepted", "duplicate"):
                self.ledger.acknowledged.add(result["id"])
            else:
                self.ledger.rejected.append(result)
        push = Push(outcome.tries, outcome.failures, statuses)
        self.pushes.append(push)
        return push

    def _event(self, n: int) -> dict:
        if n % 5 == 4:  # notes too: no grading, a different projection
            lesson = self.rng.choice(self.answers.lessons)
            return new_event(self.clock, "note.put", {"lesson_id": lesson, "body": f"n{n}"})
        template_id, level = self.rng.choice(list(self.answers.variants))
        payload = self.answers.attempt_payload(template_id, level, self.rng)
        return new_event(self.clock, "attempt", payload)


def wait_for_pushes(pushers: list[Pusher], count: int, timeout: float = 60.0) -> None:
    """Wait until every pusher has had `count` pushes taken since this call."""
    start = [len(p.pushes) for p in pushers]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(len(p.pushes) - s >= count for p, s in zip(pushers, start, strict=True)):
            return
        for pusher in pushers:
            if pusher.crashed:
                raise pusher.crashed[0]
        time.sleep(0.1)
    raise AssertionError(f"pushers did not get {count} pushes through in {timeout} s")


def failures(pushers: list[Pusher]) -> list[Failure]:
    return [f for p in pushers for push in p.pushes for f in push.failures]


def assert_failures_were_clear(seen: list[Failure], *, codes: set[str]) -> None:
    """Every HTTP answer during the fault was a 503 with Retry-After and the JSON envelope."""
    for failure in seen:
        if failure.status is None:
            continue  # no answer at all (a killed worker): the client can only retry
        assert failure.status == 503, f"{failure.status}: {failure.body[:300]!r}"
        assert failure.retry_after and failure.retry_after.isdigit(), failure
        envelope = failure.envelope()
        assert envelope is not None, f"not the JSON envelope: {failure.body[:300]!r}"
        assert envelope["code"] in codes and envelope["message"], envelope
        assert b"Traceback" not in failure.body


def assert_exactly_once(url: str, pushers: list[Pusher], extra: dict | None = None) -> None:
    """Every event sent is stored once; every push ended in a 200; nothing was refused.

    `extra` maps an email to more ledgers (events sent another way, such as a form).
    """
    assert not any(p.gave_up for p in pushers)
    assert not [r for p in pushers for r in p.ledger.rejected]
    ledgers = {p.email: [p.ledger] for p in pushers}
    for email, books in (extra or {}).items():
        ledgers[email] = ledgers.get(email, []) + list(books)
    report = check_events(url, ledgers)
    assert report.ok, report.describe()
    assert report.stored == report.sent == report.acknowledged


def assert_recovered(server: Server, pusher: Pusher) -> None:
    """The service answers normally again, with nobody restarting anything by hand."""
    deadline = time.monotonic() + 30
    while not server.healthy():
        assert time.monotonic() < deadline, f"/healthz never came back:\n{server.log_text()}"
        time.sleep(0.2)
    push = pusher.push_once()
    pusher.client.close()
    assert push.tries == 1 and set(push.statuses) == {"accepted"}, push


def describe(pushers: list[Pusher]) -> str:
    """One line for the test's output: what the clients went through."""
    pushes = [push for p in pushers for push in p.pushes]
    seen = failures(pushers)
    statuses = sorted({f.status for f in seen if f.status is not None})
    counts = ", ".join(f"{s}: {sum(f.status == s for f in seen)}" for s in statuses)
    return (
        f"{len(pushes)} pushes, {sum(len(p.ledger.sent) for p in pushers)} events; "
        f"{sum(push.tries > 1 for push in pushes)} pushes retried; "
        f"failed tries by status: {counts or 'none'}; "
        f"no answer: {sum(f.status is None for f in seen)}; "
        f"answered duplicate after a retry: {sum('duplicate' in p.statuses for p in pushes)}"
    )
