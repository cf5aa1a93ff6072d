"""Latencies and statuses per endpoint, their percentiles, and the printed table."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of already sorted values (0.0 when empty).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([1.0, 2.0, 3.0, 4.0], 0.99)
    (2.0, 4.0)
    """
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class EndpointStats:
    """One endpoint's numbers over a measured window."""

    endpoint: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    server_errors: int  # 5xx
    transport_errors: int  # no HTTP answer: refused, reset, timed out
    other_errors: int  # 4xx that the script did not expect
    statuses: dict[str, int]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Recorder:
    """Collect one sample per HTTP exchange; thread-safe; `summary()` after the window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latencies: dict[str, list[float]] = defaultdict(list)
        self._statuses: dict[str, Counter] = defaultdict(Counter)
        self._unexpected: Counter = Counter()
        self.notes: Counter = Counter()
        self.samples: list[dict] = []  # the first few 5xx answers, as they were
        self.started = time.monotonic()
        self.stopped: float | None = None

    def record(self, endpoint: str, status: int | None, seconds: float, *, expected=True) -> None:
        """Add one exchange; `status` None means no HTTP answer came back."""
        key = "transport" if status is None else str(status)
        with self._lock:
            self._latencies[endpoint].append(seconds)
            self._statuses[endpoint][key] += 1
            if status is not None and 400 <= status < 500 and not expected:
                self._unexpected[endpoint] += 1

    def sample(self, endpoint: str, status: int, body: bytes, keep: int = 5) -> None:
        """Keep the first `keep` server errors, to show what a person would have seen."""
        with self._lock:
            if len(self.samples) < keep:
                text = body[:400].decode("utf-8", "replace")
                self.samples.append({"endpoint": endpoint, "status": status, "body": text})

    def note(self, what: str, count: int = 1) -> None:
        """Count something that is not an exchange (a retry, a duplicate answer, ...)."""
        with self._lock:
            self.notes[what] += count

    def stop(self) -> None:
        self.stopped = time.monotonic()

    @property
    def seconds(self) -> float:
        return (self.stopped or time.monotonic()) - self.started

    def endpoint(self, name: str) -> EndpointStats:
        with self._lock:
            latencies = sorted(self._latencies.get(name, []))
            statuses = dict(self._statuses.get(name, {}))
            unexpected = self._unexpected.get(name, 0)
        return EndpointStats(
            endpoint=name,
            requests=len(latencies),
            rps=len(latencies) / self.seconds if self.seconds > 0 else 0.0,
            p50_ms=percentile(latencies, 0.50) * 1000,
            p99_ms=percentile(latencies, 0.99) * 1000,
            max_ms=(latencies[-1] if latencies else 0.0) * 1000,
            server_errors=sum(n for s, n in statuses.items() if s.startswith("5")),
            transport_errors=statuses.get("transport", 0),
            other_errors=unexpected,
            statuses=statuses,
        )

    def summary(self) -> list[EndpointStats]:
        with self._lock:
            names = sorted(self._latencies)
        return [self.endpoint(name) for name in names]


def format_table(rows: list[EndpointStats], title: str, *, total: bool = True) -> str:
    """Return a plain-text table: one line per endpoint, then (optionally) the total."""
    header = ("endpoint", "requests", "rps", "p50 ms", "p99 ms", "max ms", "5xx", "conn", "4xx?")
    cells = [
        (r.endpoint, str(r.requests), f"{r.rps:.1f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}",
         f"{r.max_ms:.0f}", str(r.server_errors), str(r.transport_errors), str(r.other_errors))
        for r in rows
    ]  # fmt: skip
    cells.append((
        "total", str(sum(r.requests for r in rows)), f"{sum(r.rps for r in rows):.1f}", "", "",
        "", str(sum(r.server_errors for r in rows)), str(sum(r.transport_errors for r in rows)),
        str(sum(r.other_errors for r in rows)),
    ))  # fmt: skip
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]

    def line(values) -> str:
        first = values[0].ljust(widths[0])
        rest = (v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [title, line(header), rule, *map(line, cells[:-1])]
    return "\n".join(body + ([rule, line(cells[-1])] if total else []))
