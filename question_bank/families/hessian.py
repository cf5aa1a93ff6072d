"""The Hessian matrix of a polynomial, symbolically or at a point.

Level 1: two variables, symbolic. Level 2: three variables, symbolic or at
an integer point. Level 3: two or three variables with a parameter `a`
(a constant under differentiation), evaluated at a point.
"""

from __future__ import annotations

import functools
import random

import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule, RuleContext, drop_cross_terms, off_diagonal_zeroed

from ._polynomials import (
    X,
    Y,
    Z,
    distinct_mistakes,
    latex,
    random_terms,
    read,
    sloppy_derivative,
    symbol,
)

TEMPLATE = Template(
    id="hessian",
    title="The Hessian matrix",
    skill="Compute the Hessian of a polynomial, symbolically or at a point",
    levels=(1, 2, 3),
    answer_kind="matrix",
    part=1,
    prerequisites=("gradient",),
    typical_seconds=150,
)
A = symbol("a")

FEEDBACK = {
    "hessian.not_evaluated": (
        "This is the Hessian as a function of the variables; the question asks for its value "
        "at the given point. Substitute the point into every entry."
    ),
    "hessian.missing_cross_term": (
        "The terms that mix variables (such as $x^2 y$) were left out. They contribute to the "
        "off-diagonal entries and can also contribute to the diagonal: "
        "$\\partial^2 (x^2 y)/\\partial x^2 = 2y$."
    ),
    "hessian.off_diagonal_zero": (
        "The mixed partials $\\partial^2 f/\\partial x_i \\partial x_j$ are missing: the "
        "off-diagonal entries are not zero when f has terms that mix variables."
    ),
    "hessian.mixed_partial_halved": (
        "The off-diagonal entries are halved. The Hessian entry $(i, j)$ is the full mixed "
        "partial: for $f = c\\,xy$ it is $c$, not $c/2$ (the factor $1/2$ belongs to the "
        "symmetric matrix $A$ in $x^T A x$, whose Hessian is $2A$)."
    ),
    "hessian.power_rule_factor": (
        "The exponents were not brought down: $\\frac{d^2}{dx^2} x^2 = 2$ (not $1$) and "
        "$\\frac{d^2}{dx^2} x^3 = 6x$. Each differentiation multiplies by the current exponent."
    ),
    "hessian.asymmetric": (
        "Your matrix is not symmetric, but for a polynomial the mixed partials agree: "
        "$\\partial^2 f/\\partial x \\partial y = \\partial^2 f/\\partial y \\partial x$. "
        "One of each pair of off-diagonal entries is right: recompute the other."
    ),
}


def generate(rng: random.Random, level: int) -> Draft:
    if level == 1:
        variables, f, point = (X, Y), _polynomial(rng, (X, Y), 3), None
    elif level == 2:
        variables = (X, Y, Z)
        f = _polynomial(rng, variables, 4)
        point = _point(rng, 3) if rng.random() < 0.5 else None
    else:
        variables = (X, Y, Z) if rng.random() < 0.3 else (X, Y)
        f = _polynomial(rng, variables, 3) + A * _parameter_monomial(rng, variables)
        point = _point(rng, len(variables))
    symbolic = _hessian(f, variables)
    matrix = _at(symbolic, variables, point)
    names = tuple(str(v) for v in variables) + (("a",) if level == 3 else ())
    args = ", ".join(str(v) for v in variables)
    shape = "[[f_xx, f_xy], [f_yx, f_yy]]" if len(variables) == 2 else "[[f_xx, f_xy, f_xz], ...]"
    where = (
        f"Evaluate it at the point $({', '.join(str(c) for c in point)})$."
        if point
        else "Entries are expressions in the variables."
    )
    prompt = (
        f"Find the Hessian matrix $H$ of\n\n$$f({args}) = {latex(f)}$$\n\n{where}"
        + (" Treat $a$ as a constant." if level == 3 else "")
        + f" Answer row by row, in the order of the variables, like `{shape}`"
        + " (semicolons between rows also work)."
    )
    params: dict = {"f": str(f), "variables": list(names)}
    if point:
        params["point"] = list(point)
    return Draft(
        prompt=prompt,
        answer_kind="matrix",
        solution=to_text(matrix),
        explanation=_explanation(f, variables, symbolic, point, matrix),
        params=params,
        variables=names,
        rules=_rules(f, variables, point),
        answer_hint="a matrix written row by row, such as [[p, q], [r, s]]",
    )


