"""A throwaway database with learner accounts, and the exactly-once check after a run.

The check reads the tables directly, not through the app: every event a client
sent must be stored once under its owner, nothing else may be stored for them,
each owner's `seq` must run 1..n without gaps, and each stored attempt must have
one graded row and one `attempt.graded` event.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, create_engine, text

from .learner import PASSWORD, Ledger

SECRET_KEY = "load-test-secret"  # shared by the runner and every worker of a run


def learner_email(n: int) -> str:
    return f"load-{n:04d}@example.org"


def app_config(url: str, instance: Path, **extra) -> dict:
    """The settings a load or drill server runs with (see load.wsgi_app)."""
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET_KEY,
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": False,  # 200 sign-ins from one loopback address
        "LOAD_FAST_PASSWORD_HASH": True,
    }
    config.update(extra)
    return config


def prepare(url: str, instance: Path, learners: int) -> list[str]:
    """Migrate an empty database to head and create `learners` accounts; return emails."""
    from flask_migrate import upgrade

    from quizengine import accounts, create_app
    from quizengine.extensions import db

    from .wsgi_app import fast_password_hasher

    config = app_config(url, instance)
    config.pop("LOAD_FAST_PASSWORD_HASH")
    app = create_app(config)
    emails = [learner_email(n) for n in range(learners)]
    saved = accounts.password_hasher
    accounts.password_hasher = fast_password_hasher()  # the servers verify with the same
    try:
        with app.app_context():
            upgrade()
            for email in emails:
                accounts.create_user(email, PASSWORD)
            db.engine.dispose()
    finally:
        accounts.password_hasher = saved
    return emails


@dataclass
class CheckReport:
    """What the database holds against what the clients sent."""

    sent: int = 0
    acknowledged: int = 0
    stored: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, not stored
    never_stored: list[str] = field(default_factory=list)  # sent, never acknowledged, absent
    duplicated: list[str] = field(default_factory=list)  # stored more than once
    unexpected: list[str] = field(default_factory=list)  # stored, never sent
    seq_gaps: list[str] = field(default_factory=list)
    ungraded: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.never_stored or self.duplicated or self.unexpected
                    or self.seq_gaps or self.ungraded)  # fmt: skip

    def to_dict(self) -> dict:
        problems = {name: values[:20] for name, values in self.__dict__.items()
                    if isinstance(values, list)}  # fmt: skip
        counts = {f"{name}_count": len(values) for name, values in problems.items()}
        return {"sent": self.sent, "acknowledged": self.acknowledged, "stored": self.stored,
                "ok": self.ok, **counts, "examples": problems}  # fmt: skip

    def describe(self) -> str:
        return (f"sent {self.sent}, acknowledged {self.acknowledged}, stored {self.stored}; "
                f"lost {len(self.lost)}, never stored {len(self.never_stored)}, "
                f"duplicated {len(self.duplicated)}, unexpected {len(self.unexpected)}, "
                f"seq gaps {len(self.seq_gaps)}, ungraded {len(self.ungraded)}")  # fmt: skip


def check_events(url: str, ledgers: Mapping[str, Iterable[Ledger]]) -> CheckReport:
    """Compare the events table with what each email's devices sent and had acknowledged."""
    sent: dict[tuple[str, str], int] = Counter()
    acknowledged: set[tuple[str, str]] = set()
    for email, books in ledgers.items():
        for ledger in books:
            sent.update((email, event_id) for event_id in ledger.sent)
            acknowledged.update((email, event_id) for event_id in ledger.acknowledged)
    emails = sorted(ledgers)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = _select(connection, EVENTS_SQL, emails)
            attempts = Counter(_select(connection, ATTEMPTS_SQL, emails))
    finally:
        engine.dispose()
    report = CheckReport(sent=len(sent), acknowledged=len(acknowledged))
    stored: Counter = Counter()
    seqs: dict[str, list[int]] = defaultdict(list)
    graded: Counter = Counter()
    for email, event_id, kind, seq, device, payload in rows:
        seqs[email].append(seq)
        if device == "server":
            if kind == "attempt.graded":
                graded[(email, _payload(payload)["attempt_id"])] += 1
            continue
        stored[(email, event_id)] += 1
        if kind == "attempt" and attempts[(email, event_id)] != 1:
            report.ungraded.append(f"{email}/{event_id}: {attempts[(email, event_id)]} rows")
    report.stored = sum(stored.values())
    for key in sent:
        if key not in stored:
            (report.lost if key in acknowledged else report.never_stored).append("/".join(key))
    report.duplicated = ["/".join(k) for k, n in stored.items() if n > 1]
    report.unexpected = ["/".join(k) for k in stored if k not in sent]
    for email, numbers in seqs.items():
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            report.seq_gaps.append(email)
    for key in stored:
        if key in attempts and graded[key] != 1:
            report.ungraded.append(f"{'/'.join(key)}: {graded[key]} attempt.graded events")
    return report


EVENTS_SQL = (
    "SELECT u.email, e.id, e.type, e.seq, e.device_id, e.payload FROM events e "
    "JOIN users u ON u.id = e.owner_id WHERE u.email IN :emails"
)
ATTEMPTS_SQL = (
    "SELECT u.email, a.event_id FROM attempts a JOIN users u ON u.id = a.user_id "
    "WHERE u.email IN :emails"
)


def _select(connection, sql: str, emails: list[str]) -> list[tuple]:
    query = text(sql).bindparams(bindparam("emails", expanding=True))
    found = []
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found += [tuple(row) for row in connection.execute(query, {"emails": chunk})]
    return found


def _payload(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value
