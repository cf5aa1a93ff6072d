"""A throwaway PostgreSQL cluster on loopback, for tests, `make load` and fault drills.

Debian's `postgresql` package (scripts/system-deps.sh) provides the binaries. The
cluster lives in a temporary folder, listens on 127.0.0.1 only, trusts local
connections and is removed by `stop()`. As root, the server runs as `postgres`
because initdb refuses root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field

MISSING = "PostgreSQL binaries are missing (apt-get install postgresql)"


def binaries() -> str | None:
    """Return the folder holding initdb and pg_ctl, or None when PostgreSQL is missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """One PostgreSQL server: `start()`, `create_database()`, `restart()`, `stop()`."""

    bin_dir: str
    port: int = field(default_factory=free_port)
    data: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="qe-pg-"))
    sockets: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="qe-pgsock-"))
    max_connections: int = 200

    @property
    def url(self) -> str:
        """The server's SQLAlchemy URL, without a database name."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _run(self, args: list[str]) -> None:
        subprocess.run(_as_postgres(args), check=True, capture_output=True, text=True)

    def start(self) -> Cluster:
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            if os.geteuid() == 0:
                shutil.chown(self.data, "postgres")
                shutil.chown(self.sockets, "postgres")
            self._run([f"{self.bin_dir}/initdb", "-D", self.data, "-A", "trust",
                       "-U", "postgres", "--no-sync"])  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off "
            f"-c max_connections={self.max_connections}"
        )
        self._run([f"{self.bin_dir}/pg_ctl", "-D", self.data, "-l", f"{self.data}/log",
                   "-o", options, "-w", "start"])  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`mode` is pg_ctl's: smart, fast or immediate)."""
        self._run([f"{self.bin_dir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def remove(self) -> None:
        """Stop the server if it runs, and delete its files."""
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.data, ignore_errors=True)
        shutil.rmtree(self.sockets, ignore_errors=True)

    def admin_dsn(self, database: str = "postgres") -> str:
        """A libpq connection string (for psycopg directly, not SQLAlchemy)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (optionally copied from `template`); return its SQLAlchemy URL."""
        import psycopg

        name = name or f"qe_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.admin_dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"{clause}')
        return f"{self.url}/{name}"
