"""The critical_points family against a numeric search, its rules, and the contour figure.

The oracle never solves the system the way the generator builds it: it checks
each claimed point with finite differences, and runs Newton's method on the
gradient from a grid of starting points to find every real critical point in
a box around them, then compares the two sets.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import sympy

from question_bank.families._polynomials import read, symbol
from question_bank.registry import figure, generate, samples
from question_bank.render import markdown_to_html

LEVELS = (1, 2, 3)
SEEDS = range(200)
A_VALUE = 1.7  # level 3: the parameter a > 0, fixed to a generic value


def _setup(problem):
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    if "a" in names:
        f = f.subs(symbol("a"), sympy.Rational(17, 10))
    variables = [symbol(v) for v in names if v != "a"]
    value = sympy.lambdify(variables, f, "numpy")
    gradient = [sympy.diff(f, v) for v in variables]
    hess = [[sympy.diff(g, v) for v in variables] for g in gradient]
    grad_fn = sympy.lambdify(variables, gradient, "numpy")
    hess_fn = sympy.lambdify(variables, hess, "numpy")
    claimed = [
        [float(read(c, names).subs(symbol("a"), A_VALUE)) for c in p]
        for p in problem.params["points"]
    ]
    return value, grad_fn, hess_fn, np.array(claimed), len(variables)


def _fd_gradient(f, point: np.ndarray, step: float = 1e-5) -> np.ndarray:
    n = len(point)
    return np.array(
        [(f(*(point + step * e)) - f(*(point - step * e))) / (2 * step) for e in np.eye(n)]
    )


def _newton_search(grad_fn, hess_fn, box_low, box_high, n: int, per_axis: int) -> np.ndarray:
    axes = [np.linspace(lo, hi, per_axis) for lo, hi in zip(box_low, box_high, strict=True)]
    starts = np.array(list(itertools.product(*axes)))
    z = starts.copy()
    with np.errstate(all="ignore"):
        for _ in range(80):
            g = np.stack([np.broadcast_to(c, len(z)) for c in grad_fn(*z.T)], axis=-1)
            h = np.empty((len(z), n, n))
            rows = hess_fn(*z.T)
            for i in range(n):
                for j in range(n):
                    h[:, i, j] = np.broadcast_to(rows[i][j], len(z))
            ok = np.isfinite(h).all(axis=(1, 2)) & np.isfinite(g).all(axis=1)
            ok[ok] = np.abs(np.linalg.det(h[ok])) > 1e-200  # exactly singular: drop the start
            step = np.zeros_like(z)
            step[ok] = np.linalg.solve(h[ok], g[ok][..., None])[..., 0]
            z = np.where(ok[:, None], z - step, np.nan)
            z[np.abs(z) > 1e6] = np.nan
            if not np.abs(step[ok]).max(initial=0) > 1e-13:
                break
        g = np.stack([np.broadcast_to(c, len(z)) for c in grad_fn(*z.T)], axis=-1)
    good = np.isfinite(z).all(axis=1) & (np.abs(g).max(axis=1, initial=0) < 1e-7)
    inside = good & (z >= box_low - 1e-9).all(axis=1) & (z <= box_high + 1e-9).all(axis=1)
    return z[inside]


@pytest.mark.parametrize("level", LEVELS)
def test_claimed_points_are_exactly_the_critical_points(level):
    for seed in SEEDS:
        problem = generate("critical_points", seed, level)
        value, grad_fn, hess_fn, claimed, n = _setup(problem)
        for point in claimed:  # every claimed point is critical (finite differences)
            assert np.abs(_fd_gradient(value, point)).max() < 1e-4, (seed, level, point)
        low, high = claimed.min(axis=0) - 2.5, claimed.max(axis=0) + 2.5
        found = _newton_search(grad_fn, hess_fn, low, high, n, 21 if n == 2 else 9)
        for z in found:  # and there is no other critical point in the box
            distance = np.abs(claimed - z).max(axis=1).min()
            assert distance < 1e-3, (seed, level, z, problem.solution)
        for point in claimed:  # Newton reaches each of them from somewhere
            assert np.abs(found - point).max(axis=1).min() < 1e-3, (seed, level, point)
        assert problem.check(problem.solution).correct


@pytest.mark.parametrize("level", LEVELS)
def test_prompt_and_explanation_render(level):
    for seed in range(20):
        problem = generate("critical_points", seed, level)
        for text in (problem.prompt, problem.explanation):
            html = markdown_to_html(text)
            assert not re.search(r"\\[a-zA-Z]+", re.sub(r"<[^>]+>", "", html)), text


CASES = [
    # (wrong answer for f = x y (3 - x - y) in x, y order, tag)
    ("{(0, 0)}", "critical_points.only_origin"),
    ("{(1, 1)}", "critical_points.lost_zero_factor"),
    ("{(0, 0), (-3, 0), (0, -3), (-1, -1)}", "critical_points.sign_error"),
    ("{(0, 0), (0, 3), (3, 0), (1, 1), (0, 1), (1, 0), (3, 3), (1, 3), (3, 1)}",
     "critical_points.cartesian_product"),
    ("{(0, 0), (0, 3), (3, 0)}", "critical_points.missing_point"),
]  # fmt: skip


@pytest.mark.parametrize("answer, tag", CASES)
def test_rules_on_the_classic_triangle(answer, tag):
    from question_bank.families import critical_points
    from question_bank.grader import check_answer

    points = tuple(tuple(sympy.Integer(c) for c in p) for p in [(0, 0), (0, 3), (1, 1), (3, 0)])
    rules = critical_points._rules(points)
    verdict = check_answer("{(0, 0), (0, 3), (1, 1), (3, 0)}", answer, "points", rules=rules)
    assert verdict.status == "incorrect"
    assert tag in verdict.tags, verdict
    assert critical_points.FEEDBACK[tag] in verdict.feedback


def test_no_points_answer_is_wrong_not_invalid():
    problem = generate("critical_points", 1, 1)
    assert problem.check("none").status == "incorrect"


@pytest.mark.parametrize("level", LEVELS)
def test_correct_samples_get_no_family_tag(level):
    for seed in range(30):
        problem = generate("critical_points", seed, level)
        for answer in samples(problem).correct:
            verdict = problem.check(answer)
            assert verdict.correct and not verdict.tags, (seed, answer, verdict)


@pytest.mark.parametrize("seed, level", [(0, 1), (3, 2), (4, 2), (7, 3)])
def test_contour_figure_is_self_contained_svg(seed, level):
    svg = figure(generate("critical_points", seed, level))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>)]+", svg)
    declared = re.findall(r'xmlns(?::\w+)?="([^"]+)"', svg)
    assert set(urls) <= set(declared), urls
    assert 'href="http' not in svg and "url(http" not in svg
    assert "<image" not in svg and "@import" not in svg
