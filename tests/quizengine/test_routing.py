"""Ids in URLs and forms stay within what the id columns hold: too large is a 404 or a
clear refusal, never an overflow in the database (a 500)."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from quizengine.routing import IdConverter, form_id

# PostgreSQL's integer ends at 2^31 - 1, SQLite's at 2^63 - 1; Python's never does.
TOO_LARGE = (2**31, 2**63, 10**30)


def _id_routes(app) -> list[tuple[object, list[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items()
               if isinstance(converter, IntegerConverter)]  # fmt: skip
        if ids:
            found.append((rule, ids))
    return found


def test_every_int_in_a_route_is_bounded(app):
    routes = _id_routes(app)
    assert len(routes) >= 15  # the teacher's pages, the drill-down, a lesson's figure...
    unbounded = [rule.rule for rule, ids in routes
                 if not all(isinstance(rule._converters[name], IdConverter) for name in ids)]
    assert unbounded == []


@pytest.mark.parametrize("role", ["teacher", "learner"])
def test_an_id_no_column_holds_is_not_found_on_every_route(app, client, auth, role,
                                                           cheap_passwords):  # fmt: skip
    auth.signup(email=f"{role}@example.org", role=role)
    adapter = app.url_map.bind("localhost")
    wrong = []
    for rule, ids in _id_routes(app):
        for large in TOO_LARGE:
            values = {name: large if name in ids else "x" for name in rule.arguments}
            path = adapter.build(rule.endpoint, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                status = client.open(path, method=method).status_code
                if status != 404:
                    wrong.append(f"{method} {path}: {status}")
    assert not wrong, "\n".join(wrong)


def test_the_largest_id_a_column_holds_is_an_ordinary_miss(app, client, auth, cheap_passwords):
    auth.signup(email="t@example.org", role="teacher")
    for path in ("/teach/classes/2147483647", "/teach/sets/2147483647",
                 "/teach/assignments/2147483647"):  # fmt: skip
        assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), ("2147483647", 2**31 - 1), ("2147483648", None), ("99999999999999999999", None),
     ("0", None), ("-3", None), ("", None), (None, None), ("1e3", None), ("x", None)],
)  # fmt: skip
def test_form_id_takes_only_what_an_id_column_holds(raw, expected):
    assert form_id(raw) == expected


def test_assigning_a_set_id_no_column_holds_is_not_found(app, client, auth, cheap_passwords):
    auth.signup(email="t@example.org", role="teacher")
    created = client.post("/teach/classes", data={"name": "Period 1"})
    class_path = created.headers["Location"]
    response = client.post(f"{class_path}/assign", data={
        "set_id": "99999999999999999999999999", "opens_at": "2026-03-01T09:00",
        "due_at": "2026-03-09T09:00"})  # fmt: skip
    assert response.status_code == 404
