"""GET changes nothing: CSRF protection covers the other methods only, so a page that
wrote on GET could be made to write by any site that links to it.

Walks `app.url_map` (a new page is covered the day it is added) as nobody, a
learner and a teacher, and watches every statement sent to the database.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from quizengine.extensions import db
from tests.quizengine.security import rules_with, sign_in
from tests.quizengine.test_access import EMAILS, request_for, restore_session_tokens, world

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.mark.parametrize("who", [None, EMAILS["learner"], EMAILS["owner"]])
def test_no_get_writes_to_the_database(app, who, cheap_passwords):
    with app.app_context():
        found = world()
        engine = db.engine
    adapter = app.url_map.bind("localhost")
    client = sign_in(app, who)
    written: dict[str, set[str]] = {}
    path = ""

    def watch(connection, cursor, statement, parameters, context, executemany) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in WRITES:
            written.setdefault(path, set()).add(statement.split("(")[0][:60])

    visited = 0
    event.listen(engine, "before_cursor_execute", watch)
    try:
        for rule, method in rules_with(app, ("GET",)):
            path, _ = request_for(adapter, rule, method, found)
            client.get(path).close()
            visited += 1
    finally:
        event.remove(engine, "before_cursor_execute", watch)
        with app.app_context():
            restore_session_tokens(found)
    assert visited >= 30
    assert written == {}
