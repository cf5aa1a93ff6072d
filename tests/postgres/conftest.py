"""A throwaway PostgreSQL cluster for the tests in this folder.

Debian's `postgresql` package (installed by scripts/system-deps.sh) provides
the binaries; a cluster is made in a temporary folder, listens on loopback
only, and is stopped when the session ends. Without the binaries these tests
are skipped loudly, except under CI=true, where they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator

import pytest


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root: run the server as the `postgres` user then.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Start a cluster; yield a server URL without a database name."""
    bin_dir = _binaries()
    if bin_dir is None:
        message = "PostgreSQL binaries are missing (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        warnings.warn(pytest.PytestWarning(f"POSTGRESQL TESTS SKIPPED: {message}"), stacklevel=2)
        pytest.skip(message)
    data, sockets = tempfile.mkdtemp(prefix="qe-pg-"), tempfile.mkdtemp(prefix="qe-pgsock-")
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    run = lambda args: subprocess.run(  # noqa: E731
        _as_postgres(args), check=True, capture_output=True, text=True
    )
    run([f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    run([f"{bin_dir}/pg_ctl", "-D", data, "-l", f"{data}/log", "-o", options, "-w", "start"])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        run([f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """Create a fresh database for one test; return its URL."""
    import psycopg

    name = f"qe_{uuid.uuid4().hex[:12]}"
    dsn = postgres_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres_server}/{name}"
