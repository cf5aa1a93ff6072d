"""The Newton step -H^{-1} grad f from a point, and why it heads for saddles.

Level 1: a quadratic in two variables (any non-singular Hessian, fractions);
level 2: an indefinite quadratic in three variables, so the step lands on
the saddle; level 3: a quadratic with a symbolic cross coefficient `a` whose
Hessian is indefinite for every a (det = -4 c1 c2 - a^2 < 0), the step as
a function of a. For a quadratic, one Newton step lands exactly on the
critical point, whatever its type: Newton rescales each eigen-direction by
1/lambda, sign included, so along negative curvature it climbs to the saddle.
"""

from __future__ import annotations

import functools
import random
from fractions import Fraction

import numpy as np
import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._landscapes import mat_vec, matrix_tex, quadratic_about, random_saddle_hessian, rational
from ._polynomials import X, Y, Z, distinct_mistakes, latex, read, symbol

TEMPLATE = Template(
    id="newton_step",
    title="The Newton step, and its attraction to saddles",
    skill="Compute the Newton step from a point and see where it lands",
    levels=(1, 2, 3),
    answer_kind="vector",
    part=2,
    prerequisites=("gradient", "hessian"),
    typical_seconds=240,
)
A = symbol("a")


def generate(rng: random.Random, level: int) -> Draft:
    f, variables, point, g, h = (_level_one, _level_two, _level_three)[level - 1](rng)
    names = tuple(str(v) for v in variables) + (("a",) if level == 3 else ())
    step = solve(h, -g) if level < 3 else (-h.LUsolve(g)).applyfunc(sympy.factor)
    args = ", ".join(str(v) for v in variables)
    comps = ", ".join(f"\\Delta {v}" for v in variables)
    where = ", ".join(str(c) for c in point)
    extra = {
        1: "Give exact fractions.",
        2: "Give exact numbers. Then look at where $p + \\Delta$ lands: what kind of point is it?",
        3: "Treat $a$ as a constant: your components are functions of $a$. Where does the step "
        "land, and what kind of point is it, for every value of $a$?",
    }[level]
    prompt = (
        f"For\n\n$$f({args}) = {latex(f)}$$\n\nfind the Newton step "
        f"$\\Delta = -\\left[\\nabla^2 f(p)\\right]^{{-1}} \\nabla f(p)$ from $p = ({where})$. "
        f"Answer as a vector $({comps})$. {extra}"
    )
    return Draft(
        prompt=prompt,
        answer_kind="vector",
        solution=to_text(tuple(step)),
        explanation=_explanation(point, g, h, step, level),
        params={"f": str(f), "variables": list(names), "point": list(point)},
        variables=names,
        rules=_rules(g, h),
        answer_hint="a vector such as (p, q)" if len(variables) == 2 else "a vector (p, q, r)",
    )


def solve(h, b) -> sympy.ImmutableMatrix:
    """Solve h x = b exactly for a non-singular rational matrix (Gaussian elimination).

    >>> solve(sympy.ImmutableMatrix([[2, 1], [1, -1]]), sympy.ImmutableMatrix([3, 0]))
    Matrix([
    [1],
    [1]])
    """
    n = h.shape[0]
    rows = [[Fraction(int(h[i, j])) for j in range(n)] + [_fraction(b[i])] for i in range(n)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col]:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[col], strict=True)]
    return sympy.ImmutableMatrix([rational(rows[i][n] / rows[i][i]) for i in range(n)])


def _fraction(value) -> Fraction:
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    return Fraction(value)


def _derivatives(f, variables, point):
    at = dict(zip(variables, point, strict=True))
    g = sympy.ImmutableMatrix([sympy.diff(f, v).subs(at) for v in variables])
    h = sympy.ImmutableMatrix(sympy.hessian(f, variables).subs(at))
    return g, h