def _polynomial(rng: random.Random, variables, terms: int) -> sympy.Expr:
    # A square or higher power (the factor-2 slip) and a cross term of degree 3
    # (which reaches the diagonal too), so every slip gives its own answer.
    while True:
        found = random_terms(rng, len(variables), terms=terms, min_degree=2)
        has_power = any(max(m) >= 2 for m in found)
        has_cubic_cross = any(sum(m) == 3 and sum(1 for e in m if e) >= 2 for m in found)
        if (
            has_power
            and has_cubic_cross
            and all(any(m[i] for m in found) for i in range(len(variables)))
        ):
            return sympy.Poly.from_dict(found, *variables).as_expr()


def _hessian(f: sympy.Expr, variables) -> sympy.ImmutableMatrix:
    """Return the Hessian of a polynomial, differentiating as a Poly (fast)."""
    poly = sympy.Poly(f, *variables)
    first = [poly.diff(v) for v in variables]
    n = len(variables)
    return sympy.ImmutableMatrix(n, n, lambda i, j: first[i].diff(variables[j]).as_expr())


def _parameter_monomial(rng: random.Random, variables) -> sympy.Expr:
    x, y = variables[0], variables[-1]
    return rng.choice([x**2 * y, x * y**2, x * y, x**2, y**2, x**3, y**3])


def _point(rng: random.Random, n: int) -> tuple[int, ...]:
    return tuple(rng.choice([-2, -1, 1, 2, 3]) for _ in range(n))


def _at(matrix, variables, point) -> sympy.ImmutableMatrix:
    if point is None:
        return sympy.ImmutableMatrix(matrix.applyfunc(sympy.expand))
    at = dict(zip(variables, point, strict=True))
    return sympy.ImmutableMatrix(matrix.applyfunc(lambda e: sympy.expand(e.subs(at))))


def _explanation(f, variables, symbolic, point, matrix) -> str:
    poly = sympy.Poly(f, *variables)
    gradient = ", ".join(latex(poly.diff(v).as_expr()) for v in variables)
    rows = []
    for i, v in enumerate(variables):
        for j, w in enumerate(variables):
            if j < i:
                continue
            name = f"f_{{{v}{v}}}" if i == j else f"f_{{{v}{w}}} = f_{{{w}{v}}}"
            rows.append(f"- ${name} = {latex(symbolic[i, j])}$")
    text = (
        "The Hessian holds the second partial derivatives: entry $(i, j)$ is "
        "$\\partial^2 f / \\partial x_i \\partial x_j$. First the gradient:\n\n"
        f"$$\\nabla f = \\left({gradient}\\right)$$\n\n"
        "Differentiate each component again with respect to each variable:\n\n"
        + "\n".join(rows)
        + "\n\nThe mixed partials agree (the matrix is symmetric).\n\n"
        f"$$H = {_bmatrix(symbolic)}$$"
    )
    if point:
        text += (
            f"\n\nAt $({', '.join(str(c) for c in point)})$, substitute into every entry:"
            f"\n\n$$H = {_bmatrix(matrix)}$$"
        )
    return text


def _bmatrix(matrix) -> str:
    rows = " \\\\ ".join(
        " & ".join(latex(matrix[i, j]) for j in range(matrix.shape[1]))
        for i in range(matrix.shape[0])
    )
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"


