"""hessian_spectrum against an independent oracle: finite-difference Hessians, numpy eigenvalues."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read
from question_bank.registry import generate
from question_bank.render import markdown_to_html

SEEDS = range(200)
LEVELS = (1, 2, 3)


def numeric_hessian(f_text: str, names: list[str], point: np.ndarray, h: float = 1e-3):
    """Central second differences of f at the point (exact up to rounding for cubics)."""
    symbols = [sympy.Symbol(n, real=True) for n in names]
    f = sympy.lambdify(symbols, read(f_text, tuple(names)), "numpy")
    n = len(names)
    hessian = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            hessian[i, j] = (
                f(*(point + ei + ej)) - f(*(point + ei - ej))
                - f(*(point - ei + ej)) + f(*(point - ei - ej))
            ) / (4 * h * h)  # fmt: skip
    return hessian


def oracle(problem) -> tuple[np.ndarray, np.ndarray]:
    params = problem.params
    names = params["variables"]
    point = np.array(params.get("point", [0] * len(names)), dtype=float)
    hessian = numeric_hessian(params["f"], names, point)
    return hessian, np.linalg.eigvalsh(hessian)


def text(value: float) -> str:
    return "0" if abs(value) < 1e-7 else f"{value:.7g}"


@pytest.mark.parametrize("level", LEVELS)
def test_solution_matches_numpy_eigenvalues(level):
    for seed in SEEDS:
        problem = generate("hessian_spectrum", seed, level)
        hessian, eig = oracle(problem)
        question = problem.params["question"]
        if question == "eigenvalues":
            answer = "(" + ", ".join(text(v) for v in eig) + ")"
            expected = np.array([float(Fraction(v)) for v in problem.solution[1:-1].split(",")])
            assert np.allclose(expected, eig, atol=1e-6), (seed, expected, eig)
        else:
            value = {"sharpness": eig[-1], "smallest": eig[0]}.get(question)
            if question == "condition":
                assert eig[0] > 1e-6, (seed, "condition number of a non-PD Hessian")
                value = eig[-1] / eig[0]
            answer = text(value)
            assert abs(float(Fraction(problem.solution)) - value) < 1e-6, (seed, problem.solution)
        assert problem.check(answer).correct, (seed, level, answer, problem.solution)
        # The matrix in the params is the Hessian the learner must find.
        assert np.allclose(np.array(problem.params["A"], dtype=float), hessian, atol=1e-5)


def test_level_3_covers_singular_and_indefinite_hessians():
    smallest = []
    for seed in SEEDS:
        problem = generate("hessian_spectrum", seed, 3)
        _, eig = oracle(problem)
        smallest.append(eig[0])
        if problem.params["question"] == "condition":
            assert eig[0] > 0.5
    assert any(abs(v) < 1e-6 for v in smallest)
    assert any(v < -0.5 for v in smallest)
    assert any(v > 0.5 for v in smallest)


def test_levels_have_the_promised_shape():
    for seed in range(30):
        assert len(generate("hessian_spectrum", seed, 1).params["A"]) == 2
        assert len(generate("hessian_spectrum", seed, 2).params["A"]) == 3
        assert "point" in generate("hessian_spectrum", seed, 3).params


def find(level: int, question: str):
    return next(
        p for s in range(200)
        if (p := generate("hessian_spectrum", s, level)).params["question"] == question
    )  # fmt: skip


def test_rules_name_their_mistakes():
    p = find(1, "eigenvalues")
    eig = [Fraction(v) for v in p.solution[1:-1].split(",")]
    verdict = p.check(f"({eig[1]}, {eig[0]})")
    assert "hessian_spectrum.decreasing_order" in verdict.tags
    assert "decreasing" in verdict.feedback
    verdict = p.check(f"({eig[0] / 2}, {eig[1] / 2})")
    assert "hessian_spectrum.half_hessian" in verdict.tags
    assert "twice" in verdict.feedback

    p = find(2, "condition")
    kappa = Fraction(p.solution)
    verdict = p.check(str(1 / kappa))
    assert "hessian_spectrum.inverted_condition_number" in verdict.tags
    assert "1/\\kappa" in verdict.feedback

    p = find(2, "sharpness")
    diagonal = max(p.params["A"][i][i] for i in range(3))
    if Fraction(diagonal) != Fraction(p.solution):
        assert "hessian_spectrum.diagonal_entries" in p.check(str(diagonal)).tags
    trace = sum(p.params["A"][i][i] for i in range(3))
    assert "hessian_spectrum.trace_or_determinant" in p.check(str(trace)).tags


def test_hessian_at_the_origin_is_recognised():
    # Evaluating the Hessian at the origin (the quadratic part alone) is a named slip.
    for seed in range(100):
        p = generate("hessian_spectrum", seed, 3)
        if p.params["question"] != "eigenvalues":
            continue
        names = p.params["variables"]
        at_origin = np.rint(numeric_hessian(p.params["f"], names, np.zeros(2))).astype(int)
        exact = sorted(sympy.Matrix(at_origin.tolist()).eigenvals(), key=float)
        _, eig = oracle(p)
        if np.allclose([float(v) for v in exact], eig):
            continue
        answer = "(" + ", ".join(str(v) for v in exact) + ")"
        verdict = p.check(answer)
        assert "hessian_spectrum.hessian_at_origin" in verdict.tags, (seed, answer, verdict)
        assert "given point" in verdict.feedback
        return
    pytest.fail("no level-3 eigenvalue problem with a distinct Hessian at the origin")


@pytest.mark.parametrize("level", LEVELS)
def test_prompt_and_explanation_render(level):
    for seed in range(20):
        p = generate("hessian_spectrum", seed, level)
        for html in (p.prompt_html, markdown_to_html(p.explanation)):
            visible = re.sub(r"<[^>]+>", "", html)
            assert not re.search(r"\\[a-zA-Z]+", visible), (seed, visible)
        assert "increasing" in p.prompt or p.params["question"] != "eigenvalues"
