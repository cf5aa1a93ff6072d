"""Rate limits shared by several servers through Redis, and kept per process without it.

The other "server" is a second Python process, so nothing in memory is shared:
only the storage that `RATELIMIT_STORAGE_URI` names. With that storage down, the
app still answers, counting in memory, and /healthz says so.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import stamp

from devtools.redis import RedisServer, binary
from quizengine.extensions import limiter
from tests.helpers import AuthActions, make_app, require

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

# Three failed sign-ins from 127.0.0.1 (a different address each time, so only the
# per-IP limit counts), made by a separate process; prints the status codes.
OTHER_SERVER = """
import sys
from pathlib import Path
from tests.helpers import AuthActions, make_app, require
app = make_app(Path(sys.argv[1]), RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
               RATELIMIT_STORAGE_URI=sys.argv[2])
actions = AuthActions(app.test_client())
print(*(actions.login(email=f"x{i}@example.org", password="wrong password!").status_code
        for i in range(3)))
"""


@pytest.fixture(scope="module")
def redis_url():
    program = binary()
    missing = "redis-server is missing (apt-get install redis-server)"
    require(program is not None, missing, "REDIS TESTS")
    server = RedisServer(program).start()
    yield server.url
    server.stop()


def other_server(folder: Path, storage: str) -> list[int]:
    folder.mkdir()
    finished = subprocess.run(
        [sys.executable, "-c", OTHER_SERVER, str(folder), storage],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [int(code) for code in finished.stdout.split()]


def one_more_sign_in(folder: Path, storage: str) -> int:
    app = make_app(folder, RATELIMIT_STORAGE_URI=storage, **LIMITS)
    return AuthActions(app.test_client()).login("y@example.org", "wrong password!").status_code


def test_redis_shares_sign_in_limits_between_servers(tmp_path, redis_url):
    assert other_server(tmp_path / "a", redis_url) == [400, 400, 400]
    assert one_more_sign_in(tmp_path / "b", redis_url) == 429


def test_the_memory_store_counts_per_process(tmp_path):
    assert other_server(tmp_path / "a", "memory://") == [400, 400, 400]
    assert one_more_sign_in(tmp_path / "b", "memory://") == 400


@pytest.fixture
def forget_the_dead_storage():
    """Flask-Limiter keeps "storage down" on its one object, shared by every app of this
    process, until a later check finds it back: clear it for the tests that follow."""
    yield
    limiter._storage_dead = False


def test_sign_in_keeps_working_on_memory_while_the_storage_is_down(
    tmp_path, caplog, forget_the_dead_storage
):
    # A Redis client (installed) pointed at a port nobody listens on: every call fails.
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1", **LIMITS)
    with app.app_context():
        stamp()  # create_all made the newest schema; say so, so /healthz looks at the rest
    client = app.test_client()
    actions = AuthActions(client)
    statuses = [actions.login(f"x{i}@example.org", "wrong password!").status_code
                for i in range(4)]  # fmt: skip
    assert statuses == [400, 400, 400, 429]  # answered, and still limited, in memory
    warnings = [r.getMessage() for r in caplog.records
                if r.name == "flask-limiter" and r.levelno == logging.WARNING]  # fmt: skip
    assert any("falling back to in-memory storage" in message for message in warnings)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "degraded"
    assert health.get_json()["ratelimit"].startswith("degraded: storage unreachable")
