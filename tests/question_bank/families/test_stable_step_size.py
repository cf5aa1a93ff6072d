"""stable_step_size against an oracle that runs gradient descent on the quadratic."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from question_bank.registry import figure, generate
from question_bank.render import markdown_to_html
from tests.question_bank.families.oracles import quadratic as finite_difference_quadratic

SEEDS = range(200)


def quadratic(problem):
    """Return (A, b) of the problem's f, checking A against params["A"]."""
    a, b = finite_difference_quadratic(problem)
    assert np.allclose(a, np.array(problem.params["A"], dtype=float))
    return a, b


def run_gd(a, b, eta, start, steps=2500):
    """Return 'converges' or 'diverges' after running x <- x - eta (A x - b)."""
    minimiser = np.linalg.solve(a, b)
    x = start.copy()
    first = np.linalg.norm(start - minimiser)
    for _ in range(steps):
        x = x - eta * (a @ x - b)
        error = np.linalg.norm(x - minimiser)
        if error > 1e6 * first:
            return "diverges"
        if error < 1e-9 * first:
            return "converges"
    return "stalls"


@pytest.mark.parametrize("level", (1, 2))
def test_supremum_separates_convergence_from_divergence(level, rng):
    for seed in SEEDS:
        problem = generate("stable_step_size", seed, level)
        a, b = quadratic(problem)
        lam_max = np.linalg.eigvalsh(a)[-1]
        bound = float(Fraction(problem.solution))
        assert bound == pytest.approx(2 / lam_max, rel=1e-9)
        start = np.array([rng.uniform(-3, 3) for _ in range(len(b))])
        assert run_gd(a, b, 0.98 * bound, start) == "converges", seed
        assert run_gd(a, b, 1.02 * bound, start) == "diverges", seed
        assert problem.check(f"{2 / lam_max:.6g}").correct


def test_exactly_at_the_bound_gd_oscillates_without_converging(rng):
    problem = generate("stable_step_size", 5, 1)
    a, b = quadratic(problem)
    eigenvalues, vectors = np.linalg.eigh(a)
    eta = float(Fraction(problem.solution))
    minimiser = np.linalg.solve(a, b)
    x = minimiser + vectors[:, -1] + 0.5 * vectors[:, 0]
    components = []
    for _ in range(400):
        x = x - eta * (a @ x - b)
        components.append(float(vectors[:, -1] @ (x - minimiser)))
    assert np.allclose(np.abs(components), 1.0, atol=1e-6)  # constant amplitude
    assert all(p * q < 0 for p, q in zip(components, components[1:], strict=False))  # flips


def test_level_3_answer_is_the_largest_listed_step_that_converges(rng):
    for seed in SEEDS:
        problem = generate("stable_step_size", seed, 3)
        a, b = quadratic(problem)
        start = np.array([rng.uniform(-3, 3) for _ in range(len(b))])
        outcomes = {
            letter: run_gd(a, b, float(Fraction(eta)), start)
            for letter, eta in problem.params["etas"].items()
        }
        converging = [k for k, v in outcomes.items() if v == "converges"]
        best = max(converging, key=lambda k: Fraction(problem.params["etas"][k]))
        assert problem.solution == best, (seed, outcomes)
        # The borderline option 2 / lambda_max is listed and does not converge.
        lam_max = np.linalg.eigvalsh(a)[-1]
        borderline = [k for k, e in problem.params["etas"].items()
                      if abs(float(Fraction(e)) * lam_max - 2) < 1e-9]  # fmt: skip
        assert len(borderline) == 1 and outcomes[borderline[0]] != "converges"
        assert problem.check(best.lower()).correct
        assert not problem.check(borderline[0]).correct


def test_rules_name_their_mistakes():
    for seed in range(50):  # a problem where the four slips give four different steps
        problem = generate("stable_step_size", seed, 1)
        a, _ = quadratic(problem)
        low, high = np.linalg.eigvalsh(a)
        if abs(high - 2 * low) > 0.5 and abs(high - 4 * low) > 0.5:
            break
    cases = {
        f"1/{round(high)}": "stable_step_size.one_over_lambda",
        f"2/{round(low)}": "stable_step_size.used_lambda_min",
        f"{round(high)}/2": "stable_step_size.inverted",
        f"4/{round(high)}": "stable_step_size.half_hessian",
    }
    for answer, tag in cases.items():
        verdict = problem.check(answer)
        assert not verdict.correct
        assert tag in verdict.tags, (answer, verdict)
    assert "2/\\lambda_{\\max}" in problem.check(f"1/{round(high)}").feedback


@pytest.mark.parametrize("level", (1, 2))
def test_a_decimal_slip_gets_the_feedback_of_the_exact_one(level):
    # Seed 1 at level 1: the bound is 2/13, and 1/13 = 0.0769... is 1/lambda_max.
    if level == 1:
        problem = generate("stable_step_size", 1, 1)
        assert problem.solution == "2/13"
        assert problem.check("1/13").tags == problem.check("0.0769").tags
    for seed in range(60):
        problem = generate("stable_step_size", seed, level)
        high = np.linalg.eigvalsh(quadratic(problem)[0])[-1]
        for digits in (3, 4, 6):
            verdict = problem.check(f"{1 / high:.{digits}g}")
            assert verdict.tags == ("stable_step_size.one_over_lambda",), (seed, verdict)
            assert "2/\\lambda_{\\max}" in verdict.feedback
        assert problem.check(f"{2 / high:.4g}").correct  # the right value, rounded, is right


@pytest.mark.parametrize("level", (1, 2, 3))
def test_text_renders_and_figure_draws(level):
    for seed in range(10):
        problem = generate("stable_step_size", seed, level)
        for html in (problem.prompt_html, markdown_to_html(problem.explanation)):
            visible = re.sub(r"<[^>]+>", "", html)
            assert not re.search(r"\\[a-zA-Z]+", visible), (seed, visible)
    svg = figure(generate("stable_step_size", 1, level))
    assert svg.startswith("<svg") and "diverges" in svg
