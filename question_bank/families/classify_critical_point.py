"""Classify a critical point with the second-derivative test.

Level 1: a quadratic in two variables around an integer point (minimum,
maximum or saddle). Level 2: a critical point of a cubic with several
critical points, or a three-variable quadratic plus cubic terms (leading
principal minors). Level 3: borderline and degenerate Hessians: det H = 0
(the test is inconclusive), f_xx = 0 at a saddle, singular 3x3 Hessians
that are still saddles.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import sympy

from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule, RuleContext

from ._critical import bmatrix, coupled, hessian_at, inertia, second_derivative_test, separable
from ._polynomials import X, Y, Z, latex

TEMPLATE = Template(
    id="classify_critical_point",
    title="Classify a critical point",
    skill="Classify a critical point as a minimum, maximum or saddle with the Hessian",
    levels=(1, 2, 3),
    answer_kind="choice",
    part=1,
    prerequisites=("hessian", "critical_points"),
    typical_seconds=150,
)
CHOICES = (
    ("minimum", "local minimum"),
    ("maximum", "local maximum"),
    ("saddle", "saddle point"),
    ("inconclusive", "the test is inconclusive"),
)
LABELS = ("minimum", "maximum", "saddle", "inconclusive")


def generate(rng: random.Random, level: int) -> Draft:
    if level == 1:
        f, variables, point = _shifted_quadratic(rng, 2, rng.choice(LABELS[:3]))
    elif level == 2:
        if rng.random() < 0.5:
            f, variables, point = _from_landscape(rng)
        else:
            f, variables, point = _shifted_quadratic(rng, 3, rng.choice(LABELS[:3]))
    else:
        f, variables, point = _borderline(rng)
    matrix = hessian_at(f, variables, point)
    answer = second_derivative_test(matrix)
    where = "(" + ", ".join(sympy.latex(c) for c in point) + ")"
    args = ", ".join(str(v) for v in variables)
    prompt = (
        f"The point ${where}$ is a critical point of\n\n$$f({args}) = {latex(f)}$$\n\n"
        "Classify it with the second-derivative test (the Hessian at the point). Answer "
        "`minimum`, `maximum`, `saddle`, or `inconclusive` if the test cannot decide."
    )
    return Draft(
        prompt=prompt,
        answer_kind="choice",
        solution=answer,
        explanation=_explanation(variables, point, matrix, answer),
        params={
            "f": str(f),
            "variables": [str(v) for v in variables],
            "point": [str(c) for c in point],
            "A": [[str(e) for e in row] for row in matrix.tolist()],
        },
        variables=tuple(str(v) for v in variables),
        choices=CHOICES,
        rules=_rules(matrix, answer),
        answer_hint="one of: minimum, maximum, saddle, inconclusive",
    )


# -- problems ---------------------------------------------------------------


def _shifted_quadratic(rng: random.Random, n: int, target: str):
    """Return f = sum of H_ij/2 u_i u_j + cubic terms in u = x - p, with the target class."""
    variables = (X, Y, Z)[:n]
    while True:
        h = _symmetric_even(rng, n)
        if second_derivative_test(h) == target:
            break
    point = tuple(rng.randint(-3, 3) for _ in range(n))
    return _around(rng, h, variables, point, cubic=n == 3 or rng.random() < 0.3), variables, point


def _symmetric_even(rng: random.Random, n: int) -> sympy.Matrix:
    # Even diagonal, any off-diagonal: the Hessian of a polynomial with integer coefficients.
    h = sympy.zeros(n, n)
    for i in range(n):
        h[i, i] = 2 * rng.choice([-3, -2, -1, 1, 2, 3])
        for j in range(i + 1, n):
            h[i, j] = h[j, i] = rng.randint(-4, 4)
    return h


def _around(rng, h, variables, point, *, cubic: bool) -> sympy.Expr:
    # f = 1/2 u^T H u (+ cubic terms, which do not change the Hessian at u = 0),
    # multiplied out as polynomials (fast).
    u = [sympy.Poly(v - p, *variables) for v, p in zip(variables, point, strict=True)]
    n = len(u)
    f = sympy.Poly(rng.randint(-5, 5), *variables)
    for i in range(n):
        f += u[i] ** 2 * int(h[i, i] // 2)
        for j in range(i + 1, n):
            f += u[i] * u[j] * int(h[i, j])
    if cubic:
        for _ in range(rng.randint(1, 2)):
            i, j, k = (rng.randrange(n) for _ in range(3))
            f += u[i] * u[j] * u[k] * rng.choice([-2, -1, 1, 2])
    return f.as_expr()


def _from_landscape(rng: random.Random):
    while True:
        land = coupled(rng) if rng.random() < 0.6 else separable(rng, (X, Y))
        candidates = [
            p for p in land.points if inertia(hessian_at(land.f, land.variables, p))[2] == 0
        ]
        if candidates:
            return land.f, land.variables, rng.choice(candidates)


def _borderline(rng: random.Random):
    kind = rng.choice(["singular", "singular", "zero_fxx", "misleading", "singular3"])
    point2 = (rng.randint(-2, 2), rng.randint(-2, 2))
    if kind == "singular":
        # H = 2c (a, b)(a, b)^T: rank one, det H = 0; the test cannot decide.
        a, b = rng.choice([(1, 1), (1, -1), (1, 2), (2, 1), (1, -2), (1, 0), (0, 1), (2, -1)])
        c = rng.choice([-2, -1, 1, 2])
        h = sympy.Matrix([[2 * c * a * a, 2 * c * a * b], [2 * c * a * b, 2 * c * b * b]])
        return _around(rng, h, (X, Y), point2, cubic=True), (X, Y), point2
    if kind == "zero_fxx":
        # f_xx = 0 (or f_yy = 0) with a mixed partial: det H = -b^2 < 0, a saddle.
        b, d = rng.choice([-3, -2, -1, 1, 2, 3]), 2 * rng.choice([-2, -1, 1, 2])
        h = sympy.Matrix([[0, b], [b, d]]) if rng.random() < 0.6 else sympy.Matrix([[d, b], [b, 0]])
        return _around(rng, h, (X, Y), point2, cubic=True), (X, Y), point2
    if kind == "misleading":
        # A maximum with det > 0 (det alone says "minimum"), a saddle whose trace
        # or f_xx points the wrong way, or a minimum with a large mixed partial.
        target = rng.choice(["maximum", "saddle", "saddle", "minimum"])
        while True:
            h = _symmetric_even(rng, 2)
            if second_derivative_test(h) != target:
                continue
            if target == "maximum" or (target == "minimum" and abs(h[0, 1]) >= 2):
                break
            if target == "saddle" and (h.trace() > 0) == (h[0, 0] > 0):
                break
        return _around(rng, h, (X, Y), point2, cubic=True), (X, Y), point2
    # Three variables with a singular Hessian: semidefinite (inconclusive) or indefinite
    # (a saddle, although det H = 0).
    point3 = (*point2, rng.randint(-2, 2))
    while True:
        h = _symmetric_even(rng, 3)
        h[2, 2] = 0
        h[0, 2] = h[2, 0] = 0
        h[1, 2] = h[2, 1] = 0
        if rng.random() < 0.5:  # mix the zero direction into the others
            p = sympy.Matrix([[1, 0, 0], [0, 1, 0], [1, rng.choice([-1, 1]), 1]])
            h = p.T * h * p  # the diagonal stays even: v^T H v with H's diagonal even
        if inertia(h)[2] == 1:
            # a cubic term in z keeps f from being constant along the zero direction
            f = _around(rng, h, (X, Y, Z), point3, cubic=True)
            f += rng.choice([-1, 1]) * (Z - point3[2]) ** 3
            f = sympy.expand(f)
            return f, (X, Y, Z), point3


# -- explanation ------------------------------------------------------------


def _explanation(variables, point, matrix, answer) -> str:
    where = "(" + ", ".join(sympy.latex(c) for c in point) + ")"
    shown = bmatrix(matrix)
    text = (
        f"Compute the Hessian (all second partial derivatives) and evaluate it at ${where}$:"
        f"\n\n$$H = {shown}$$\n\n"
    )
    if len(variables) == 2:
        det = matrix.det()
        fxx = matrix[0, 0]
        text += (
            f"Its determinant is $\\det H = f_{{xx}} f_{{yy}} - f_{{xy}}^2 = "
            f"({matrix[0, 0]})({matrix[1, 1]}) - ({matrix[0, 1]})^2 = {det}$.\n\n"
        )
        if det < 0:
            text += (
                "$\\det H < 0$: the two eigenvalues have opposite signs, so f curves up in one "
                "direction and down in another. **Saddle.**"
            )
        elif det > 0:
            word = "minimum" if fxx > 0 else "maximum"
            text += (
                f"$\\det H > 0$: both eigenvalues have the same sign, which is the sign of "
                f"$f_{{xx}} = {fxx}$. **Local {word}.**"
            )
        else:
            text += (
                "$\\det H = 0$: one eigenvalue is zero, and along that direction the "
                "second-order terms say nothing. **The test is inconclusive**; higher-order "
                "terms decide what the point is."
            )
        return text + _trace_note(matrix, answer)
    minors = [matrix[:k, :k].det() for k in (1, 2, 3)]
    text += (
        f"Its leading principal minors are $D_1 = {minors[0]}$, $D_2 = {minors[1]}$, "
        f"$D_3 = \\det H = {minors[2]}$.\n\n"
    )
    if minors[2] != 0:
        if answer == "minimum":
            text += "All three are positive: H is positive definite. **Local minimum.**"
        elif answer == "maximum":
            text += "The signs alternate $-, +, -$: H is negative definite. **Local maximum.**"
        else:
            text += (
                "$\\det H \\neq 0$ but the signs are neither $+, +, +$ nor $-, +, -$: H has "
                "eigenvalues of both signs. **Saddle.**"
            )
        return text
    up, down = _directions(matrix)
    if answer == "saddle":
        return text + (
            f"$\\det H = 0$, so one eigenvalue is zero, but the others have opposite signs: "
            f"$v^T H v = {up[1]} > 0$ for $v = {_vec(up[0])}$ and "
            f"$v^T H v = {down[1]} < 0$ for $v = {_vec(down[0])}$. "
            "f curves up along one direction and down along another, so this is a "
            "**saddle** even though $\\det H = 0$."
        )
    sign = "positive" if up is not None else "negative"
    return text + (
        f"$\\det H = 0$ and H is {sign} semidefinite (no direction curves the other way): one "
        "eigenvalue is zero, so **the test is inconclusive**."
    )


def _trace_note(matrix, answer) -> str:
    trace = matrix.trace()
    if answer == "saddle" and trace != 0:
        return (
            f"\n\nThe trace ${trace}$ only gives the sum of the eigenvalues; it does not "
            "decide the type."
        )
    return ""


def _directions(matrix):
    # Small integer directions with v^T H v > 0 and < 0, for the explanation.
    n = matrix.shape[0]
    h = [[_rational(str(matrix[i, j])) for j in range(n)] for i in range(n)]
    up = down = None
    for v in sorted(itertools.product(range(-4, 5), repeat=n), key=_size):
        q = sum(h[i][j] * v[i] * v[j] for i in range(n) for j in range(n))
        if q > 0 and up is None:
            up = (v, q)
        if q < 0 and down is None:
            down = (v, q)
    return up, down


def _size(v) -> tuple:
    return (sum(abs(e) for e in v), v)


def _vec(v) -> str:
    return "(" + ", ".join(str(e) for e in v) + ")"


# -- mistakes ---------------------------------------------------------------


def _wrong_labels(matrix, answer: str) -> dict[str, str]:
    """Return, per mistake tag, the label a learner making that mistake gives here."""
    det, fxx, trace = matrix.det(), matrix[0, 0], matrix.trace()
    positive, negative, zeros = inertia(matrix)
    by_sign = {1: "minimum", -1: "maximum", 0: "inconclusive"}
    found = {
        "classify_critical_point.degenerate_called_extremum": (
            ("minimum" if positive else "maximum")
            if zeros and not (positive and negative) and (positive or negative)
            else None
        ),
        "classify_critical_point.det_sign_only": (
            "minimum" if det > 0 else "saddle" if det < 0 else "inconclusive"
        ),
        "classify_critical_point.fxx_only": by_sign[int(sympy.sign(fxx))],
        "classify_critical_point.by_trace": by_sign[int(sympy.sign(trace))] if trace else None,
    }
    kept: dict[str, str] = {}
    for tag, label in found.items():
        if label and label != answer and label not in kept.values():
            kept[tag] = label
    return kept


FEEDBACK = {
    "classify_critical_point.degenerate_called_extremum": (
        "With $\\det H = 0$ the Hessian is only semidefinite: it has a zero eigenvalue, and "
        "along that direction the second-order terms vanish. The second-derivative test "
        "cannot call this a minimum or a maximum: it is inconclusive."
    ),
    "classify_critical_point.det_sign_only": (
        "The sign of $\\det H$ alone is not enough. In two variables, $\\det H > 0$ means both "
        "eigenvalues have the same sign: check $f_{xx}$ to tell a minimum ($f_{xx} > 0$) from a "
        "maximum ($f_{xx} < 0$). In three variables, check all leading principal minors."
    ),
    "classify_critical_point.fxx_only": (
        "$f_{xx}$ alone only tells how f curves along the $x$-axis. Check $\\det H$ first: "
        "if it is negative the point is a saddle, whatever the sign of $f_{xx}$."
    ),
    "classify_critical_point.by_trace": (
        "The trace is the sum of the eigenvalues: a positive trace allows one negative "
        "eigenvalue. Use the determinant (the product) and $f_{xx}$, or the signs of the "
        "eigenvalues."
    ),
}


# In three variables det H < 0 does not make a saddle (a negative definite H has det H < 0),
# and det H with f_xx does not decide: the texts point to the minors and eigenvalues instead.
FEEDBACK_3D = {
    "classify_critical_point.fxx_only": (
        "$f_{xx}$ alone only tells how f curves along the $x$-axis. In three variables check "
        "all the leading principal minors: $+, +, +$ is a minimum, $-, +, -$ a maximum, and any "
        "other signs with $\\det H \\neq 0$ a saddle. If $\\det H = 0$, look at the signs of "
        "the eigenvalues: both signs make a saddle; otherwise the test is inconclusive."
    ),
    "classify_critical_point.by_trace": (
        "The trace is the sum of the eigenvalues: a positive trace allows a negative "
        "eigenvalue. Use the signs of the leading principal minors, or of the eigenvalues."
    ),
}


def _rules(matrix, answer: str) -> tuple[MistakeRule, ...]:
    # Only the slips that give a wrong label of their own on this problem are declared.
    texts = {**FEEDBACK, **FEEDBACK_3D} if matrix.shape[0] == 3 else FEEDBACK
    return tuple(
        MistakeRule(tag, texts[tag], _chose(label), kinds=("choice",))
        for tag, label in _wrong_labels(matrix, answer).items()
    )


def _chose(label: str):
    def matches(context: RuleContext) -> bool:
        return str(context.answer) == label and str(context.expected) != label

    return matches


def samples(problem: Problem) -> Samples:
    matrix = sympy.Matrix([[_rational(e) for e in row] for row in problem.params["A"]])
    answer = problem.solution
    wrongs = _wrong_labels(matrix, answer)
    plain = next((x for x in LABELS if x != answer and x not in wrongs.values()), None)
    synonyms = {
        "minimum": ("local min", "Minimum"),
        "maximum": ("local maximum", "MAX"),
        "saddle": ("saddle point", "Saddle"),
        "inconclusive": ("the test is inconclusive", "Inconclusive"),
    }
    return Samples(
        correct=(answer, *synonyms[answer]),
        incorrect=tuple((label, tag) for tag, label in wrongs.items())
        + (((plain, ""),) if plain else ()),
        invalid=("", "banana", "min or max"),
    )


def _rational(text: str) -> sympy.Rational:
    value = Fraction(text)
    return sympy.Rational(value.numerator, value.denominator)


def figure(problem: Problem) -> str:
    from question_bank.families._polynomials import read, symbol
    from question_bank.figures.contour import Mark, contour_svg

    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    point = [read(c, names) for c in problem.params["point"]]
    variables = tuple(symbol(v) for v in names)
    title = "Contours of f near the point"
    if len(variables) == 3:
        f = f.subs(variables[2], point[2])
        title += f" (slice z = {point[2]})"
    label = "(" + ", ".join(str(c) for c in point) + ")"
    mark = Mark(float(point[0]), float(point[1]), "point", label)
    return contour_svg(f, variables[:2], [mark], title=title, half_width=1.5)
