"""Timing helpers: interleave what is compared, so drift hits both sides alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def rate_side_by_side(
    candidates: dict[str, Callable[[], None]], *, per_round: int, rounds: int
) -> dict[str, float]:
    """Return each candidate's median calls per second over alternating rounds."""
    rates: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, call in candidates.items():
            started = time.perf_counter()
            for _ in range(per_round):
                call()
            rates[name].append(per_round / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) by the nearest-rank method.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    """
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
