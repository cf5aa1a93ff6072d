"""Every state-changing route, sent three times at once (a double tap, a retry racing
its original), answers each copy without a server error, on SQLite and PostgreSQL.

Found by walking `app.url_map`, so a new route is covered the day it is added.
Get-or-create code raced this way used to fail on the unique key.
"""

from __future__ import annotations

import pytest

from tests.helpers import at_once
from tests.quizengine.security import STATE_CHANGING, rules_with, sign_in
from tests.quizengine.test_access import EMAILS, request_for, restore_session_tokens, world


@pytest.mark.slow
@pytest.mark.parametrize("who", ["learner", "owner"])
def test_every_state_changing_route_survives_a_triple_tap(app, who, cheap_passwords):
    with app.app_context():
        found = world()
    adapter = app.url_map.bind("localhost")
    wrong, tried = [], 0
    for rule, method in rules_with(app, STATE_CHANGING):
        path, data = request_for(adapter, rule, method, found)
        client = sign_in(app, EMAILS[who])  # afresh: the last route may have signed out
        statuses = at_once(app, client, [(method, path, data)] * 3)
        tried += 1
        if any(status >= 500 or status == 0 for status in statuses):
            wrong.append(f"{method} {path}: {statuses}")
        with app.app_context():
            restore_session_tokens(found)
    assert tried >= 20
    assert not wrong, "\n".join(wrong)
