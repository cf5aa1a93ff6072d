"""The gradient family against finite differences, and its mistake rules."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import generate, samples

LEVELS = (1, 2, 3)
SEEDS = range(200)
STEP = 1e-3  # central differences of a cubic: error of order STEP**2


def numeric(problem):
    """Return f and the claimed gradient as numpy functions of (variables..., a)."""
    names = tuple(problem.params["variables"])
    symbols = [symbol(n) for n in names]
    f = sympy.lambdify(symbols, read(problem.params["f"], names), "numpy")
    claimed = read(problem.solution, names)
    gradient = [sympy.lambdify(symbols, entry, "numpy") for entry in claimed]
    return f, gradient, names


def finite_difference_gradient(f, point: np.ndarray, extra: tuple) -> np.ndarray:
    basis = np.eye(len(point)) * STEP
    return np.array(
        [(f(*(point + e), *extra) - f(*(point - e), *extra)) / (2 * STEP) for e in basis]
    )


@pytest.mark.parametrize("level", LEVELS)
def test_the_solution_is_the_gradient(level):
    rng = random.Random(level)
    for seed in SEEDS:
        problem = generate("gradient", seed, level)
        f, gradient, names = numeric(problem)
        count = len([n for n in names if n != "a"])
        for _ in range(3):
            point = np.array([rng.uniform(-2, 2) for _ in range(count)])
            extra = (rng.uniform(-2, 2),) if "a" in names else ()
            claimed = np.array([g(*point, *extra) for g in gradient], dtype=float)
            expected = finite_difference_gradient(f, point, extra)
            assert np.allclose(claimed, expected, rtol=1e-6, atol=1e-5), (seed, level)


@pytest.mark.parametrize("level", LEVELS)
def test_problems_are_well_posed(level):
    for seed in range(50):
        problem = generate("gradient", seed, level)
        names = problem.params["variables"]
        assert len([n for n in names if n != "a"]) == (3 if level == 2 else 2)
        assert ("a" in names) == (level == 3)
        assert "\\" not in problem.prompt_html.replace("\\(", "")  # every formula rendered
        assert problem.check(problem.solution).status == "correct"


MISTAKES = [
    ("gradient.missing_cross_term", "cross terms are missing"),
    ("gradient.power_rule_factor", "exponents were not brought down"),
    ("gradient.components_swapped", "wrong order"),
]


@pytest.mark.parametrize("tag, words", MISTAKES)
def test_each_mistake_is_named_with_its_feedback(tag, words):
    named = 0
    for seed in range(40):
        problem = generate("gradient", seed, 1)
        for answer, claimed in samples(problem).incorrect:
            if claimed == tag:
                verdict = problem.check(answer)
                assert tag in verdict.tags and words in verdict.feedback
                named += 1
    assert named >= 10


def test_a_correct_answer_in_another_form_names_no_mistake():
    problem = generate("gradient", 3, 1)
    x, y = symbol("x"), symbol("y")
    g = read(problem.solution, ("x", "y"))
    factored = "(" + ", ".join(str(sympy.factor(entry)) for entry in g) + ")"
    verdict = problem.check(factored.replace("**", "^"))
    assert verdict.status == "correct" and verdict.tags == ()
    assert {x, y} >= set().union(*(entry.free_symbols for entry in g))
