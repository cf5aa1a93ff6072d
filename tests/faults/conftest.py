"""Fault drills: the real server (gunicorn) on a throwaway database, clients that retry,
and a fault injected while they push. See load/ for the server launcher and client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.postgres import Cluster
from load.database import prepare
from load.learner import AnswerPool, build_pool
from tests.helpers import started_postgres


@pytest.fixture(scope="session")
def answers() -> AnswerPool:
    """A few problems with known solutions (two families, every level)."""
    return build_pool(templates=("gradient", "stable_step_size"), seeds_per_variant=2)


@pytest.fixture
def sqlite_database(tmp_path: Path) -> tuple[str, Path, list[str]]:
    """A migrated SQLite file with four learners: (url, instance folder, emails)."""
    url = f"sqlite:///{tmp_path / 'drill.sqlite3'}"
    instance = tmp_path / "instance"
    return url, instance, prepare(url, instance, learners=4)


@pytest.fixture
def postgres_cluster() -> Iterator[Cluster]:
    """A cluster of this test's own: the drill restarts it."""
    yield from started_postgres("POSTGRESQL FAULT DRILL")
