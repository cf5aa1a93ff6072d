"""The benchmark registry: each benchmark is a function that returns measured rows.

A benchmark measures ratios side by side in one run (these machines are noisy,
absolute times drift), so every row may carry a baseline and a ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Row:
    """One measured quantity; `target` says in words what good looks like."""

    benchmark: str
    metric: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)


BenchmarkFn = Callable[[], list[Row]]
_REGISTRY: dict[str, BenchmarkFn] = {}


def benchmark(name: str) -> Callable[[BenchmarkFn], BenchmarkFn]:
    """Register `fn` under `name`; the runner calls it with no arguments."""

    def register(fn: BenchmarkFn) -> BenchmarkFn:
        if name in _REGISTRY:
            raise ValueError(f"benchmark {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return register


def registered() -> dict[str, BenchmarkFn]:
    return dict(_REGISTRY)
