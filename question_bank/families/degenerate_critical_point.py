"""Decide a degenerate critical point (singular Hessian) from the higher-order terms.

Level 1: f = alpha (x - p)^2 + beta (y - q)^k (or x and y swapped), k = 3 or 4,
shown in that form. Level 2: expanded, with terms that do not matter, the zero
direction possibly tilted (u = x - p + m (y - q)), k up to 6, or three
variables where the non-zero curvatures may already disagree. Level 3:
Peano-type f = alpha u^2 + gamma u v^2 + beta v^4, where checking straight lines
is not enough.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule, RuleContext

from ._critical import bmatrix, hessian_at, inertia
from ._polynomials import X, Y, Z, latex, read, symbol

TEMPLATE = Template(
    id="degenerate_critical_point",
    title="Degenerate critical points",
    skill="Decide a critical point with a singular Hessian from the higher-order terms",
    levels=(1, 2, 3),
    answer_kind="choice",
    part=1,
    prerequisites=("classify_critical_point",),
    typical_seconds=180,
)
CHOICES = (("minimum", "minimum"), ("maximum", "maximum"), ("saddle", "neither"))
U, V, W, T = symbol("u"), symbol("v"), symbol("w"), symbol("t")


@dataclass(frozen=True)
class Local:
    """f near the point in local coordinates: the form that decides, and what is left."""

    kind: str  # "power", "three" or "peano"
    alpha: int  # coefficient of u^2
    beta: int  # coefficient of v^k
    k: int
    delta: int = 0  # coefficient of w^2 (three variables)
    gamma: int = 0  # coefficient of u v^2 (Peano)

    def principal(self) -> sympy.Expr:
        return _from_terms(self.terms())

    def terms(self) -> dict[tuple[int, int, int], int]:
        found = {(2, 0, 0): self.alpha, (0, self.k, 0): self.beta}
        found[(0, 0, 2)] = self.delta
        found[(1, 2, 0)] = self.gamma
        return {m: c for m, c in found.items() if c}

    def verdict(self) -> str:
        if self.kind == "three" and self.alpha * self.delta < 0:
            return "saddle"
        if self.kind == "peano":
            if self.gamma**2 - 4 * self.alpha * self.beta > 0:
                return "saddle"
            return "minimum" if self.alpha > 0 else "maximum"
        if self.k % 2 or self.alpha * self.beta < 0:
            return "saddle"
        return "minimum" if self.alpha > 0 else "maximum"

    def negligible(self, exponents: tuple[int, int, int]) -> bool:
        # Weighted order: u and w count 1/2, v counts 1/k; above 1 it cannot matter.
        a, b, c = exponents
        return sum(exponents) >= 3 and sympy.Rational(a + c, 2) + sympy.Rational(b, self.k) > 1


def generate(rng: random.Random, level: int) -> Draft:
    local = _local(rng, level)
    three = local.kind == "three"
    variables = (X, Y, Z) if three else (X, Y)
    point = tuple(rng.randint(-3, 3) for _ in variables)
    swap = level == 1 and rng.random() < 0.5
    tilt = 0 if level == 1 else rng.choice([0, 0, 1, -1, 2, -2])
    u, v, w = _coordinates(point, tilt, swap)
    extra = {} if level == 1 else _extra_terms(rng, local)
    constant = 0 if level == 1 else rng.randint(-4, 4)
    if level == 1:
        f = local.principal().subs({U: u, V: v}, simultaneous=True)
        matrix = hessian_at(sympy.expand(f), variables, point)
    else:
        poly = _compose({**local.terms(), **extra}, (u, v, w), variables) + constant
        f = poly.as_expr()
        matrix = hessian_at(poly, variables, point)
    answer = local.verdict()
    where = "(" + ", ".join(str(c) for c in point) + ")"
    args = ", ".join(str(s) for s in variables)
    shown = sympy.latex(f) if level == 1 else latex(f)  # level 1 keeps the shifted form
    prompt = (
        f"The point ${where}$ is a critical point of\n\n$$f({args}) = {shown}$$\n\n"
        "and the Hessian there is singular (it has a zero eigenvalue), so the second-derivative "
        "test is inconclusive. Decide from the higher-order terms: does f have a local minimum, "
        "a local maximum, or neither at this point? Answer `minimum`, `maximum` or `neither` "
        "(neither means a saddle-like point: arbitrarily close to it, f takes values both "
        "above and below its value there)."
    )
    return Draft(
        prompt=prompt,
        answer_kind="choice",
        solution=answer,
        explanation=_explanation(local, extra, (u, v, w), matrix, constant, three),
        params={
            "f": str(f),
            "variables": [str(s) for s in variables],
            "point": list(point),
            "A": [[str(e) for e in row] for row in matrix.tolist()],
        },
        variables=tuple(str(s) for s in variables),
        choices=CHOICES,
        rules=_rules(local, matrix),
        answer_hint="one of: minimum, maximum, neither",
    )


def _local(rng: random.Random, level: int) -> Local:
    # Pick the verdict first, so that each answer is equally likely.
    target = rng.choice(["minimum", "maximum", "saddle"])
    while True:
        local = _candidate(rng, level)
        if local.verdict() == target:
            return local


def _candidate(rng: random.Random, level: int) -> Local:
    sign = [-3, -2, -1, 1, 2, 3]
    if level == 1:
        wide = [-4, *sign, 4]
        return Local("power", rng.choice(wide), rng.choice(wide), rng.choice([3, 4, 4]))
    if level == 2:
        if rng.random() < 0.3:
            return Local(
                "three", rng.choice(sign), rng.choice(sign), rng.choice([3, 4, 4, 6]),
                delta=rng.choice(sign),
            )  # fmt: skip
        return Local("power", rng.choice(sign), rng.choice(sign), rng.choice([3, 4, 4, 5, 6]))
    if rng.random() < 0.2:
        return Local("power", rng.choice(sign), rng.choice(sign), rng.choice([3, 4, 5, 6]))
    # Peano-type; mostly with alpha and beta of one sign, where straight lines mislead.
    alpha = rng.choice(sign)
    beta = rng.choice([1, 2, 3]) * (1 if alpha > 0 else -1) * (-1 if rng.random() < 0.25 else 1)
    gamma = rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])
    if gamma**2 == 4 * alpha * beta:  # a perfect square: the leading form degenerates
        gamma += 1
    return Local("peano", alpha, beta, 4, gamma=gamma)


def _coordinates(point, tilt: int, swap: bool):
    dx = X - point[0]
    dy = Y - point[1]
    w = Z - point[2] if len(point) == 3 else sympy.Integer(0)
    if swap:
        return dy, dx, w
    return dx + tilt * dy, dy, w


def _compose(terms: dict, coords, variables) -> sympy.Poly:
    """Substitute u, v, w into local terms {(a, b, c): coefficient}, as polynomials (fast).

    >>> _compose({(2, 0, 0): 1, (0, 3, 0): 1}, (X - 1, Y, sympy.Integer(0)), (X, Y)).as_expr()
    x**2 - 2*x + y**3 + 1
    """
    u, v, w = (sympy.Poly(c, *variables) for c in coords)
    total = sympy.Poly(0, *variables)
    for (a, b, c), coefficient in terms.items():
        total += u**a * v**b * w**c * coefficient
    return total


def _from_terms(terms: dict) -> sympy.Expr:
    return sympy.Add(*(c * U**a * V**b * W**e for (a, b, e), c in terms.items()))


def _extra_terms(rng: random.Random, local: Local) -> dict[tuple[int, int, int], int]:
    # Terms of higher weighted order: they change f but not the verdict.
    candidates = [
        (a, b, c)
        for a in range(4)
        for b in range(local.k + 2)
        for c in range(3 if local.kind == "three" else 1)
        if local.negligible((a, b, c)) and a + b + c <= 4
    ]
    chosen = rng.sample(candidates, rng.randint(1, 2))
    return {m: rng.choice([-2, -1, 1, 2]) for m in chosen}


# -- explanation --------------------------------------------------------------


def _explanation(local: Local, extra: dict, coords, matrix, constant, three) -> str:
    u, v, w = coords
    names = f"$u = {latex(u)}$, $v = {latex(v)}$" + (f", $w = {latex(w)}$" if three else "")
    shown = latex(local.principal() + constant)
    shown += f" + \\left({latex(_from_terms(extra))}\\right)" if extra else ""
    text = (
        f"At the point the Hessian is $H = {bmatrix(matrix)}$, with $\\det H = 0$: one "
        "eigenvalue is zero, so the second-order terms cannot decide.\n\n"
        f"In the local coordinates {names} (zero at the point), "
        f"$$f = {shown}.$$\n\n"
        "The zero-curvature direction is the one where only $v$ changes."
    )
    if extra:
        text += (
            " The terms in brackets cannot change the verdict: counting $u$"
            + (" and $w$" if three else "")
            + f" as order $1/2$ and $v$ as order $1/{local.k}$, each has total order above $1$,"
            " so near the point they are small compared with the leading terms."
        )
    return text + "\n\n" + _reasoning(local)


def _reasoning(local: Local) -> str:
    a, b, k = local.alpha, local.beta, local.k
    verdict = local.verdict()
    word = {"minimum": "**local minimum**", "maximum": "**local maximum**"}.get(
        verdict, "**neither** (not a local extremum)"
    )
    au2, bvk = latex(a * U**2), latex(b * V**k)
    if local.kind == "three" and a * local.delta < 0:
        return (
            f"The leading terms ${au2}$ and ${latex(local.delta * W**2)}$ already have opposite "
            "signs: moving along $u$ and along $w$ changes f in opposite directions, whatever "
            f"happens along $v$. So the point is {word}."
        )
    if local.kind == "peano":
        g = local.gamma
        disc = g**2 - 4 * a * b
        quadratic = latex(a * T**2 + g * T + b)
        text = (
            f"Along every straight line through the point, f has the sign of ${a}$ (lines with "
            f"$u \\neq 0$) or of ${b}$ (the line $u = 0$), but lines are not enough here. "
            f"On the parabolas $u = t v^2$ the three leading terms are all multiples of $v^4$: "
            f"$f - f(\\text{{point}}) = ({quadratic})\\, v^4 + \\dots$, and this quadratic in "
            f"$t$ has discriminant $({g})^2 - 4 \\cdot ({a}) \\cdot ({b}) = {disc}$."
        )
        if disc < 0:
            return text + (
                " It is negative: the quadratic never vanishes, and in fact the leading terms "
                f"${latex(local.principal())}$ keep the sign of ${a}$ everywhere except at the "
                f"point, which the smaller terms cannot overturn. A {word}."
            )
        return text + (
            " It is positive: the quadratic has two real roots and takes both signs (the sign "
            f"of ${a}$ for large $|t|$, the opposite sign between the roots). So f takes values "
            f"above and below its value arbitrarily close to the point: {word}."
        )
    if k % 2:
        return (
            f"Along the zero direction ($u = 0$) f changes like ${bvk}$, an odd power, "
            "which is positive on one side and negative on the other. So the point is "
            f"{word}, whatever the other direction does."
        )
    if a * b < 0:
        return (
            f"Along $v = 0$ f changes like ${au2}$ and along $u = 0$ like ${bvk}$: "
            f"opposite signs, so the point is {word}."
        )
    return (
        f"The leading terms ${au2}$ and ${bvk}$"
        + (f" (and ${latex(local.delta * W**2)}$)" if local.kind == "three" else "")
        + " have the same sign and vanish together only at the point, so near it f stays on "
        f"one side of its value there: a {word}."
    )


# -- mistakes -------------------------------------------------------------------

FEEDBACK = {
    "degenerate_critical_point.lines_only": (
        "f has a minimum (or maximum) along every straight line through the point, but that "
        "does not make the point one: along the parabolas $u = t v^2$ the terms "
        "$u^2$, $u v^2$ and $v^4$ are all of the same size and can combine to the other sign."
    ),
    "degenerate_critical_point.kernel_direction_only": (
        "Only the zero-curvature direction was checked. Here the non-zero curvatures already "
        "disagree (one direction curves up, another down), so the point is neither a minimum "
        "nor a maximum whatever happens along the zero direction."
    ),
    "degenerate_critical_point.semidefinite_means_extremum": (
        "A semidefinite Hessian (here with a zero eigenvalue) does not make an extremum: along "
        "the zero-curvature direction the higher-order terms decide, and here they take both "
        "signs (an odd power, or a term of the other sign)."
    ),
    "degenerate_critical_point.zero_eigenvalue_called_saddle": (
        "A zero eigenvalue does not make a saddle. Here the higher-order term along the "
        "zero direction has the same sign as the curvature in the other directions, so f stays "
        "on one side of its value near the point."
    ),
    "degenerate_critical_point.said_inconclusive": (
        "The second-derivative test is indeed inconclusive, but the question asks for the "
        "verdict of the higher-order terms: look at the lowest power of the zero-curvature "
        "direction (and how it combines with the others)."
    ),
}


KERNEL_SLIP = "degenerate_critical_point.kernel_direction_only"
KERNEL_AGAINST_CURVATURE = (  # its text where the curvatures agree and the zero direction does not
    "Only the zero-curvature direction was checked: along it f goes {} (the $v^{k}$ term). "
    "But both directions with non-zero curvature curve {}, so f goes up in some directions "
    "and down in others: neither a minimum nor a maximum."
)


def _wrong_labels(local: Local, matrix) -> dict[str, str]:
    """Return, per mistake tag, the label a learner making that mistake gives here."""
    a, b = local.alpha, local.beta
    positive, negative, _ = inertia(matrix)
    same_sign = "minimum" if a > 0 else "maximum"
    even = local.k % 2 == 0
    found = {
        "degenerate_critical_point.lines_only": (
            same_sign if local.kind == "peano" and a * b > 0 else None
        ),
        "degenerate_critical_point.kernel_direction_only": (
            ("minimum" if b > 0 else "maximum") if local.kind == "three" and even else None
        ),
        "degenerate_critical_point.semidefinite_means_extremum": (
            None if positive and negative else "minimum" if positive else "maximum"
        ),
        "degenerate_critical_point.zero_eigenvalue_called_saddle": "saddle",
        "degenerate_critical_point.said_inconclusive": "inconclusive",
    }
    answer = local.verdict()
    kept: dict[str, str] = {}
    for tag, label in found.items():
        if label and label != answer and label not in kept.values():
            kept[tag] = label
    return kept


def _rules(local: Local, matrix) -> tuple[MistakeRule, ...]:
    # Only the slips that give a wrong label of their own on this problem are declared.
    feedback = dict(FEEDBACK)
    if local.alpha * local.delta > 0:  # the non-zero curvatures agree; the kernel term does not
        ways = ("up", "down") if local.beta > 0 else ("down", "up")
        feedback[KERNEL_SLIP] = KERNEL_AGAINST_CURVATURE.format(*ways, k=local.k)
    return tuple(
        MistakeRule(tag, feedback[tag], _chose(label), kinds=("choice",))
        for tag, label in _wrong_labels(local, matrix).items()
    )


def _chose(label: str):
    def matches(context: RuleContext) -> bool:
        return str(context.answer) == label and str(context.expected) != label

    return matches


def samples(problem: Problem) -> Samples:
    rules = {rule.tag: rule for rule in problem.rules}
    wrong = {
        tag: next(x for x in ("minimum", "maximum", "saddle", "inconclusive") if _fires(r, x))
        for tag, r in rules.items()
    }
    answer = problem.solution
    synonyms = {
        "minimum": ("local minimum", "Min"),
        "maximum": ("local max", "MAXIMUM"),
        "saddle": ("neither", "saddle point"),
    }
    plain = next(
        (x for x in ("minimum", "maximum", "saddle") if x != answer and x not in wrong.values()),
        None,
    )
    return Samples(
        correct=(answer, *synonyms[answer]),
        incorrect=tuple((label, tag) for tag, label in wrong.items())
        + (((plain, ""),) if plain else ()),
        invalid=("", "both", "min/max?"),
    )


def _fires(rule: MistakeRule, label: str) -> bool:
    return rule.matches(RuleContext("", label, "choice", ()))


def figure(problem: Problem) -> str:
    from question_bank.figures.contour import Mark, contour_svg

    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    point = [int(c) for c in problem.params["point"]]
    variables = tuple(symbol(n) for n in names)
    title = "Contours of f near the point"
    if len(variables) == 3:
        f = f.subs(variables[2], point[2])
        title += f" (slice z = {point[2]})"
    label = "(" + ", ".join(str(c) for c in point) + ")"
    return contour_svg(
        f, variables[:2], [Mark(point[0], point[1], "inconclusive", label)], title=title,
        half_width=0.8,
    )  # fmt: skip
