"""saddle_escape_time against actually running gradient descent near the saddle."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import generate

TID = "saddle_escape_time"
SEEDS = range(200)


def _second_difference(fn, x, i, j, h):
    n = len(x)
    ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
    return (fn(*(x + ei + ej)) - fn(*(x + ei - ej)) - fn(*(x - ei + ej)) + fn(*(x - ei - ej))) / (
        4 * h * h
    )


def _setup(problem):
    """Return f, the saddle and its Hessian by finite differences, Richardson-extrapolated.

    The central difference errs by (h^2 / 12) times fourth derivatives for these quartics;
    combining steps h and h/2 cancels that, so borderline cases are judged exactly enough.
    """
    names = tuple(problem.params["variables"])
    fn = sympy.lambdify([symbol(v) for v in names], read(problem.params["f"], names), "numpy")
    saddle = np.array(problem.params["point"], dtype=float)
    n, h = len(names), 1e-2
    hessian = np.array(
        [
            [
                (4 * _second_difference(fn, saddle, i, j, h / 2)
                 - _second_difference(fn, saddle, i, j, h)) / 3
                for j in range(n)
            ]
            for i in range(n)
        ]
    )  # fmt: skip
    return fn, saddle, (hessian + hessian.T) / 2


def _run(problem, *, limit=1000):
    """Run gradient descent on the quadratic model at the saddle; return the distances."""
    _, saddle, hessian = _setup(problem)
    values, vectors = np.linalg.eigh(hessian)
    assert values[0] < 0 < values[1], values  # a strict saddle, one unstable direction
    eta = float(Fraction(problem.params["eta"]))
    delta, radius = float(Fraction(problem.params["delta"])), float(Fraction(problem.params["r"]))
    x = saddle + delta * vectors[:, 0]
    distances = [delta]
    while distances[-1] < radius * (1 - 1e-9) and len(distances) < limit:
        x = x - eta * hessian @ (x - saddle)  # the gradient of the quadratic model
        distances.append(float(np.linalg.norm(x - saddle)))
    return distances, radius


@pytest.mark.parametrize("level", [1, 2, 3])
def test_steps_match_a_gradient_descent_run(level):
    for seed in SEEDS:
        problem = generate(TID, seed, level)
        distances, radius = _run(problem)
        steps = len(distances) - 1
        assert int(problem.solution) == steps, (seed, level, problem.params, distances[-3:])
        # Not reached one step earlier (with a margin unless the problem is borderline).
        assert distances[-2] < radius


@pytest.mark.parametrize("level", [1, 2])
def test_quadratic_levels_real_gradient_descent_agrees(level):
    """For a quadratic f the model is f itself: run GD with the true gradient."""
    for seed in range(0, 200, 5):
        problem = generate(TID, seed, level)
        names = tuple(problem.params["variables"])
        variables = [symbol(v) for v in names]
        f = read(problem.params["f"], names)
        grad = sympy.lambdify(variables, [sympy.diff(f, v) for v in variables], "numpy")
        _, saddle, hessian = _setup(problem)
        direction = np.linalg.eigh(hessian)[1][:, 0]
        eta = float(Fraction(problem.params["eta"]))
        delta, radius = (
            float(Fraction(problem.params["delta"])),
            float(Fraction(problem.params["r"])),
        )
        x, k = saddle + delta * direction, 0
        while np.linalg.norm(x - saddle) < radius:
            x, k = x - eta * np.array(grad(*x), dtype=float), k + 1
        assert k == int(problem.solution), (seed, level)


def test_level_three_has_exact_borderline_cases():
    borderline = 0
    for seed in SEEDS:
        problem = generate(TID, seed, 3)
        p = problem.params
        eta, gamma = Fraction(p["eta"]), Fraction(p["gamma"])
        delta, radius, k = Fraction(p["delta"]), Fraction(p["r"]), int(problem.solution)
        if delta * (1 + eta * gamma) ** k == radius:
            borderline += 1
            # Equality counts as reaching r: k, not k + 1 (the strict-inequality slip).
            verdict = problem.check(str(k + 1))
            assert "saddle_escape_time.off_by_one" in verdict.tags
            assert "equality" in verdict.feedback
            assert "exactly" in problem.explanation
    assert borderline >= 40


FEEDBACK_CASES = [
    ("saddle_escape_time.linearised_log", lambda L, lin, k: str(int(np.ceil(lin)))),
    ("saddle_escape_time.not_rounded", lambda L, lin, k: f"{L:.2f}"),
    ("saddle_escape_time.ratio_inverted", lambda L, lin, k: str(-k)),
    ("saddle_escape_time.off_by_one", lambda L, lin, k: str(k + 1)),
]


@pytest.mark.parametrize("tag, answer", FEEDBACK_CASES)
def test_each_slip_is_named(tag, answer):
    named = 0
    for seed in range(30):
        problem = generate(TID, seed, 1)
        p = problem.params
        eta, gamma = float(Fraction(p["eta"])), float(Fraction(p["gamma"]))
        ratio = float(Fraction(p["r"]) / Fraction(p["delta"]))
        L, lin = np.log(ratio) / np.log1p(eta * gamma), np.log(ratio) / (eta * gamma)
        k = int(problem.solution)
        text = answer(L, lin, k)
        if text == str(k):
            continue
        verdict = problem.check(text)
        assert verdict.status == "incorrect"
        named += tag in verdict.tags
    assert named >= 20


def test_correct_answers_carry_no_mistake():
    problem = generate(TID, 7, 2)
    for text in (problem.solution, problem.solution + ".0"):
        verdict = problem.check(text)
        assert verdict.correct and not verdict.tags
