"""Oracles shared by the family tests: numbers computed from `params`, not from generators."""

from __future__ import annotations

import numpy as np
import sympy

from question_bank.families._polynomials import read


def quadratic(problem) -> tuple[np.ndarray, np.ndarray]:
    """Return (A, b) of the problem's f = 1/2 x'Ax - b'x by central differences of f.

    The step is large on purpose: central differences are exact for quadratics.
    """
    names = problem.params["variables"]
    symbols = [sympy.Symbol(n, real=True) for n in names]
    f = sympy.lambdify(symbols, read(problem.params["f"], tuple(names)), "numpy")
    n, h = len(names), 0.5
    b = -np.array([(f(*(h * e)) - f(*(-h * e))) / (2 * h) for e in np.eye(n)])
    a = np.array([
        [(f(*(h * (ei + ej))) - f(*(h * (ei - ej))) - f(*(h * (ej - ei))) + f(*(-h * (ei + ej))))
         / (4 * h * h) for ej in np.eye(n)]
        for ei in np.eye(n)
    ])  # fmt: skip
    return a, b
