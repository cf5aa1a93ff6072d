"""Same function, different flatness: sharpness at a rescaled minimum of L(w1 w2).

f(w) = L(u) with u = w1 w2 (or w1 w2 w3). Rescaling (alpha w1, w2 / alpha)
leaves u, and so f and every prediction, unchanged. At a minimum L'(u) = 0,
so the Hessian is L''(u) grad(u) grad(u)^T: rank one, with top eigenvalue
L''(u) |grad u|^2 = L''(u) (w2^2 + w1^2) for two weights, evaluated at the
rescaled point. Sharpness is therefore not invariant under reparameterization.

Level 1: L(u) = (k/2)(u - c)^2, two weights; level 2: three weights; level 3:
other losses (a quartic bump, a log) and the answer as a function of alpha.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._landscapes import rational, tex
from ._polynomials import distinct_mistakes, read, symbol

TEMPLATE = Template(
    id="reparameterization_sharpness",
    title="Reparameterization changes sharpness",
    skill="Compute the sharpness of L(w1 w2) at a rescaled minimum",
    levels=(1, 2, 3),
    answer_kind="number",
    part=2,
    prerequisites=("hessian_spectrum",),
    typical_seconds=180,
)
ALPHA = symbol("alpha")
U = symbol("u")
W = (symbol("w1"), symbol("w2"), symbol("w3"))
ALPHAS = [Fraction(n, d) for n, d in ((2, 1), (3, 1), (1, 2), (1, 3), (3, 2), (2, 3), (4, 1),
                                      (1, 4), (5, 1), (1, 5))]  # fmt: skip


def generate(rng: random.Random, level: int) -> Draft:
    n = 3 if level == 2 else 2
    values = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5] if n == 2 else [-3, -2, -1, 1, 2, 3]
    point = [rng.choice(values) for _ in range(n)]
    c = _product(point)
    if level == 3:
        loss, kappa, quadratic, half = _other_loss(rng, c)
    else:
        k = rng.randint(1, 4)
        loss, kappa, quadratic, half = sympy.Rational(k, 2) * (U - c) ** 2, Fraction(k), True, True
    # A constant in L changes nothing about curvature; it is there for variety.
    loss += rng.randint(0, 4)
    alpha = None if level == 3 else rng.choice(ALPHAS if n == 2 else ALPHAS[:6])
    scale = ALPHA if alpha is None else rational(alpha)
    # (alpha w1, w2 / alpha, w3...): the product is unchanged.
    moved = [scale * point[0], point[1] / scale] + [sympy.Integer(p) for p in point[2:]]
    weights = W[:n]
    f = loss.subs(U, sympy.Mul(*weights))
    grad_u = [sympy.Mul(*(moved[j] for j in range(n) if j != i)) for i in range(n)]
    sharp = rational(kappa) * sum(g**2 for g in grad_u)
    sharp = sympy.expand(sharp)
    names = [str(w) for w in weights]
    args = ", ".join(f"w_{i + 1}" for i in range(n))
    product = " ".join(f"w_{i + 1}" for i in range(n))
    where = ", ".join(str(p) for p in point)
    rescale = "(\\alpha w_1, w_2 / \\alpha" + (", w_3)" if n == 3 else ")")
    given = (
        "as a function of $\\alpha > 0$"
        if alpha is None
        else f"for $\\alpha = {tex(alpha)}$, that is at $({', '.join(tex(m) for m in moved)})$"
    )
    prompt = (
        f"Let $f({args}) = L({product})$ with $L(u) = {sympy.latex(loss)}$. The point $({where})$ "
        f"is a minimum of $f$. The rescaled point ${rescale}$ has the same product, so it is a "
        "minimum with the same loss. Find the sharpness $\\lambda_{\\max}$ of the Hessian of "
        f"$f$ at the rescaled point, {given}. Give an exact "
        + ("expression in $\\alpha$." if alpha is None else "number.")
    )
    kind = "expr" if alpha is None else "number"
    return Draft(
        prompt=prompt,
        answer_kind=kind,
        solution=to_text(sharp),
        explanation=_explanation(point, moved, kappa, loss, sharp, c),
        params={
            "f": str(f),
            "variables": names,
            "point": point,
            "alpha": "alpha" if alpha is None else str(alpha),
            "loss": str(loss),
        },
        variables=("alpha",) if alpha is None else tuple(names),
        rules=_rules(point, moved, kappa, quadratic=quadratic and half),
        answer_hint=(
            "an expression in alpha (write alpha^2 for α²)"
            if alpha is None
            else "an exact number, such as a fraction p/q"
        ),
    )


def _product(values):
    out = 1
    for v in values:
        out *= v
    return out


def _other_loss(rng: random.Random, c: int):
    """Return (L, L''(c), is the plain quadratic, has the 1/2) for a loss with a minimum at c."""
    k = rng.randint(1, 4)
    choice = rng.randrange(3)
    if choice == 0:
        return sympy.Rational(k, 2) * (U - c) ** 2, Fraction(k), True, True
    if choice == 1:
        # (u - c)^2 + (u - c)^4: the quartic term has zero second derivative at c.
        return k * (U - c) ** 2 + (U - c) ** 4, Fraction(2 * k), False, False
    # log(1 + k (u - c)^2): second derivative 2k at u = c.
    return sympy.log(1 + k * (U - c) ** 2), Fraction(2 * k), False, False


def _explanation(point, moved, kappa, loss, sharp, c) -> str:
    n = len(point)
    grad = ", ".join(" ".join(f"w_{j + 1}" for j in range(n) if j != i) for i in range(n))
    original = kappa * sum(Fraction(_product(point)) ** 2 / p**2 for p in point)
    values = ", ".join(sympy.latex(m) for m in moved)
    return (
        f"Write $u = {' '.join(f'w_{i + 1}' for i in range(n))}$, so $\\nabla u = ({grad})$ and "
        "$\\nabla f = L'(u)\\,\\nabla u$. Differentiating again,\n\n"
        "$$\\nabla^2 f = L''(u)\\,\\nabla u\\,\\nabla u^T + L'(u)\\,\\nabla^2 u.$$\n\n"
        f"At a minimum $u = {c}$ and $L'(u) = 0$, so only the first term is left: a rank-one "
        "matrix whose eigenvalues are $0$ (the flat directions, including the rescaling curve) "
        "and $L''(u)\\,\\|\\nabla u\\|^2$, the sharpness.\n\n"
        f"Here $L''({c}) = {tex(kappa)}$. At the rescaled point $({values})$ the entries of "
        "$\\nabla u$ are the products of the other weights, and\n\n"
        f"$$\\lambda_{{\\max}} = {tex(kappa)} \\cdot \\|\\nabla u\\|^2 = "
        f"{sympy.latex(sharp)}.$$\n\n"
        f"At the original point the sharpness is ${tex(original)}$: the same function, the same "
        "loss, and yet a different curvature. Sharpness depends on the parameterization, so a "
        "flat-minimum argument must say which parameterization it measures in."
    )


FEEDBACK = {
    "reparameterization_sharpness.unrescaled": (
        "That is the sharpness at the original point. The question asks at the rescaled point: "
        "the function is the same, but the Hessian there is different."
    ),
    "reparameterization_sharpness.alpha_on_both": (
        "You multiplied both weights by $\\alpha$. The rescaling is $(\\alpha w_1, w_2/\\alpha)$, "
        "which keeps the product; $(\\alpha w_1, \\alpha w_2)$ changes it."
    ),
    "reparameterization_sharpness.alpha_inverted": (
        "The rescaling is applied the wrong way round: $w_1$ becomes $\\alpha w_1$ and $w_2$ "
        "becomes $w_2/\\alpha$."
    ),
    "reparameterization_sharpness.no_cross_term": (
        "That is the largest diagonal entry of the Hessian. The off-diagonal terms "
        "$L''(u)\\,\\partial_i u\\,\\partial_j u$ are not zero; for the rank-one matrix "
        "$L''\\,\\nabla u\\,\\nabla u^T$ the top eigenvalue is the trace, "
        "$L''\\,\\|\\nabla u\\|^2$."
    ),
    "reparameterization_sharpness.curvature_only": (
        "That is $L''(u)$ alone, the curvature of $L$ in $u$. The Hessian of $f$ in the weights "
        "multiplies it by $\\|\\nabla u\\|^2$, which depends on where on the rescaling curve "
        "you are."
    ),
    "reparameterization_sharpness.half_factor": (
        "The second derivative of $\\frac{k}{2}(u - c)^2$ is $k$, not $\\frac{k}{2}$."
    ),
}


def _mistakes(point, moved, kappa, *, quadratic: bool) -> dict[str, list[sympy.Expr]]:
    n = len(point)
    k = rational(kappa)
    others = [sympy.Integer(p) for p in point[2:]]

    def top(ws):
        return sympy.expand(k * sum(sympy.Mul(*(ws[j] for j in range(n) if j != i)) ** 2
                                    for i in range(n)))  # fmt: skip

    scale = moved[0] / point[0]
    diagonal = [sympy.expand(k * sympy.Mul(*(moved[j] for j in range(n) if j != i)) ** 2)
                for i in range(n)]  # fmt: skip
    if scale.is_number:
        diagonal = [max(diagonal)]
    found = {
        "reparameterization_sharpness.unrescaled": [top([sympy.Integer(p) for p in point])],
        "reparameterization_sharpness.alpha_on_both": [top([scale * point[0], scale * point[1]]
                                                           + others)],
        "reparameterization_sharpness.alpha_inverted": [top([point[0] / scale, scale * point[1]]
                                                            + others)],
        "reparameterization_sharpness.no_cross_term": diagonal,
        "reparameterization_sharpness.curvature_only": [k],
    }  # fmt: skip
    if quadratic:
        found["reparameterization_sharpness.half_factor"] = [sympy.expand(top(moved) / 2)]
    return found


def _rules(point, moved, kappa, *, quadratic: bool) -> tuple[MistakeRule, ...]:
    cache: dict[str, dict[str, list[sympy.Expr]]] = {}
    tags = [t for t in FEEDBACK if quadratic or t != "reparameterization_sharpness.half_factor"]

    def wrong(tag: str, index: int):
        def compute(expected):
            if not cache:
                cache["all"] = _mistakes(point, moved, kappa, quadratic=quadratic)
            return cache["all"][tag][index]

        return compute

    rules = []
    for tag in tags:
        count = (
            1
            if tag != "reparameterization_sharpness.no_cross_term"
            else (1 if len(point) == 3 or not _symbolic(moved) else 2)
        )
        rules += [MistakeRule.transform(tag, FEEDBACK[tag], wrong(tag, i)) for i in range(count)]
    return tuple(rules)


def _symbolic(moved) -> bool:
    return any(m.free_symbols for m in moved)


def samples(problem: Problem) -> Samples:
    p = problem.params
    point = [int(v) for v in p["point"]]
    names = tuple(problem.variables)
    symbolic = p["alpha"] == "alpha"
    scale = ALPHA if symbolic else rational(Fraction(p["alpha"]))
    moved = [scale * point[0], point[1] / scale] + [sympy.Integer(v) for v in point[2:]]
    loss = read(p["loss"], ("u",))
    kappa = sympy.diff(loss, U, 2).subs(U, _product(point))
    quadratic = sympy.Poly(loss, U).degree() == 2 if loss.is_polynomial(U) else False
    expected = read(problem.solution, names)
    mistakes = {tag: ws[0] for tag, ws in _mistakes(
        point, moved, Fraction(int(kappa)), quadratic=quadratic).items()}  # fmt: skip
    mistakes = distinct_mistakes(mistakes, expected)
    text = problem.solution.replace("**", "^")
    correct = [problem.solution, text, f"2*({problem.solution})/2"]
    if not symbolic and expected.q in (1, 2, 4, 5, 8, 16, 20, 25, 40, 80):
        correct.append(str(float(expected)))
    plain = next(
        w
        for w in (expected + 7, expected * 3 + 1, expected + 13)
        if not any(sympy.expand(w - m) == 0 for m in mistakes.values())
    )
    return Samples(
        correct=tuple(correct),
        incorrect=tuple((to_text(w), tag) for tag, w in mistakes.items()) + ((to_text(plain), ""),),
        invalid=("", "(((", "1/", "lambda"),
    )
