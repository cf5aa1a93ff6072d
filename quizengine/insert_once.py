"""Adding a row unless it is there already, safe against a twin request.

Get-or-create (look, then add) fails when two requests run it at once: a
double tap, or a page and its scripts on a learner's first visit. Both find
nothing, both insert, and the second dies on the key with a 500. With
`INSERT ... ON CONFLICT DO NOTHING`, the second insert waits for the first
and then does nothing. SQLite and PostgreSQL both support it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def insert_once(session: Session, model: type, key: Sequence[str], **values) -> bool:
    """Insert a row of `model` unless one with the same `key` columns (a primary key or a
    unique constraint) exists; return whether this call inserted it."""
    insert = _INSERT[session.get_bind().dialect.name]
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(key))
    return session.execute(statement).rowcount == 1
