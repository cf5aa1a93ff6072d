"""Run every registered benchmark, print one table, write benchmarks/results.json.

python -m benchmarks            # all
python -m benchmarks signin     # only those whose name starts with "signin"
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from quizengine import warm_start

from .registry import Row, registered

RESULTS = Path(__file__).resolve().parent / "results.json"


def discover() -> None:
    """Import every `benchmarks/bench_*.py` so its benchmarks register."""
    package = Path(__file__).resolve().parent
    for module in pkgutil.iter_modules([str(package)]):
        if module.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{module.name}")


def format_table(rows: list[Row]) -> str:
    header = ("benchmark", "metric", "value", "unit", "target", "ok")
    cells = [
        (
            r.benchmark,
            r.metric,
            f"{r.value:.4g}",
            r.unit,
            r.target,
            "" if r.ok is None else ("yes" if r.ok else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *cells]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *cells]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    discover()
    chosen = {
        name: fn
        for name, fn in sorted(registered().items())
        if not argv or any(name.startswith(prefix) for prefix in argv)
    }
    rows: list[Row] = []
    timings = {}
    for name, fn in chosen.items():
        print(f"running {name} ...", file=sys.stderr, flush=True)
        # Measure with the heap a gunicorn worker serves with (gunicorn.conf.py): what is
        # loaded at start-up is frozen, out of the full collections' walk.
        warm_start.prepare_worker()
        started = time.perf_counter()
        try:
            rows.extend(fn())
        finally:
            gc.unfreeze()
        timings[name] = round(time.perf_counter() - started, 2)
    print(format_table(rows))
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "seconds": timings,
                "rows": [row.to_dict() for row in rows],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {RESULTS}")
    return 0 if all(row.ok is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
