"""PostgreSQL restarted (fast, then immediate) under pushes: clear 503s while it is
down, the pool recovers by itself, and every event is stored exactly once."""

from __future__ import annotations

import pytest

from load.database import app_config, prepare
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


@pytest.mark.slow
@pytest.mark.postgres
def test_a_database_restart_under_load_loses_and_doubles_nothing(
    postgres_cluster, tmp_path, answers
):
    url = postgres_cluster.create_database()
    instance = tmp_path / "instance"
    emails = prepare(url, instance, learners=4)
    config = app_config(url, instance)  # pool_pre_ping: see load/database.py
    with Server("load.wsgi_app:app", Settings(workers=2, threads=4), config=config) as server:
        pushers = [Pusher(server.url, email, answers).start() for email in emails]
        try:
            wait_for_pushes(pushers, 2)
            for mode in ("fast", "immediate"):
                postgres_cluster.restart(mode)
                wait_for_pushes(pushers, 3)
        finally:
            for pusher in pushers:
                pusher.finish()
        print(describe(pushers))
        seen = failures(pushers)
        assert seen, "no push met the restarts"
        assert all(f.status is not None for f in seen), "gunicorn stopped answering"
        assert_failures_were_clear(seen, codes={"database_unavailable", "database_busy"})
        assert_exactly_once(url, pushers)
        assert_recovered(server, pushers[0])
        assert "Traceback" not in server.log_text()
