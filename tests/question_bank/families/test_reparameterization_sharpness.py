"""reparameterization_sharpness against a finite-difference Hessian and numpy eigvalsh."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import generate

TID = "reparameterization_sharpness"
SEEDS = range(200)
ALPHAS = (0.5, 1.7, 3.0)


def _second_differences(fn, x, h):
    n = len(x)
    e = np.eye(n) * h
    return np.array([[(fn(*(x + e[i] + e[j])) - fn(*(x + e[i] - e[j])) - fn(*(x - e[i] + e[j]))
                       + fn(*(x - e[i] - e[j]))) / (4 * h * h) for j in range(n)]
                     for i in range(n)])  # fmt: skip


def _hessian(fn, x, h=1e-3):
    """Central differences at h and h/2, Richardson-combined: error O(h^4)."""
    return (4 * _second_differences(fn, x, h / 2) - _second_differences(fn, x, h)) / 3


def _rescaled(point, alpha):
    moved = np.array(point, dtype=float)
    moved[0], moved[1] = alpha * moved[0], moved[1] / alpha
    return moved


@pytest.mark.parametrize("level", [1, 2, 3])
def test_sharpness_matches_numeric_hessian(level):
    for seed in SEEDS:
        problem = generate(TID, seed, level)
        p = problem.params
        names = tuple(p["variables"])
        fn = sympy.lambdify([symbol(v) for v in names], read(p["f"], names), "numpy")
        if p["alpha"] == "alpha":
            answer = sympy.lambdify([symbol("alpha")], read(problem.solution, ("alpha",)))
            cases = [(alpha, answer(alpha)) for alpha in ALPHAS]
        else:
            cases = [(float(Fraction(p["alpha"])), float(Fraction(problem.solution)))]
        for alpha, value in cases:
            x = _rescaled(p["point"], alpha)
            values = np.linalg.eigvalsh(_hessian(fn, x))
            where = (seed, level, p, alpha)
            assert value == pytest.approx(values[-1], rel=1e-5), where
            # A minimum: the rest of the spectrum is flat (zero), never negative.
            assert abs(values[0]) < 1e-4 * values[-1], where


def test_rescaling_changes_sharpness_but_not_the_loss():
    for seed in range(40):
        problem = generate(TID, seed, 1)
        p = problem.params
        names = tuple(p["variables"])
        fn = sympy.lambdify([symbol(v) for v in names], read(p["f"], names), "numpy")
        alpha = float(Fraction(p["alpha"]))
        original, moved = np.array(p["point"], dtype=float), _rescaled(p["point"], alpha)
        assert fn(*original) == pytest.approx(fn(*moved))
        before = np.linalg.eigvalsh(_hessian(fn, original))[-1]
        unrescaled = problem.check(str(Fraction(round(before * 144), 144)))
        if before != pytest.approx(float(Fraction(problem.solution))):
            assert "reparameterization_sharpness.unrescaled" in unrescaled.tags


def _top(k, w):
    """k |grad u|^2 for u = w1 w2 at the point w."""
    return k * (w[0] ** 2 + w[1] ** 2)


SLIPS = [
    ("reparameterization_sharpness.curvature_only", lambda k, p, a: k),
    ("reparameterization_sharpness.alpha_on_both", lambda k, p, a: _top(k, [a * p[0], a * p[1]])),
    ("reparameterization_sharpness.alpha_inverted", lambda k, p, a: _top(k, [p[0] / a, a * p[1]])),
    (
        "reparameterization_sharpness.no_cross_term",
        lambda k, p, a: k * max(a * a * p[0] ** 2, p[1] ** 2 / a**2),
    ),
    ("reparameterization_sharpness.half_factor", lambda k, p, a: _top(k, [a * p[0], p[1] / a]) / 2),
]


@pytest.mark.parametrize("tag, slip", SLIPS)
def test_each_slip_is_named(tag, slip):
    named = 0
    for seed in range(25):
        problem = generate(TID, seed, 1)
        p = problem.params
        kappa = Fraction(read(p["loss"], ("u",)).as_poly(symbol("u")).LC() * 2)
        alpha = Fraction(p["alpha"])
        wrong = slip(kappa, [Fraction(v) for v in p["point"]], alpha)
        if wrong == Fraction(problem.solution):
            continue
        verdict = problem.check(str(wrong))
        assert verdict.status == "incorrect"
        named += tag in verdict.tags
    assert named >= 15
