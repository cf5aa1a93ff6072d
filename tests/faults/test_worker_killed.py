"""A gunicorn worker killed (SIGKILL) in the middle of pushes: gunicorn starts another,
the clients send the same events again, and each is stored exactly once."""

from __future__ import annotations

import random
import time

import pytest

from load.database import app_config
from load.server import Server, Settings

from .pushers import (
    Pusher,
    assert_exactly_once,
    assert_failures_were_clear,
    assert_recovered,
    describe,
    failures,
    wait_for_pushes,
)

KILLS = 3


def wait_replaced(server: Server, victim: int, timeout: float = 60.0) -> None:
    """Wait until the master has reaped `victim` and its replacement serves."""
    deadline = time.monotonic() + timeout
    while victim in server.worker_pids() or len(server.worker_pids()) < server.settings.workers:
        assert time.monotonic() < deadline, f"no replacement worker:\n{server.log_text()}"
        time.sleep(0.1)
    server.wait_healthy(timeout)


@pytest.mark.slow
def test_killed_workers_lose_and_double_nothing(sqlite_database, answers):
    url, instance, emails = sqlite_database
    # Each push waits a second after its commit: a kill then lands between the commit and
    # the answer, the case where the client must resend something already stored.
    config = app_config(url, instance, LOAD_HOLD_PUSH_SECONDS=1.0)
    rng = random.Random(7)
    with Server("load.wsgi_app:app", Settings(workers=2, threads=2), config=config) as server:
        master = server.process.pid
        pushers = [Pusher(server.url, email, answers).start() for email in emails]
        try:
            wait_for_pushes(pushers, 1)
            for _ in range(KILLS):
                time.sleep(rng.uniform(0.2, 0.8))  # every worker is in the middle of pushes
                victim = rng.choice(server.worker_pids())
                server.kill_worker(victim)
                wait_replaced(server, victim)
                wait_for_pushes(pushers, 1)
        finally:
            for pusher in pushers:
                pusher.finish()
        print(describe(pushers))
        seen = failures(pushers)
        assert [f for f in seen if f.status is None], "no kill hit a push in flight"
        assert_failures_were_clear(seen, codes={"database_busy", "database_unavailable"})
        resent = [push for p in pushers for push in p.pushes if "duplicate" in push.statuses]
        assert resent, "no kill landed between a commit and its answer"
        assert_exactly_once(url, pushers)
        assert_recovered(server, pushers[0])
        assert server.process.pid == master and server.process.poll() is None
        assert "Traceback" not in server.log_text()