def _level_one(rng: random.Random):
    while True:
        a, c = rng.choice([-3, -2, -1, 1, 2, 3]), rng.choice([-3, -2, -1, 1, 2, 3])
        b = rng.choice([-4, -3, -2, -1, 1, 2, 3, 4])
        det = 4 * a * c - b * b
        d, e = rng.randint(-6, 6), rng.randint(-6, 6)
        point = (rng.randint(-2, 2), rng.randint(-2, 2))
        g = (2 * a * point[0] + b * point[1] + d, b * point[0] + 2 * c * point[1] + e)
        if det == 0 or g == (0, 0):
            continue
        # Newton step by Cramer's rule: -H^{-1} g with H = [[2a, b], [b, 2c]].
        step = (-Fraction(2 * c * g[0] - b * g[1], det), -Fraction(2 * a * g[1] - b * g[0], det))
        if all(s.denominator <= 10 and abs(s) <= 8 for s in step):
            f = a * X**2 + b * X * Y + c * Y**2 + d * X + e * Y + rng.randint(-5, 5)
            h = sympy.ImmutableMatrix([[2 * a, b], [b, 2 * c]])
            return f, (X, Y), point, sympy.ImmutableMatrix(g), h


def _level_two(rng: random.Random):
    h, _, _ = random_saddle_hessian(rng, 3, max_entry=3)
    center = tuple(rng.randint(-2, 2) for _ in range(3))
    while True:
        point = tuple(rng.randint(-2, 2) for _ in range(3))
        if point != center:
            break
    f = quadratic_about(h, center, (X, Y, Z)) + rng.randint(-5, 5)
    # The gradient of (1/2)(x - c)^T H (x - c) is H (x - c).
    g = mat_vec(h, [p - c for p, c in zip(point, center, strict=True)])
    return f, (X, Y, Z), point, sympy.ImmutableMatrix(g), sympy.ImmutableMatrix(h)


def _level_three(rng: random.Random):
    c1, c2 = rng.randint(1, 2), rng.randint(1, 2)
    d, e = rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(-3, 3)
    point = (rng.randint(-2, 2), rng.randint(-2, 2))
    f = c1 * X**2 + A * X * Y - c2 * Y**2 + d * X + e * Y
    g, h = _derivatives(f, (X, Y), point)
    return f, (X, Y), point, g, h


def _explanation(point, g, h, step, level) -> str:
    where = ", ".join(str(c) for c in point)
    tidy = sympy.factor if level == 3 else (lambda e: e)
    land = [tidy(p + s) for p, s in zip(point, step, strict=True)]
    landing = ", ".join(sympy.latex(v) for v in land)
    solve = (
        "For a $2 \\times 2$ matrix, "
        f"$H^{{-1}} = \\frac{{1}}{{\\det H}}{matrix_tex(_adjugate(h))}$ "
        f"with $\\det H = {sympy.latex(tidy(h.det()))}$."
        if h.shape[0] == 2
        else "Solve the linear system $H\\Delta = -\\nabla f(p)$ (elimination), rather than "
        "forming $H^{-1}$."
    )
    if level == 3:
        kind = (
            f"$\\det H = {sympy.latex(h.det())} < 0$ for every $a$, so the only critical point is "
            "a saddle, and since $f$ is quadratic the step lands exactly on it: "
            "$\\nabla f(p + \\Delta) = \\nabla f(p) + H\\Delta = 0$."
        )
    else:
        kind = (
            "Since $f$ is quadratic, $\\nabla f(p + \\Delta) = \\nabla f(p) + H\\Delta = 0$: "
            + _kind_of(h)
        )
    return (
        f"At $p = ({where})$: $\\nabla f(p) = {matrix_tex(g)}$ and "
        f"$H = \\nabla^2 f(p) = {matrix_tex(h)}$.\n\n{solve}\n\n"
        f"$$\\Delta = -H^{{-1}}\\nabla f(p) = {matrix_tex(step)}$$\n\n"
        f"Check: $H\\Delta = {matrix_tex((h * step).applyfunc(tidy))}$, which is "
        f"$-\\nabla f(p)$. The step lands at $p + \\Delta = ({landing})$.\n\n{kind} "
        "Newton's method divides each eigen-component of the gradient by its eigenvalue, sign "
        "included: where the curvature is negative it moves uphill, toward the critical point, "
        "instead of away. So pure Newton is attracted to saddles; gradient descent (or a "
        "Newton step with $|H|$) escapes them."
    )


def _kind_of(h) -> str:
    eigen = np.linalg.eigvalsh(np.array(h.tolist(), dtype=float))
    kind = "saddle" if eigen[0] < 0 < eigen[-1] else "minimum" if eigen[0] > 0 else "maximum"
    return f"the step lands exactly on the critical point of $f$, a {kind}."


