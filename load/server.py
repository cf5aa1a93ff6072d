"""Start gunicorn on loopback, wait until it serves, find its workers, stop it.

The same settings serve the app and the bare baseline, so that their requests
per second compare. `make load`, the fault tests and anyone else use this.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devtools.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _processes() -> dict[int, tuple[int, float]]:
    """Every process: pid -> (parent pid, CPU seconds used, user and system)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: count the fields after its closing paren.
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return found


def _temporary_file(prefix: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    os.close(handle)
    return Path(name)


@dataclass(frozen=True)
class Settings:
    """gunicorn's settings for a run: the app and the baseline get the same ones.

    Chosen for SQLite, where writers take turns: one process per core (the work
    is Python, so more processes than cores only take turns on the CPU), and two
    threads each, so that a request waiting (on the write lock, on its grading
    child process, on a slow client) lets the other one run. More requests in
    flight only lengthen the queue at SQLite's write lock: with 4 x 4 the waits
    passed the 5 s busy timeout under 200 learners and became 503s.
    """

    workers: int = 2
    threads: int = 2
    worker_class: str = "gthread"
    timeout: int = 30
    keep_alive: int = 5

    def arguments(self) -> list[str]:
        return ["--workers", str(self.workers), "--threads", str(self.threads),
                "--worker-class", self.worker_class, "--timeout", str(self.timeout),
                "--keep-alive", str(self.keep_alive), "--graceful-timeout", "5"]  # fmt: skip

    def describe(self) -> str:
        return (f"gunicorn --workers {self.workers} --threads {self.threads} "
                f"--worker-class {self.worker_class} --keep-alive {self.keep_alive}")  # fmt: skip


@dataclass
class Server:
    """One gunicorn master serving `app` ("module:variable") on 127.0.0.1."""

    app: str
    settings: Settings = field(default_factory=Settings)
    config: dict | None = None  # passed as QUIZENGINE_LOAD_CONFIG (wsgi_app, bare_same_work_app)
    port: int = field(default_factory=free_port)
    log: Path = field(default_factory=lambda: _temporary_file("qe-gunicorn-", ".log"))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZENGINE_")}
        env["PYTHONPATH"] = str(ROOT)
        if self.config is not None:
            env["QUIZENGINE_LOAD_CONFIG"] = json.dumps(self.config)
        command = [str(GUNICORN), "--bind", f"127.0.0.1:{self.port}",
                   *self.settings.arguments(), "--error-logfile", "-",
                   "--log-level", "warning", self.app]  # fmt: skip
        # gunicorn's log and the app's (the "quizengine" logger writes to stderr), together.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until every worker runs and /healthz answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_text()}")
            if len(self.worker_pids()) >= self.settings.workers and self.healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become healthy in {timeout} s:\n{self.log_text()}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def worker_pids(self) -> list[int]:
        """The pids of the master's children (its workers), from /proc."""
        if self.process is None:
            return []
        master = self.process.pid
        return sorted(pid for pid, (parent, _) in _processes().items() if parent == master)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and every live process under it (workers,
        their grading children): the server's cost, whatever else runs on the machine."""
        if self.process is None:
            return 0.0
        table = _processes()
        tree, frontier = {self.process.pid}, [self.process.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, (ppid, _) in table.items() if ppid == parent]
            tree.update(children)
            frontier.extend(children)
        return sum(table[pid][1] for pid in tree if pid in table)

    def kill_worker(self, pid: int) -> None:
        """SIGKILL one worker (the master starts another in its place)."""
        if pid not in self.worker_pids():
            raise ValueError(f"{pid} is not a worker of {self.process.pid}")
        os.kill(pid, signal.SIGKILL)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the master (workers finish their requests), SIGKILL the group if stuck."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> Server:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)
