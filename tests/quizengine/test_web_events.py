"""Clocks of the events the server makes for plain form posts (`web_events`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quizengine.web_events import next_hlc

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)

# (latest stored HLC, the web event's HLC): past the wall clock and strictly after the latest
CLOCKS = [
    (None, f"{NOW_MS:015d}-0000-web-1"),
    (f"{NOW_MS - 5000:015d}-0042-b-phone", f"{NOW_MS:015d}-0000-web-1"),
    (f"{NOW_MS:015d}-0000-b-phone", f"{NOW_MS:015d}-0001-web-1"),
    (f"{NOW_MS + 7_200_000:015d}-0003-b-phone", f"{NOW_MS + 7_200_000:015d}-0004-web-1"),
    (f"{NOW_MS + 1:015d}-9999-zzz", f"{NOW_MS + 2:015d}-0000-web-1"),
    ("999999999999999-9999-zzz", "999999999999999-9999-web-1"),  # no room: the largest clock
]


@pytest.mark.parametrize(("latest", "expected"), CLOCKS)
def test_a_web_event_follows_the_latest_stored_clock(latest, expected):
    assert next_hlc(latest, NOW, "web-1") == expected
