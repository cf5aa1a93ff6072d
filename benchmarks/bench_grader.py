"""Benchmark check_answer on realistic Hessian answers against sympy.simplify.

Realistic answers: Hessian entries (degree-3 polynomials) of random degree-5
polynomials in 2 and 3 variables, and whole 3x3 Hessians, written the way
learners write them (factored, expanded, with ^ and implicit products); about
a fifth of them wrong. The baseline decides the same parsed pairs with
`sympy.simplify(a - b) == 0` in the same run.
"""

from __future__ import annotations

import random
import re
import statistics
import time

import sympy

from benchmarks.registry import Row, benchmark
from question_bank import check_answer, parse, to_text

SEED = 7
EXPR_PAIRS = 120
MATRIX_PAIRS = 30

HOSTILE = [
    "9^9^9^9", "10**10**10", "((9**9)**9999)**9999", "factorial(10**9)", "2^(10^1000)",
    "(" * 10_000 + "x" + ")" * 10_000, "x" * 1_000_000, "9" * 100_000, "\x00" * 100,
    "__import__('os').system('true')", "().__class__.__bases__", "lambda: 0", "eval('1')",
    "\\frac{1}{2}", "(x+y+1)^1000", "(1+sqrt(2))^1000 - (1-sqrt(2))^1000",
    "exp(" * 30 + "x" + ")" * 30, "x^" * 600 + "2", "-" * 1500 + "x", "1e99999",
]  # fmt: skip


def _quintic(rng: random.Random, symbols: list[sympy.Symbol]) -> sympy.Expr:
    # A random degree-5 polynomial, so that its Hessian entries are degree-3 polynomials.
    monomials = sorted(sympy.itermonomials(symbols, 5), key=sympy.default_sort_key)
    terms = [rng.choice([-3, -2, -1, 1, 2, 3]) * m for m in rng.sample(monomials, 6)]
    factored = rng.randint(1, 3) * (symbols[0] + rng.randint(-2, 2) * symbols[-1]) ** 5
    return sympy.Add(*terms) + factored


def _learner_text(expr: sympy.Expr, rng: random.Random) -> str:
    # How a learner might write it: factored, expanded or as derived; ^ and implicit products.
    form = rng.choice([sympy.factor, sympy.expand, lambda e: e])(expr)
    text = str(form).replace("**", "^")
    return re.sub(r"(\d)\*([a-z(])", r"\1\2", text)


def _wrong(expr: sympy.Expr, rng: random.Random) -> sympy.Expr:
    return expr + rng.choice([1, -2, sympy.Symbol("x", real=True)])


def _pairs(count: int, nvars: int, rng: random.Random) -> list[tuple[sympy.Matrix, str]]:
    symbols = list(sympy.symbols("x y z", real=True)[:nvars])
    out = []
    for _ in range(count):
        hessian = sympy.hessian(_quintic(rng, symbols), symbols)
        if rng.random() < 0.3:
            hessian = hessian.applyfunc(lambda e: _wrong(e, rng) if rng.random() < 0.2 else e)
        out.append((hessian, symbols))
    return out


def _time_ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _simplify_equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    return sympy.simplify(a - b) == 0


@benchmark("grader")
def bench_grader() -> list[Row]:
    rng = random.Random(SEED)
    check_answer("x", "x")  # warm caches (sympy printing, mpmath contexts) before timing
    expr_ours, expr_base = [], []
    for hessian, symbols in _pairs(EXPR_PAIRS // 2, 2, rng) + _pairs(EXPR_PAIRS // 4, 3, rng):
        names = tuple(s.name for s in symbols)
        i, j = rng.randrange(hessian.rows), rng.randrange(hessian.cols)
        expected = to_text(hessian[i, j])
        answer = _learner_text(
            hessian[i, j] if rng.random() < 0.7 else _wrong(hessian[i, j], rng), rng
        )
        expr_ours.append(
            _time_ms(lambda e=expected, a=answer, n=names: check_answer(e, a, "expr", n))
        )
        a, b = parse(expected, names).expr, parse(answer, names).expr
        expr_base.append(_time_ms(lambda: _simplify_equal(a, b)))  # noqa: B023
    matrix_ours, matrix_base = [], []
    for hessian, symbols in _pairs(MATRIX_PAIRS, 3, rng):
        names = tuple(s.name for s in symbols)
        expected = to_text(hessian)
        answer = (
            "["
            + "; ".join(", ".join(_learner_text(e, rng) for e in hessian.row(r)) for r in range(3))
            + "]"
        )
        matrix_ours.append(
            _time_ms(lambda e=expected, a=answer, n=names: check_answer(e, a, "matrix", n))
        )
        got = parse(answer, names)
        entries = [e.expr for row in got.rows for e in row]
        matrix_base.append(
            _time_ms(
                lambda: [_simplify_equal(a, b) for a, b in zip(hessian, entries, strict=True)]  # noqa: B023
            )
        )
    hostile = [_time_ms(lambda: check_answer("x**2", text)) for text in HOSTILE]  # noqa: B023
    return _rows(expr_ours, expr_base, matrix_ours, matrix_base, hostile)


def _rows(expr_ours, expr_base, matrix_ours, matrix_base, hostile) -> list[Row]:
    rows = []
    for kind, ours, base in (("expr", expr_ours, expr_base), ("matrix", matrix_ours, matrix_base)):
        median, p99 = statistics.median(ours), _p99(ours)
        base_median = statistics.median(base)
        ratio = base_median / median
        rows += [
            Row("grader", f"{kind}_median_ms", round(median, 3), "ms"),
            Row("grader", f"{kind}_p99_ms", round(p99, 3), "ms", "< 20 ms", p99 < 20),
            Row("grader", f"{kind}_simplify_median_ms", round(base_median, 3), "ms"),
            Row(
                "grader", f"{kind}_speedup_vs_simplify", round(ratio, 1), "x", ">= 10x", ratio >= 10
            ),
        ]
    worst = max(hostile)
    rows.append(Row("grader", "hostile_worst_ms", round(worst, 3), "ms", "< 200 ms", worst < 200))
    return rows


if __name__ == "__main__":
    for row in bench_grader():
        print(row)
