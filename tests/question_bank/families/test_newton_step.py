"""newton_step against numpy: finite-difference gradient and Hessian, numpy.linalg.solve."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import generate

TID = "newton_step"
SEEDS = range(200)
A_VALUES = (-2.5, -0.4, 0.0, 1.3, 3.0)


def _derivatives(fn, x, h=1e-3):
    """Central differences: exact up to rounding for quadratics."""
    n = len(x)
    e = np.eye(n) * h
    grad = np.array([(fn(*(x + e[i])) - fn(*(x - e[i]))) / (2 * h) for i in range(n)])
    hess = np.array([[(fn(*(x + e[i] + e[j])) - fn(*(x + e[i] - e[j])) - fn(*(x - e[i] + e[j]))
                       + fn(*(x - e[i] - e[j]))) / (4 * h * h) for j in range(n)]
                     for i in range(n)])  # fmt: skip
    return grad, (hess + hess.T) / 2


def _cases(problem):
    """Yield (numeric f, numeric solution) for each value of the parameter a (if any)."""
    names = tuple(problem.params["variables"])
    symbols = [symbol(v) for v in names]
    f = sympy.lambdify(symbols, read(problem.params["f"], names), "numpy")
    solution = sympy.lambdify(symbols, list(read(problem.solution, names)), "numpy")
    n = len([v for v in names if v != "a"])
    for a in A_VALUES if "a" in names else (None,):
        extra = () if a is None else (a,)

        def fn(*x, extra=extra):
            return f(*x, *extra)

        yield fn, np.array(solution(*([0.0] * n), *extra), dtype=float)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_step_solves_the_newton_system(level):
    for seed in SEEDS:
        problem = generate(TID, seed, level)
        point = np.array(problem.params["point"], dtype=float)
        for fn, step in _cases(problem):
            grad, hess = _derivatives(fn, point)
            expected = np.linalg.solve(hess, -grad)
            assert step == pytest.approx(expected, abs=1e-6), (seed, level, problem.params)


@pytest.mark.parametrize("level", [2, 3])
def test_the_step_lands_on_a_saddle(level):
    """Levels 2 and 3 are indefinite quadratics: Newton jumps onto the saddle."""
    for seed in range(0, 200, 4):
        problem = generate(TID, seed, level)
        point = np.array(problem.params["point"], dtype=float)
        for fn, step in _cases(problem):
            grad, hess = _derivatives(fn, point + step)
            assert np.abs(grad).max() < 1e-5, (seed, level)
            values = np.linalg.eigvalsh(hess)
            assert values[0] < 0 < values[-1], (seed, level, values)
        assert "saddle" in problem.explanation


MISTAKES = {
    "newton_step.missing_minus": lambda g, h: np.linalg.solve(h, g),
    "newton_step.hessian_not_inverted": lambda g, h: -h @ g,
    "newton_step.gradient_step": lambda g, h: -g,
}


@pytest.mark.parametrize("tag", sorted(MISTAKES))
def test_each_slip_is_named(tag):
    for seed in range(25):
        problem = generate(TID, seed, 1)
        point = np.array(problem.params["point"], dtype=float)
        ((fn, _),) = list(_cases(problem))
        grad, hess = _derivatives(fn, point)
        wrong = MISTAKES[tag](np.round(grad), np.round(hess))
        text = "(" + ", ".join(str(Fraction(w).limit_denominator(1000)) for w in wrong) + ")"
        verdict = problem.check(text)
        assert verdict.status == "incorrect", (seed, text)
        assert tag in verdict.tags, (seed, text, verdict)


def test_symbolic_answer_is_checked_as_a_function_of_a():
    problem = generate(TID, 3, 3)
    assert "a" in problem.variables
    step = read(problem.solution, problem.variables)
    # The same functions, written differently, are accepted.
    other = "(" + ", ".join(str(sympy.apart(e, symbol("a"))) for e in step) + ")"
    assert problem.check(other).status == "correct"
