"""The hessian family against finite differences, and its mistake rules."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

from question_bank.families import hessian
from question_bank.families._polynomials import read, symbol
from question_bank.registry import generate, samples
from question_bank.render import markdown_to_html

LEVELS = (1, 2, 3)
SEEDS = range(200)
STEP = 1e-2  # central differences are exact for cubics up to rounding


def _numeric(problem):
    """Return f as a numpy function of (variables..., a) and the variable names."""
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    symbols = [symbol(n) for n in names]
    return sympy.lambdify(symbols, f, "numpy"), names


def _fd_hessian(f, point: np.ndarray, extra: tuple) -> np.ndarray:
    n = len(point)
    h = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * STEP, np.eye(n)[j] * STEP
            h[i, j] = (
                f(*(point + ei + ej), *extra)
                - f(*(point + ei - ej), *extra)
                - f(*(point - ei + ej), *extra)
                + f(*(point - ei - ej), *extra)
            ) / (4 * STEP * STEP)
    return h


@pytest.mark.parametrize("level", LEVELS)
def test_solution_matches_finite_differences(level, rng):
    for seed in SEEDS:
        problem = generate("hessian", seed, level)
        f, names = _numeric(problem)
        n = sum(1 for v in names if v != "a")
        extra = (rng.uniform(-2, 2),) if "a" in names else ()
        solution = sympy.Matrix(read(problem.solution, names))
        entries = sympy.lambdify([symbol(v) for v in names], solution, "numpy")
        if "point" in problem.params:
            points = [np.array(problem.params["point"], dtype=float)]
        else:
            points = [np.array([rng.uniform(-2, 2) for _ in range(n)]) for _ in range(2)]
        for point in points:
            expected = _fd_hessian(f, point, extra)
            given = np.array(entries(*point, *extra), dtype=float)
            assert given.shape == (n, n)
            assert np.allclose(given, expected, rtol=1e-6, atol=1e-6), (
                seed,
                level,
                problem.solution,
            )
        assert problem.check(problem.solution).correct


@pytest.mark.parametrize("level", LEVELS)
def test_prompt_and_explanation_render(level):
    for seed in range(20):
        problem = generate("hessian", seed, level)
        for text in (problem.prompt, problem.explanation):
            html = markdown_to_html(text)
            assert not re.search(r"\\[a-zA-Z]+", re.sub(r"<[^>]+>", "", html)), text


def test_point_problems_name_an_unevaluated_hessian():
    problem = next(p for p in (generate("hessian", s, 2) for s in range(50)) if "point" in p.params)
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    variables = [symbol(v) for v in names]
    symbolic = sympy.hessian(f, variables)
    text = "[" + ", ".join("[" + ", ".join(str(e) for e in row) + "]" for row in symbolic.tolist())
    verdict = problem.check(text + "]")
    assert verdict.status == "incorrect"
    assert "hessian.not_evaluated" in verdict.tags
    assert "Substitute the point" in verdict.feedback


def test_square_factor_and_halved_mixed_partial_on_a_known_function():
    # f = 3x^2 + 4xy^2 - y^3: H = [[6, 8y], [8y, 8x - 6y]].
    x, y = symbol("x"), symbol("y")
    f = 3 * x**2 + 4 * x * y**2 - y**3
    rules = {r.tag: r for r in hessian._rules(f, (x, y), None)}
    from question_bank.grader import check_answer

    def tags(answer):
        return check_answer(
            "[[6, 8*y], [8*y, 8*x - 6*y]]", answer, "matrix", rules=tuple(rules.values())
        ).tags

    assert "hessian.power_rule_factor" in tags("[[3, 4y], [4y, 4x - y]]")
    assert "hessian.mixed_partial_halved" in tags("[[6, 4y], [4y, 8x - 6y]]")
    assert "hessian.off_diagonal_zero" in tags("[[6, 0], [0, 8x - 6y]]")
    assert "hessian.missing_cross_term" in tags("[[6, 0], [0, -6y]]")
    assert "hessian.asymmetric" in tags("[[6, 8y], [0, 8x - 6y]]")
    assert "hessian.asymmetric" in tags("[[6, 8y], [8x, 8x - 6y]]")
    assert not tags("[[6, 8 y], [y 8, 8x-6y]]")


@pytest.mark.parametrize("level", LEVELS)
def test_no_family_rule_fires_on_any_correct_sample(level):
    for seed in range(40):
        problem = generate("hessian", seed, level)
        for answer in samples(problem).correct:
            verdict = problem.check(answer)
            assert verdict.correct and not verdict.tags, (seed, answer, verdict)
