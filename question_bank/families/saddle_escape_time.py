"""How many gradient-descent steps it takes to leave a saddle's plateau.

Near a strict saddle with Hessian eigenvalue -gamma < 0 along the unit vector
u, gradient descent with step eta multiplies the component along u by
(1 + eta * gamma) each step. Starting at distance delta along u, the iterate
is at distance delta (1 + eta gamma)^k after k steps; the answer is the
smallest k with delta (1 + eta gamma)^k >= r.

Level 1: f = -a x^2 + b y^2 (the unstable axis given by the signs); level 2:
a quadratic in three variables, start along a given eigenvector v (the
learner finds gamma from H v = -gamma v); level 3: a double well (x^2 - s)^2
and its quadratic model at the saddle, and in half the problems r / delta is
exactly a power of (1 + eta gamma), so the inequality holds with equality.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import sympy

from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._landscapes import (
    decimal_text,
    determinant,
    number_rule,
    number_tex,
    quadratic_about,
    random_saddle_hessian,
    rational,
    tex,
)
from ._polynomials import X, Y, Z, latex

TEMPLATE = Template(
    id="saddle_escape_time",
    title="Escaping a plateau: steps to leave a saddle",
    skill="Count the gradient-descent steps needed to move away from a strict saddle",
    levels=(1, 2, 3),
    answer_kind="number",
    part=2,
    prerequisites=("saddle_escape_direction",),
    typical_seconds=240,
)
ETAS = [Fraction(n, d) for n, d in ((1, 100), (1, 50), (1, 40), (1, 20), (1, 10), (1, 8),
                                    (1, 5), (1, 4), (1, 2))]  # fmt: skip
DELTAS = [Fraction(1, 10**k) for k in (2, 3, 4, 5, 6)] + [Fraction(1, 200), Fraction(1, 5000)]
RADII = [Fraction(1), Fraction(1, 2), Fraction(1, 10), Fraction(2)]


def generate(rng: random.Random, level: int) -> Draft:
    while True:
        setup = (_level_one, _level_two, _level_three)[level - 1](rng)
        if setup is not None:
            break
    f, names, point, gamma, eta, delta, radius, delta_tex, start_text = setup
    shown = sympy.latex(f) if level == 3 else latex(f)  # level 3 keeps the double well visible
    k = escape_steps(eta, gamma, delta, radius)
    rho = 1 + eta * gamma
    ratio = math.log(radius / delta) / math.log(rho)
    model = (
        " Model gradient descent near the saddle by the quadratic Taylor model of $f$ there "
        "(the linearised dynamics)."
        if level == 3
        else ""
    )
    args = ", ".join(names)
    prompt = (
        f"The function\n\n$$f({args}) = {shown}$$\n\nhas a strict saddle at "
        f"$({', '.join(str(c) for c in point)})$. Gradient descent "
        f"$x_{{k+1}} = x_k - \\eta \\nabla f(x_k)$ with $\\eta = {number_tex(eta)}$ starts "
        f"{start_text}, at distance $\\delta = {delta_tex}$ from the saddle.{model} "
        f"How many steps does it take to reach distance $r = {decimal_text(radius)}$? Give the "
        f"smallest integer $k$ with $\\|x_k - x^*\\| \\ge r$, where $x^*$ is the saddle."
    )
    return Draft(
        prompt=prompt,
        answer_kind="number",
        solution=str(k),
        explanation=_explanation(gamma, eta, delta, radius, delta_tex, k, ratio, level),
        params={
            "f": str(f),
            "variables": list(names),
            "point": list(point),
            "eta": decimal_text(eta),
            "gamma": str(gamma),
            "delta": str(delta),
            "r": str(radius),
        },
        variables=tuple(names),
        rules=_rules(gamma, eta, delta, radius),
        answer_hint="a whole number of steps",
        precision=6,  # a count of steps: a decimal must not round onto it
    )


def escape_steps(eta: Fraction, gamma: Fraction, delta: Fraction, radius: Fraction) -> int:
    """Return the smallest k with delta (1 + eta gamma)^k >= radius, exactly.

    >>> escape_steps(Fraction(1, 4), Fraction(4), Fraction(1, 1024), Fraction(1))
    10
    """
    rho, distance, k = 1 + eta * gamma, delta, 0
    while distance < radius:
        distance, k = distance * rho, k + 1
    return k


def _level_one(rng: random.Random):
    a, b = rng.randint(1, 5), rng.randint(1, 5)
    gamma, mu = Fraction(2 * a), Fraction(2 * b)
    eta, delta, radius = rng.choice(ETAS), rng.choice(DELTAS), rng.choice(RADII)
    if not _sane(eta, gamma, delta, radius) or eta * mu >= 2:
        return None
    unstable_x = rng.random() < 0.5
    f = -a * X**2 + b * Y**2 if unstable_x else b * X**2 - a * Y**2
    start = (
        f"at $x_0 = ({decimal_text(delta)}, 0)$"
        if unstable_x
        else (f"at $x_0 = (0, {decimal_text(delta)})$")
    )
    return f, ("x", "y"), (0, 0), gamma, eta, delta, radius, decimal_text(delta), start


def _level_two(rng: random.Random):
    h, lam, v = random_saddle_hessian(rng, 3, max_entry=3)
    gamma = Fraction(-lam)
    for _ in range(20):
        eta, delta, radius = rng.choice(ETAS), rng.choice(DELTAS), rng.choice(RADII)
        if _sane(eta, gamma, delta, radius) and _stable(h, eta):
            break
    else:
        return None
    center = tuple(rng.randint(-2, 2) for _ in range(3))
    f = quadratic_about(h, center, (X, Y, Z))
    vec = ", ".join(str(x) for x in v)
    start = f"at $x_0 = x^* + \\delta\\, v / \\|v\\|$ with $v = ({vec})$"
    return f, ("x", "y", "z"), center, gamma, eta, delta, radius, decimal_text(delta), start


def _level_three(rng: random.Random):
    p, s = rng.randint(1, 3), rng.randint(1, 4)
    rotated = rng.random() < 0.4
    # p (u^2 - s)^2 has second derivative -4 p s at u = 0; along u = x + y the
    # unit direction (1, 1)/sqrt(2) sees twice that: -8 p s.
    gamma = Fraction(8 * p * s if rotated else 4 * p * s)
    q = rng.randint(1, 6)
    if rotated:
        f = p * ((X + Y) ** 2 - s) ** 2 + q * (X - Y) ** 2
        stable = Fraction(4 * q)
    else:
        f = p * (X**2 - s) ** 2 + q * Y**2
        stable = Fraction(2 * q)
    borderline = rng.random() < 0.5
    if borderline:
        # 1 + eta gamma in {2, 3/2, 5/4}, and delta = r (1 + eta gamma)^(-m) exactly.
        eta = rng.choice([Fraction(1), Fraction(1, 2), Fraction(1, 4)]) / gamma
    else:
        eta = rng.choice(ETAS)
    if not Fraction(1, 10) <= eta * gamma <= 1 or eta * stable >= 2:
        return None
    rho = 1 + eta * gamma
    radius = rng.choice(RADII + [Fraction(1, 4), Fraction(1, 5), Fraction(3, 10)])
    # Stay well inside the well (minima at distance sqrt(s), or sqrt(s/2) when
    # rotated) so the quadratic model is a fair description of the escape.
    if radius**2 > Fraction(s, 8 if rotated else 4):
        return None
    if borderline:
        m = rng.randint(5, 18)
        delta = radius / rho**m  # the borderline case: delta rho^m = r exactly
        if delta < Fraction(1, 10**8):
            return None
        delta_tex = _power_tex(radius, rho, m)
    else:
        delta = rng.choice(DELTAS)
        delta_tex = decimal_text(delta)
        if not _sane(eta, gamma, delta, radius):
            return None
    start = (
        "along the unstable direction $(1, 1)/\\sqrt{2}$"
        if rotated
        else ("at $x_0 = (\\delta, 0)$")
    )
    return f, ("x", "y"), (0, 0), gamma, eta, delta, radius, delta_tex, start


def _power_tex(radius: Fraction, rho: Fraction, m: int) -> str:
    base = f"\\left({tex(rho)}\\right)" if rho.denominator != 1 else str(rho)
    prefix = "" if radius == 1 else f"{decimal_text(radius)} \\cdot "
    return f"{prefix}{base}^{{-{m}}}"


def _sane(eta: Fraction, gamma: Fraction, delta: Fraction, radius: Fraction) -> bool:
    """Keep problems with 3 to 150 steps, far from a rounding boundary."""
    if not Fraction(1, 10) <= eta * gamma <= 1 or radius / delta < 10:
        return False
    ratio = math.log(radius / delta) / math.log(1 + eta * gamma)
    return 3 <= ratio <= 150 and 0.05 <= ratio - math.floor(ratio) <= 0.95


def _stable(h, eta: Fraction) -> bool:
    """Return whether eta * lambda_max < 2: (2/eta) I - H is positive definite (Sylvester)."""
    shifted = [[Fraction(2) / eta * (i == j) - h[i][j] for j in range(3)] for i in range(3)]
    minors = (shifted[0][0], determinant([row[:2] for row in shifted[:2]]), determinant(shifted))
    return all(m > 0 for m in minors)


def _explanation(gamma, eta, delta, radius, delta_tex, k, ratio, level) -> str:
    rho = 1 + eta * gamma
    find = {
        1: (
            "The Hessian is diagonal; the negative entry is the unstable curvature: "
            f"$-a x^2$ has second derivative $-2a$, so $\\gamma = {tex(gamma)}$."
        ),
        2: (
            f"Multiply: $Hv = -{tex(gamma)}\\,v$, so $v$ is the unstable eigenvector with "
            f"eigenvalue $-\\gamma = -{tex(gamma)}$."
        ),
        3: (
            "The quadratic model at the saddle has Hessian $\\nabla^2 f(0, 0)$; along the unstable "
            f"direction its eigenvalue is $-\\gamma = -{tex(gamma)}$ (the other one is positive)."
        ),
    }[level]
    exact = delta * rho**k == radius
    before = float(delta * rho ** (k - 1))
    after = float(delta * rho**k)
    solve = (
        f"Here $r/\\delta = ({tex(rho)})^{{{k}}}$ exactly, so $k = {k}$ satisfies the inequality "
        "with equality, and the smallest $k$ is exactly that: $\\ge$ includes the boundary."
        if exact
        else f"$\\ln(r/\\delta) / \\ln({decimal_text(rho)}) \\approx {ratio:.4f}$, and the "
        f"smallest integer at least that is $k = {k}$."
    )
    return (
        f"{find}\n\n"
        "Gradient descent on the quadratic model acts on each eigen-direction separately. Along "
        "the unstable one the component $c_k$ obeys $c_{k+1} = c_k - \\eta(-\\gamma)c_k = "
        f"(1 + \\eta\\gamma)c_k$, with $1 + \\eta\\gamma = 1 + {number_tex(eta)} \\cdot "
        f"{tex(gamma)} = {number_tex(rho)}$; the stable components start at $0$ and stay there. "
        f"So $\\|x_k - x^*\\| = \\delta(1 + \\eta\\gamma)^k$ with $\\delta = {delta_tex}$.\n\n"
        "We need the smallest $k$ with $\\delta(1 + \\eta\\gamma)^k \\ge r$, that is "
        f"$k \\ge \\ln(r/\\delta) / \\ln(1 + \\eta\\gamma)$. {solve}\n\n"
        f"Check: after ${k - 1}$ steps the distance is about "
        f"${before:.4g} < {decimal_text(radius)}$; after ${k}$ it is about ${after:.4g}$. "
        "The escape time grows only like "
        "$\\ln(1/\\delta)$, but it is long when $\\eta\\gamma$ is small: a plateau."
        + (
            " (The model is accurate while the iterate stays small compared with the distance to "
            "the minima of the double well; the real $f$ bends away from it beyond that.)"
            if level == 3
            else ""
        )
    )


FEEDBACK = {
    "saddle_escape_time.not_rounded": (
        "That is $\\ln(r/\\delta)/\\ln(1+\\eta\\gamma)$ before rounding; the number of steps is a "
        "whole number: the smallest integer $k$ at least that large."
    ),
    "saddle_escape_time.off_by_one": (
        "Off by one step. Check both neighbours: the answer $k$ is the first with "
        "$\\delta(1+\\eta\\gamma)^k \\ge r$, so after $k - 1$ steps the distance is still "
        "below $r$ (equality counts as reaching $r$)."
    ),
    "saddle_escape_time.ratio_inverted": (
        "The ratio is upside down: $\\ln(\\delta/r)$ is negative. The distance must grow by the "
        "factor $r/\\delta > 1$, so use $\\ln(r/\\delta)$."
    ),
    "saddle_escape_time.linearised_log": (
        "You used $\\eta\\gamma$ in place of $\\ln(1 + \\eta\\gamma)$. That approximation is only "
        "good when $\\eta\\gamma$ is small; here the growth per step is exactly the factor "
        "$1 + \\eta\\gamma$, so divide by $\\ln(1 + \\eta\\gamma)$."
    ),
    "saddle_escape_time.mixed_log_bases": (
        "The two logarithms are in different bases (one $\\log_{10}$, one $\\ln$). Their ratio "
        "is the same in any base, but only if both use the same one."
    ),
    "saddle_escape_time.half_curvature": (
        "The growth rate used half the curvature: for $-a x^2$ the second derivative is $-2a$, so "
        "$\\gamma$ is twice the coefficient (and $\\nabla f$ has the factor 2)."
    ),
}


def _candidates(gamma, eta, delta, radius) -> dict[str, list[float]]:
    """Return, per mistake, the answers a learner making it writes (rounded up or not)."""
    k = escape_steps(eta, gamma, delta, radius)
    log_ratio = math.log(radius / delta)
    rate = math.log(1 + eta * gamma)
    ratio = log_ratio / rate
    linear = log_ratio / float(eta * gamma)
    mixed = (math.log10(radius / delta) / rate, log_ratio / math.log10(1 + eta * gamma))
    half = log_ratio / math.log(1 + eta * gamma / 2)
    return {
        "saddle_escape_time.not_rounded": [ratio] if ratio != k else [],
        "saddle_escape_time.off_by_one": [k + 1, k - 1],
        "saddle_escape_time.ratio_inverted": [-k, math.ceil(-ratio), -ratio],
        "saddle_escape_time.linearised_log": [math.ceil(linear), linear],
        "saddle_escape_time.mixed_log_bases": [c for m in mixed for c in (math.ceil(m), m)],
        "saddle_escape_time.half_curvature": [math.ceil(half), half],
    }


def _rules(gamma, eta, delta, radius) -> tuple[MistakeRule, ...]:
    cache: dict[str, dict[str, list[float]]] = {}

    def candidates(tag: str):
        def compute() -> list[float]:
            if not cache:
                cache["all"] = _candidates(gamma, eta, delta, radius)
            return cache["all"][tag]

        return compute

    return tuple(number_rule(tag, text, candidates(tag)) for tag, text in FEEDBACK.items())


def samples(problem: Problem) -> Samples:
    p = problem.params
    gamma, eta = Fraction(p["gamma"]), Fraction(p["eta"])
    delta, radius = Fraction(p["delta"]), Fraction(p["r"])
    k = int(problem.solution)
    incorrect: list[tuple[str, str]] = []
    for tag, values in _candidates(gamma, eta, delta, radius).items():
        for value in values:
            text = str(value) if isinstance(value, int) else f"{value:.5f}"
            if _first_tag(problem, text) == tag:
                incorrect.append((text, tag))
                break
    plain = next(
        str(w) for w in (3 * k + 11, 5 * k + 7, 7 * k + 3) if _first_tag(problem, str(w)) == ""
    )
    incorrect.append((plain, ""))
    return Samples(
        correct=(problem.solution, f"{k}.0", f"{2 * k}/2", str(rational(k))),
        incorrect=tuple(incorrect),
        invalid=("", "k", "(((", f"{k} +"),
    )


def _first_tag(problem: Problem, text: str) -> str:
    verdict = problem.check(text)
    if verdict.status != "incorrect":
        return "-"
    family = {rule.tag for rule in problem.rules}
    return next((tag for tag in verdict.tags if tag in family), "")