def _mistakes(f, variables, point) -> dict[str, sympy.ImmutableMatrix]:
    """Return, per mistake tag, the matrix a learner making that mistake writes."""
    n = len(variables)
    true = sympy.hessian(f, variables)
    sloppy = [sloppy_derivative(f, v) for v in variables]
    found = {
        "hessian.missing_cross_term": sympy.hessian(drop_cross_terms(f, variables), variables),
        "hessian.off_diagonal_zero": off_diagonal_zeroed(sympy.ImmutableMatrix(true)),
        "hessian.mixed_partial_halved": sympy.Matrix(
            n, n, lambda i, j: true[i, j] if i == j else true[i, j] / 2
        ),
        "hessian.power_rule_factor": sympy.Matrix(
            n, n, lambda i, j: sloppy_derivative(sloppy[i], variables[j])
        ),
        "hessian.asymmetric": sympy.Matrix(n, n, lambda i, j: true[i, j] if i <= j else 0),
    }
    wrong = {tag: _at(m, variables, point) for tag, m in found.items()}
    if point:
        wrong = {"hessian.not_evaluated": _at(true, variables, None), **wrong}
    return wrong


def _rules(f, variables, point) -> tuple[MistakeRule, ...]:
    # Mistaken answers are worked out only when a wrong answer needs naming.
    mistakes = functools.cache(lambda: _mistakes(f, variables, point))

    def wrong(tag: str):
        return lambda expected: mistakes()[tag]

    tags = [t for t in FEEDBACK if point or t != "hessian.not_evaluated"]
    return tuple(
        MistakeRule(t, FEEDBACK[t], _half_right, ("matrix",))
        if t == "hessian.asymmetric"
        else MistakeRule.transform(t, FEEDBACK[t], wrong(t), ("matrix",))
        for t in tags
    )


def _half_right(context: RuleContext) -> bool:
    """Match a non-symmetric answer with a right diagonal and one right entry of each pair."""
    got, want = context.answer, context.expected
    n = want.shape[0]
    if got.shape != want.shape or any(not context.same(got[i, i], want[i, i]) for i in range(n)):
        return False
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    asymmetric = any(not context.same(got[i, j], got[j, i]) for i, j in pairs)
    return asymmetric and all(
        context.same(got[i, j], want[i, j]) or context.same(got[j, i], want[j, i]) for i, j in pairs
    )


def samples(problem: Problem) -> Samples:
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    variables = tuple(symbol(v) for v in names if v != "a")
    point = tuple(problem.params["point"]) if "point" in problem.params else None
    expected = _at(_hessian(f, variables), variables, point)
    semicolons = (
        "["
        + "; ".join(
            ", ".join(str(e).replace("**", "^") for e in expected.row(i))
            for i in range(len(variables))
        )
        + "]"
    )
    factored = to_text(expected.applyfunc(sympy.factor))
    mistakes = distinct_mistakes(_mistakes(f, variables, point), expected)
    if "hessian.asymmetric" in mistakes and _symmetric(mistakes["hessian.asymmetric"]):
        del mistakes["hessian.asymmetric"]
    plain = next(
        expected + k * sympy.eye(len(variables))
        for k in (1, 3, 7)
        if all(_differ(expected + k * sympy.eye(len(variables)), m) for m in mistakes.values())
    )
    return Samples(
        correct=(problem.solution, factored, semicolons),
        incorrect=tuple((to_text(m), tag) for tag, m in mistakes.items()) + ((to_text(plain), ""),),
        invalid=("", "[[1, 2], [3]]", "(((", "[[1, 2], [3, 4]] +"),
    )


def _differ(a, b) -> bool:
    return any(sympy.expand(p - q) != 0 for p, q in zip(a, b, strict=True))


def _symmetric(matrix) -> bool:
    return all(sympy.expand(matrix[i, j] - matrix[j, i]) == 0 for i, j in _pairs(matrix.shape[0]))


def _pairs(n: int):
    return [(i, j) for i in range(n) for j in range(i + 1, n)]
