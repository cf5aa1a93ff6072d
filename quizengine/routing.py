"""Numbers that name rows, in URLs and forms: never larger than an id column holds.

Werkzeug's `int` converter takes any number of digits. An id past what the id
columns hold (PostgreSQL's `integer`, SQLite's 64 bits) then reached the query
and overflowed there, a 500 on every route with an id in its path. The app's
`int` matches 0 to 2^31 - 1 only, so a larger number is a plain 404.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from .event_schema import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>`, bounded by the id columns (its other options as Werkzeug's)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID - 1, signed: bool = False) -> None:  # fmt: skip
        super().__init__(map, fixed_digits, min, max, signed)


def install(app: Flask) -> None:
    """Make `<int:...>` bounded; call before any route is added."""
    app.url_map.converters["int"] = IdConverter


def form_id(raw: str | None) -> int | None:
    """The row a form field names: its id, or None for anything no id column holds."""
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if 0 < value < MAX_ID else None
