"""edge_of_stability against an oracle that runs gradient descent and watches the top component."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from question_bank.registry import figure, generate
from question_bank.render import markdown_to_html
from tests.question_bank.families.oracles import quadratic

SEEDS = range(200)


def observe(components: list[float]) -> str:
    """Name the behaviour of a sequence of top-eigenvector components (first one = start)."""
    size = np.abs(components)
    if size[1] < 1e-9 * size[0]:
        return "one step"
    flips = all(p * q < 0 for p, q in zip(components, components[1:], strict=False))
    if np.allclose(size, size[0], rtol=1e-6):
        return "constant amplitude"
    if size[-1] > size[0]:
        return "diverging"
    return "oscillating" if flips else "monotone"


def top_components(a, b, eta, start, steps=8):
    """Run full gradient descent and project the error on the top eigenvector.

    Few steps: the slowest decay (factor 0.1) stays well above the rounding floor.
    """
    _, vectors = np.linalg.eigh(a)
    top = vectors[:, -1]
    minimiser = np.linalg.solve(a, b)
    x = start.copy()
    out = [float(top @ (x - minimiser))]
    for _ in range(steps):
        x = x - eta * (a @ x - b)
        out.append(float(top @ (x - minimiser)))
    return out


def test_level_1_classification_matches_a_run(rng):
    for seed in SEEDS:
        problem = generate("edge_of_stability", seed, 1)
        lam, eta = float(problem.params["lambda_max"]), float(problem.params["eta"])
        v = [rng.uniform(0.5, 2.0)]
        for _ in range(40):  # GD on the top direction alone: f(v) = lam v^2 / 2
            v.append(v[-1] - eta * lam * v[-1])
        assert problem.solution == observe(v), (seed, lam, eta)
        assert problem.check(observe(v)).correct


def test_level_3_classification_matches_a_run(rng):
    labels = set()
    for seed in SEEDS:
        problem = generate("edge_of_stability", seed, 3)
        a, b = quadratic(problem)
        eta = float(Fraction(problem.params["eta"]))
        start = np.array([rng.uniform(-3, 3) for _ in range(len(b))])
        behaviour = observe(top_components(a, b, eta, start))
        assert problem.solution == behaviour, (seed, behaviour)
        labels.add(behaviour)
    # Both borderline cases, exactly on eta * lambda_max = 1 and = 2, occur.
    assert labels == {"monotone", "oscillating", "one step", "constant amplitude", "diverging"}


def test_level_2_numbers_match_the_measured_factor(rng):
    for seed in SEEDS:
        problem = generate("edge_of_stability", seed, 2)
        a, b = quadratic(problem)
        eta = float(Fraction(problem.params["eta"]))
        start = np.array([rng.uniform(-3, 3) for _ in range(len(b))])
        components = top_components(a, b, eta, start, steps=1)
        factor = components[1] / components[0]
        product = eta * np.linalg.eigvalsh(a)[-1]
        assert factor == pytest.approx(1 - product, abs=1e-9)
        value = float(Fraction(problem.solution))
        expected = product if problem.params["question"] == "product" else factor
        assert value == pytest.approx(expected, abs=1e-9), seed
        assert problem.check(f"{expected:.6g}").correct


def test_rules_name_their_mistakes():
    problem = next(
        p for s in range(100)
        if (p := generate("edge_of_stability", s, 2)).params["question"] == "factor"
        and Fraction(p.solution) != 0
    )  # fmt: skip
    factor = Fraction(problem.solution)
    verdict = problem.check(str(-factor))
    assert "edge_of_stability.factor_sign" in verdict.tags
    verdict = problem.check(str(1 - factor))
    assert "edge_of_stability.factor_vs_product" in verdict.tags
    a, _ = quadratic(problem)
    eta = Fraction(problem.params["eta"])
    low = round(np.linalg.eigvalsh(a)[0])
    assert "edge_of_stability.used_lambda_min" in problem.check(str(1 - eta * low)).tags


def test_choice_answers_accept_label_or_text():
    problem = generate("edge_of_stability", 0, 1)
    labels = dict(problem.choices)
    assert problem.check(labels[problem.solution]).correct
    wrong = next(label for label in labels if label != problem.solution)
    verdict = problem.check(wrong)
    assert verdict.status == "incorrect" and f"choice.{wrong}" in verdict.tags


@pytest.mark.parametrize("level", (1, 2, 3))
def test_text_renders_and_figure_draws(level):
    for seed in range(10):
        problem = generate("edge_of_stability", seed, level)
        for html in (problem.prompt_html, markdown_to_html(problem.explanation)):
            visible = re.sub(r"<[^>]+>", "", html)
            assert not re.search(r"\\[a-zA-Z]+", visible), (seed, visible)
    assert figure(generate("edge_of_stability", 4, level)).startswith("<svg")
