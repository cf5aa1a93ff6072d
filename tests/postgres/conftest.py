"""A throwaway PostgreSQL cluster for the tests in this folder (see devtools.postgres).

Without the binaries these tests are skipped loudly, except under CI=true, where
they fail.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

from devtools.postgres import Cluster, binaries


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """Start a cluster for this test process; remove it when the session ends."""
    bin_dir = binaries()
    if bin_dir is None:
        message = "PostgreSQL binaries are missing (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        warnings.warn(pytest.PytestWarning(f"POSTGRESQL TESTS SKIPPED: {message}"), stacklevel=2)
        pytest.skip(message)
    cluster = Cluster(bin_dir).start()
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """Create a fresh database for one test; return its URL."""
    return postgres_cluster.create_database()