def _adjugate(h):
    return sympy.ImmutableMatrix([[h[1, 1], -h[0, 1]], [-h[1, 0], h[0, 0]]])


def _mistakes(g, h) -> dict[str, sympy.ImmutableMatrix]:
    """Return, per mistake tag, the step a learner making that mistake writes."""
    inverse_g = h.LUsolve(g)
    n = h.shape[0]
    adjugate = _adjugate(h) if n == 2 else h.adjugate()
    return {
        "newton_step.missing_minus": inverse_g,
        "newton_step.hessian_not_inverted": -(h * g),
        "newton_step.gradient_step": -g,
        "newton_step.diagonal_only": sympy.ImmutableMatrix([-g[i] / h[i, i] for i in range(n)])
        if _diagonal_ok(h)
        else None,
        "newton_step.no_determinant": -(sympy.ImmutableMatrix(adjugate) * g),
    }


FEEDBACK = {
    "newton_step.missing_minus": (
        "The sign is flipped: the Newton step is $-H^{-1}\\nabla f$. You computed "
        "$+H^{-1}\\nabla f$."
    ),
    "newton_step.hessian_not_inverted": (
        "You multiplied the gradient by $H$ instead of solving with it: the step is "
        "$-H^{-1}\\nabla f$, the solution of $H\\Delta = -\\nabla f$."
    ),
    "newton_step.gradient_step": (
        "That is the gradient step $-\\nabla f(p)$ (with step size 1). Newton's step rescales it "
        "by the inverse Hessian: solve $H\\Delta = -\\nabla f(p)$."
    ),
    "newton_step.diagonal_only": (
        "You divided each gradient component by the matching diagonal entry of $H$, ignoring the "
        "cross terms. The inverse of $H$ is not the inverse of its diagonal: solve the full system."
    ),
    "newton_step.no_determinant": (
        "The adjugate was used without dividing by $\\det H$: "
        "$H^{-1} = \\operatorname{adj}(H) / \\det H$."
    ),
}


def _rules(g, h) -> tuple[MistakeRule, ...]:
    mistakes = functools.cache(lambda: _mistakes(g, h))
    # With a zero on the diagonal there is nothing to divide by: no such slip.
    tags = [t for t in FEEDBACK if t != "newton_step.diagonal_only" or _diagonal_ok(h)]

    def wrong(tag: str):
        return lambda expected: mistakes()[tag]

    return tuple(MistakeRule.transform(tag, FEEDBACK[tag], wrong(tag)) for tag in tags)


def _diagonal_ok(h) -> bool:
    return all(h[i, i] != 0 for i in range(h.shape[0]))


def samples(problem: Problem) -> Samples:
    names = tuple(problem.params["variables"])
    variables = [symbol(v) for v in names if v != "a"]
    f = read(problem.params["f"], names)
    g, h = _derivatives(f, variables, problem.params["point"])
    step = read(problem.solution, names)
    entries = [sympy.together(e) for e in step]
    found = {tag: m for tag, m in _mistakes(g, h).items() if m is not None}
    mistakes = distinct_mistakes(found, sympy.ImmutableMatrix(entries))
    n = len(variables)
    correct = [problem.solution, "[" + ", ".join(str(e).replace("**", "^") for e in entries) + "]"]
    if not any(e.free_symbols for e in entries):
        correct.append("(" + ", ".join(_decimal(e) for e in entries) + ")")
    return Samples(
        correct=tuple(correct),
        incorrect=tuple((to_text(tuple(w)), tag) for tag, w in mistakes.items())
        + ((_plainly_wrong(problem, entries), ""),),
        invalid=("", "(1, 2", "Delta", "(" + ", ".join(["1"] * n) + ")x+"),
    )


def _plainly_wrong(problem: Problem, entries) -> str:
    """Return a wrong answer that no mistake rule names."""
    family = {rule.tag for rule in problem.rules}
    for shift in (7, 11, 13, 17):
        text = to_text(tuple(3 * e + shift for e in entries))
        if not family & set(problem.check(text).tags):
            return text
    raise AssertionError("every plainly wrong answer matched a rule")


def _decimal(value: sympy.Expr) -> str:
    # An exact decimal if it terminates, else the fraction itself.
    q = Fraction(int(value.p), int(value.q))
    d = q.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    return str(float(q)) if d == 1 else f"{q.numerator}/{q.denominator}"
