"""optimal_step_size against an oracle: numpy eigenvalues, a dense search over steps,
and the contraction factor measured by running gradient descent."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from question_bank.registry import figure, generate
from question_bank.render import markdown_to_html
from tests.question_bank.families.oracles import quadratic

SEEDS = range(200)


def measured_rate(a, b, eta, start, steps=300):
    """Run GD and return the per-step shrink factor of the error over its last steps.

    The error e_k = x_k - x* of GD on f evolves exactly as GD on 1/2 e^T A e (b only
    moves the minimiser); running that form keeps the error clear of the rounding floor
    |x*| * 1e-16 that x_k - x* would hit.
    """
    error = start - np.linalg.solve(a, b)
    norms = [np.linalg.norm(error)]
    for _ in range(steps):
        error = error - eta * (a @ error)
        norms.append(np.linalg.norm(error))
        if not 1e-140 < norms[-1] < 1e140:  # squares in the norm must not underflow
            break
    return (norms[-1] / norms[-11]) ** 0.1


def worst_factor(eigenvalues, etas):
    return np.max(np.abs(1 - np.outer(etas, eigenvalues)), axis=1)


@pytest.mark.parametrize("level", (1, 2))
def test_optimal_step_and_rate(level, rng):
    for seed in SEEDS:
        problem = generate("optimal_step_size", seed, level)
        a, b = quadratic(problem)
        eigenvalues = np.linalg.eigvalsh(a)
        # Dense search over all stable steps for the smallest worst-case factor.
        etas = np.linspace(1e-6, 2 / eigenvalues[-1], 40001)
        factors = worst_factor(eigenvalues, etas)
        best = etas[np.argmin(factors)]
        value = float(Fraction(problem.solution))
        if problem.params["question"] == "step":
            assert value == pytest.approx(best, rel=1e-3), seed
            assert problem.check(f"{best:.6g}").correct
        else:
            assert value == pytest.approx(factors.min(), abs=1e-4), seed
            start = np.array([rng.uniform(-3, 3) for _ in range(len(b))])
            assert measured_rate(a, b, best, start) == pytest.approx(value, abs=2e-3), seed


def test_rate_at_a_given_step_is_the_measured_contraction(rng):
    seen_unstable = False
    for seed in SEEDS:
        problem = generate("optimal_step_size", seed, 3)
        a, b = quadratic(problem)
        eta = float(Fraction(problem.params["eta"]))
        value = float(Fraction(problem.solution))
        start = np.array([rng.uniform(-3, 3) for _ in range(len(b))])
        assert measured_rate(a, b, eta, start) == pytest.approx(value, abs=2e-3), seed
        # Operator norm of the iteration matrix, straight from numpy.
        norm = np.linalg.norm(np.eye(len(b)) - eta * a, 2)
        assert norm == pytest.approx(value, abs=1e-9)
        assert problem.check(f"{norm:.6g}").correct
        seen_unstable |= value >= 1
    assert seen_unstable  # steps at or beyond 2 / lambda_max occur at level 3


def test_rules_name_their_mistakes():
    problem = next(
        p for s in range(100)
        if (p := generate("optimal_step_size", s, 1)).params["question"] == "step"
    )  # fmt: skip
    a, _ = quadratic(problem)
    low, high = (round(v) for v in np.linalg.eigvalsh(a))
    assert "optimal_step_size.one_over_lambda_max" in problem.check(f"1/{high}").tags
    assert "optimal_step_size.stability_limit" in problem.check(f"2/{high}").tags
    verdict = problem.check(f"1/({low} + {high})")
    assert "optimal_step_size.missing_factor_two" in verdict.tags

    problem = next(
        p for s in range(100)
        if (p := generate("optimal_step_size", s, 2)).params["question"] == "rate"
    )  # fmt: skip
    low, high = (round(v) for v in np.linalg.eigvalsh(quadratic(problem)[0])[[0, -1]])
    kappa = Fraction(high, low)
    assert "optimal_step_size.one_minus_inverse_kappa" in problem.check(str(1 - 1 / kappa)).tags
    assert "optimal_step_size.inverted_rate" in problem.check(str((kappa + 1) / (kappa - 1))).tags
    momentum = f"(sqrt({kappa}) - 1)/(sqrt({kappa}) + 1)"
    assert "optimal_step_size.momentum_rate" in problem.check(momentum).tags


def test_a_decimal_rate_names_the_mistake_it_rounds():
    # Seed 0 at level 1 asks for the optimal rate 3/10 with kappa = 13/7: 1 - 1/kappa = 6/13.
    problem = generate("optimal_step_size", 0, 1)
    assert problem.params["question"] == "rate" and problem.solution == "3/10"
    for answer in ("6/13", "0.4615", "0.462"):
        assert problem.check(answer).tags == ("optimal_step_size.one_minus_inverse_kappa",)


@pytest.mark.parametrize("level", (1, 2))
def test_the_momentum_rate_is_named_from_a_decimal(level):
    # (sqrt(kappa) - 1)/(sqrt(kappa) + 1) is irrational: a learner can only type a decimal.
    seen = 0
    for seed in range(60):
        problem = generate("optimal_step_size", seed, level)
        if problem.params["question"] != "rate":
            continue
        eigenvalues = np.linalg.eigvalsh(quadratic(problem)[0])
        root = np.sqrt(eigenvalues[-1] / eigenvalues[0])
        for digits in (3, 4, 6):
            verdict = problem.check(f"{(root - 1) / (root + 1):.{digits}g}")
            assert verdict.tags == ("optimal_step_size.momentum_rate",), (seed, verdict)
        seen += 1
    assert seen >= 10


@pytest.mark.parametrize("level", (1, 2, 3))
def test_text_renders_and_figure_draws(level):
    for seed in range(10):
        problem = generate("optimal_step_size", seed, level)
        for html in (problem.prompt_html, markdown_to_html(problem.explanation)):
            visible = re.sub(r"<[^>]+>", "", html)
            assert not re.search(r"\\[a-zA-Z]+", visible), (seed, visible)
    assert figure(generate("optimal_step_size", 2, level)).startswith("<svg")
