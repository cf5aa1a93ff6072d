"""interpolation_barrier against dense sampling of the straight path (100,001 points)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import figure, generate

TID = "interpolation_barrier"
SEEDS = range(200)
TS = np.linspace(0.0, 1.0, 100_001)


def _path(problem):
    names = tuple(problem.params["variables"])
    fn = sympy.lambdify([symbol(v) for v in names], read(problem.params["f"], names), "numpy")
    theta_a, theta_b = (np.array(p, dtype=float) for p in problem.params["points"])
    points = theta_a[:, None] * (1 - TS) + theta_b[:, None] * TS
    return fn, theta_a, theta_b, np.broadcast_to(fn(*points), TS.shape)


def _hessian(fn, x, h=1e-3):
    n = len(x)
    e = np.eye(n) * h
    return np.array([[(fn(*(x + e[i] + e[j])) - fn(*(x + e[i] - e[j])) - fn(*(x - e[i] + e[j]))
                       + fn(*(x - e[i] - e[j]))) / (4 * h * h) for j in range(n)]
                     for i in range(n)])  # fmt: skip


@pytest.mark.parametrize("level", [1, 2, 3])
def test_barrier_matches_dense_sampling(level):
    for seed in SEEDS:
        problem = generate(TID, seed, level)
        fn, theta_a, theta_b, losses = _path(problem)
        sampled = losses.max() - max(losses[0], losses[-1])
        answer = float(Fraction(problem.solution))
        where = (seed, level, problem.params["f"])
        assert answer == pytest.approx(sampled, rel=1e-7, abs=1e-7), where
        assert answer > 0, where
        # The peak sits where the problem says, and the endpoints are minima.
        t_peak = float(Fraction(problem.params["t_peak"]))
        assert abs(TS[np.argmax(losses)] - t_peak) < 1e-3, where
        for theta in (theta_a, theta_b):
            assert np.linalg.eigvalsh(_hessian(fn, theta)).min() > -1e-6, where


def test_peaks_away_from_the_midpoint_are_common():
    off = 0
    for seed in SEEDS:
        problem = generate(TID, seed, 1)
        off += Fraction(problem.params["t_peak"]) != Fraction(1, 2)
    assert off >= 150


def test_level_three_includes_rings_of_connected_minima():
    rings = [generate(TID, s, 3) for s in SEEDS]
    rings = [p for p in rings if "arc of the circle" in p.explanation]
    assert len(rings) >= 50
    for problem in rings[:10]:
        assert Fraction(problem.params["t_peak"]) == Fraction(1, 2)


def _slips(problem):
    fn, _, _, losses = _path(problem)
    peak, la, lb = losses.max(), losses[0], losses[-1]
    mid = losses[len(TS) // 2]
    return {
        "interpolation_barrier.max_loss": peak,
        "interpolation_barrier.midpoint_only": mid - max(la, lb),
        "interpolation_barrier.average_endpoints": peak - (la + lb) / 2,
        "interpolation_barrier.lower_endpoint": peak - min(la, lb),
    }


def test_each_slip_is_named():
    named: dict[str, int] = {}
    for seed in range(30):
        problem = generate(TID, seed, 1)
        answer = Fraction(problem.solution)
        for tag, value in _slips(problem).items():
            exact = Fraction(round(value * 16), 16)  # values here are multiples of 1/16
            if exact == answer:
                continue
            verdict = problem.check(str(exact))
            assert verdict.status == "incorrect"
            named[tag] = named.get(tag, 0) + (tag in verdict.tags)
    assert all(count >= 5 for count in named.values()), named
    assert len(named) == 4


def test_figure_is_svg_with_the_barrier():
    svg = figure(generate(TID, 3, 1))
    assert svg.startswith("<svg") and "barrier" in svg
