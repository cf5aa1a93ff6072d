"""The question bank: problems generated per second per family, and figure render time.

Generation is timed uncached (the registry's cache is cleared), including the
prompt's MathML, since that is what a fresh problem costs a server.
"""

from __future__ import annotations

import time

from question_bank.registry import catalog, family, figure, generate

from .registry import Row, benchmark

PER_LEVEL = 60


@benchmark("bank")
def bank() -> list[Row]:
    rows: list[Row] = []
    for template in catalog():
        for level in template.levels:
            generate.cache_clear()
            started = time.perf_counter()
            for seed in range(1000, 1000 + PER_LEVEL):
                generate(template.id, seed, level)
            rate = PER_LEVEL / (time.perf_counter() - started)
            target = ">= 100/s" if level <= 2 else ""
            rows.append(Row("bank", f"{template.id} level {level}", rate, "problems/s", target,
                            (rate >= 100) if level <= 2 else None))  # fmt: skip
    for template in catalog():
        if not hasattr(family(template.id), "figure"):
            continue
        problem = generate(template.id, 7, template.levels[0])
        figure(problem)  # the first figure pays for importing matplotlib
        started = time.perf_counter()
        for seed in range(5):
            figure(generate(template.id, seed, template.levels[0]))
        ms = (time.perf_counter() - started) / 5 * 1000
        rows.append(Row("bank", f"{template.id} figure", ms, "ms", "< 1000 ms", ms < 1000))
    return rows
