"""Hostile input: every answer is `invalid`, quickly, and nothing is executed."""

from __future__ import annotations

import builtins
import time
from pathlib import Path

import pytest

from question_bank import check_answer

MARKER = "qb_pwned_marker"

INJECTION = [
    f"__import__('os').system('touch /tmp/{MARKER}')",
    f'__import__("os").system("touch /tmp/{MARKER}")',
    "__import__",
    "__builtins__",
    "x.__class__.__bases__[0].__subclasses__()",
    "().__class__",
    "x.__class__",
    f'eval(\'open("/tmp/{MARKER}", "w")\')',
    "eval(x)",
    "exec(x)",
    "lambda: 0",
    "lambda x: x",
    "(lambda: 1)()",
    "getattr(x, 'y')",
    "open('/etc/passwd').read()",
    "globals()",
    "import os",
    "os.system('ls')",
    "Symbol('x')",
    "Function('f')(x)",
    "S('x')",
    "sympify('x')",
    "x if x else y",
    "[x for x in y]",
    "x; import os",
    "x # comment",
    "`ls`",
    "$(ls)",
    "x @ y",
    "x % y",
    "x & y",
    "x == y",
    "x < y",
    "{x: y}",
    "'x'",
]

HUGE = [
    "9^9^9^9",
    "9**9**9**9",
    "10**10**10",
    "10^10^10",
    "((9**9)**9999)**9999",
    "((9^9)^99)^99",
    "2^(10^1000)",
    "2^99999",
    "x^99999",
    "(x+1)^1001",
    "factorial(10**9)",
    "factorial(100)",
    "gamma(10^9)",
    "(10^999)^(10^999)",
    "1e99999",
    "1e-99999",
    "9" * 100_000,
    "1." + "0" * 100_000,
    "(" * 10_000 + "x" + ")" * 10_000,
    "-" * 10_000 + "x",
    "x" + "^x" * 3000,
    "x" * 1_000_000,
    "x+" * 1500 + "x",
    "sqrt(" * 100 + "2" + ")" * 100,
    "2^" * 500 + "2",
]

ODD = [
    "\x00",
    "x\x00",
    "\x00" * 1000,
    "x\ufeff",
    "\\frac{1}{2}",
    "\\sqrt{x}",
    "$x^2$",
    "\\left( x \\right)",
    "x\u202e+1",  # right-to-left override
    "\ud800",  # lone surrogate
    "𝑥",  # mathematical italic x: NFKC folds it to x
    "\u0301",  # a lone combining accent
]

CORPUS = INJECTION + HUGE + ODD
ALLOWED_VALID = {"𝑥"}  # folds to the plain variable x


@pytest.fixture
def no_eval(monkeypatch):
    """Record every eval/exec call made while grading; fail if learner text reaches one."""
    calls: list[str] = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def spy_eval(source, *args, **kwargs):
        calls.append(str(source))
        return real_eval(source, *args, **kwargs)

    def spy_exec(source, *args, **kwargs):
        calls.append(str(source))
        return real_exec(source, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", spy_eval)
    monkeypatch.setattr(builtins, "exec", spy_exec)
    return calls


@pytest.mark.parametrize("answer", CORPUS, ids=lambda a: repr(a[:30]))
@pytest.mark.parametrize("kind", ["expr", "matrix"])
def test_hostile_input_is_invalid_fast_and_inert(answer, kind, no_eval) -> None:
    marker = Path("/tmp") / MARKER
    marker.unlink(missing_ok=True)
    expected = "x**2" if kind == "expr" else "[[1, 0], [0, 1]]"
    start = time.perf_counter()
    verdict = check_answer(expected, answer, kind=kind)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    if answer not in ALLOWED_VALID:
        assert verdict.status == "invalid", verdict
        assert verdict.error
    assert not marker.exists()
    assert not any(answer[:200] in call or MARKER in call for call in no_eval)


@pytest.mark.parametrize("answer", HUGE[:8] + ["9" * 100_000, "(" * 10_000 + "x"])
def test_hostile_powers_are_refused_before_sympy_works(answer) -> None:
    start = time.perf_counter()
    verdict = check_answer("x", answer)
    assert time.perf_counter() - start < 0.2
    assert verdict.status == "invalid"


def test_a_one_megabyte_answer_is_refused_by_length() -> None:
    verdict = check_answer("x", "x" * 1_000_000)
    assert "1,000,000 characters" in verdict.error


@pytest.mark.parametrize("kind", ["number", "vector", "points", "choice"])
def test_other_kinds_refuse_injection(kind) -> None:
    expected = {"number": "1", "vector": "(1, 2)", "points": "{(0, 0)}", "choice": "minimum"}
    for answer in INJECTION + ["\x00", "x" * 1_000_000]:
        verdict = check_answer(expected[kind], answer, kind=kind)
        assert verdict.status == "invalid", (answer, verdict)
