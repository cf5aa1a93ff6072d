"""One writer at a time per SQLite database within a process, woken the moment it is free.

SQLite lets one connection write at a time; the others wait in its busy
handler, which sleeps and polls with growing pauses (up to 100 ms). Under load
that polling is unfair: a writer can lose every round for the whole busy
timeout and fail, while the lock was free most of the time. Appends in one
process therefore queue on a Python lock first, held until their transaction
ends, so the next one starts as soon as the last commits. Other processes
still meet at SQLite's own lock. PostgreSQL has row locks and needs none of this.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

_HELD = "quizengine.write_gate"  # key in the DBAPI connection's info while it holds the gate
_gates: weakref.WeakKeyDictionary[Engine, tuple[threading.Lock, float]] = (
    weakref.WeakKeyDictionary()
)


def install(engine: Engine, timeout_ms: int) -> None:
    """Gate the appends on this SQLite engine; waiting longer than `timeout_ms` is
    "database is locked", as SQLite's own busy timeout would say."""
    _gates[engine] = (threading.Lock(), timeout_ms / 1000)
    # Released when the connection goes back to the pool, which a session does right
    # after its commit or rollback (the engine's own commit event comes before it).
    event.listen(engine.pool, "checkin", _release_record)
    event.listen(engine.pool, "detach", _release_record)  # its record goes back unchecked-in
    event.listen(engine.pool, "close", _release_record)
    event.listen(engine.pool, "invalidate", _release_invalidated)


def enter(connection: Connection) -> None:
    """Take the gate for the transaction on `connection` (once; a no-op off SQLite).

    Call it before the transaction's first write: a transaction already holding
    SQLite's lock would wait here on a writer that waits on it, until one times out.
    """
    found = _gates.get(connection.engine)
    if found is None or _HELD in connection.info:
        return
    gate, timeout = found
    if not gate.acquire(timeout=timeout):
        locked = sqlite3.OperationalError("database is locked")
        raise OperationalError("waiting for this process's SQLite writer", {}, locked)
    connection.info[_HELD] = gate


def _release_invalidated(dbapi_connection, record, error) -> None:
    _release_record(dbapi_connection, record)


def _release_record(dbapi_connection, record) -> None:
    info = getattr(record, "info", None)
    gate = info.pop(_HELD, None) if info is not None else None
    if gate is not None:
        gate.release()
