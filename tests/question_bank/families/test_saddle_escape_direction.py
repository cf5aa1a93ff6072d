"""saddle_escape_direction against numpy: finite-difference Hessian, eigh, parallel vectors."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import generate

TID = "saddle_escape_direction"
SEEDS = range(200)


def _numeric(problem):
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    return sympy.lambdify([symbol(v) for v in names], f, "numpy"), np.array(
        problem.params["point"], dtype=float
    )


def _hessian(fn, x, h=1e-3):
    n = len(x)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            out[i, j] = (fn(*(x + ei + ej)) - fn(*(x + ei - ej)) - fn(*(x - ei + ej))
                         + fn(*(x - ei - ej))) / (4 * h * h)  # fmt: skip
    return (out + out.T) / 2


def _gradient(fn, x, h=1e-4):
    n = len(x)
    return np.array([(fn(*(x + np.eye(n)[i] * h)) - fn(*(x - np.eye(n)[i] * h))) / (2 * h)
                     for i in range(n)])  # fmt: skip


def _vector(problem, text=None):
    return np.array([float(e) for e in read(text or problem.solution, problem.variables)])


@pytest.mark.parametrize("level", [1, 2, 3])
def test_answer_is_the_negative_eigenvector(level):
    degenerate = 0
    for seed in SEEDS:
        problem = generate(TID, seed, level)
        fn, point = _numeric(problem)
        where = (seed, level, problem.params["f"])
        # The point is a critical point and a strict saddle with one negative eigenvalue.
        assert np.abs(_gradient(fn, point)).max() < 1e-6, where
        values, vectors = np.linalg.eigh(_hessian(fn, point))
        assert values[0] < -0.5 and np.sum(values < -1e-6) == 1, (where, values)
        degenerate += bool(np.min(np.abs(values)) < 1e-6)
        answer = _vector(problem)
        cosine = abs(answer @ vectors[:, 0]) / np.linalg.norm(answer)
        assert cosine == pytest.approx(1, abs=1e-9), (where, answer, vectors[:, 0])
    # Level 3 mixes in degenerate saddles (a zero eigenvalue beside the negative one).
    assert (degenerate > 20) == (level == 3)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_any_non_zero_multiple_is_accepted(level, rng):
    for seed in range(0, 200, 8):
        problem = generate(TID, seed, level)
        v = [int(x) for x in _vector(problem)]
        k = rng.choice([-5, -2, 3, 7])
        for text in (
            "(" + ", ".join(str(k * x) for x in v) + ")",
            "(" + ", ".join(f"{x}/{abs(k)}" for x in v) + ")",
            "(" + ", ".join(f"{x}*sqrt(2)" for x in v) + ")",
        ):
            assert problem.check(text).status == "correct", (seed, text)
        zero = problem.check("(" + ", ".join("0" for _ in v) + ")")
        assert zero.status == "incorrect" and "direction.zero_vector" in zero.tags


def test_the_positive_eigenvector_is_named():
    for seed in range(40):
        problem = generate(TID, seed, 1)
        v = [int(x) for x in _vector(problem)]
        verdict = problem.check(f"({-3 * v[1]}, {3 * v[0]})")
        assert verdict.status == "incorrect"
        assert "saddle_escape_direction.positive_eigenvector" in verdict.tags
        assert "positive" in verdict.feedback


def test_a_coordinate_axis_from_the_diagonal_is_named():
    named = 0
    for seed in range(40):
        problem = generate(TID, seed, 2)
        h = np.array(problem.params["A"])
        axis = int(np.argmin(np.diag(h)))
        text = "(" + ", ".join("1" if i == axis else "0" for i in range(3)) + ")"
        verdict = problem.check(text)
        assert verdict.status == "incorrect"
        named += "saddle_escape_direction.coordinate_axis" in verdict.tags
    assert named >= 30  # unless the axis happens to be a positive eigenvector


def test_degenerate_saddle_flat_direction_is_named():
    seen = 0
    for seed in range(60):
        problem = generate(TID, seed, 3)
        h = np.array(problem.params["A"], dtype=float)
        values, vectors = np.linalg.eigh(h)
        if len(h) != 3 or abs(values[1]) > 1e-9:
            continue
        seen += 1
        null = vectors[:, 1] / np.abs(vectors[:, 1]).max()
        text = "(" + ", ".join(f"{x:.9f}" for x in null) + ")"
        verdict = problem.check(text)
        assert verdict.status == "incorrect"
        assert "saddle_escape_direction.flat_direction" in verdict.tags
    assert seen >= 5


def test_a_unit_vector_rounded_to_three_figures_is_right():
    problem = next(
        p for p in (generate(TID, s, 1) for s in range(50))
        if len({abs(int(x)) for x in _vector(p)}) == 2
    )  # fmt: skip
    unit = _vector(problem) / np.linalg.norm(_vector(problem))
    verdict = problem.check("(" + ", ".join(f"{x:.3f}" for x in unit) + ")")
    assert verdict.status == "correct"


def test_figure_free_and_prompt_states_the_answer_form():
    problem = generate(TID, 5, 2)
    assert "any non-zero multiple" in problem.prompt
    assert problem.equivalence == "direction"
