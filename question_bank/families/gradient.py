"""The gradient of a polynomial in two or three variables.

Level 1: two variables; level 2: three variables; level 3: two variables and
a symbolic parameter `a`, which is a constant under differentiation.
"""

from __future__ import annotations

import functools
import random

import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule, drop_cross_terms

from ._polynomials import (
    X,
    Y,
    Z,
    distinct_mistakes,
    latex,
    random_polynomial,
    read,
    sloppy_derivative,
    symbol,
)

TEMPLATE = Template(
    id="gradient",
    title="The gradient of a polynomial",
    skill="Compute the gradient of a polynomial in two or three variables",
    levels=(1, 2, 3),
    answer_kind="vector",
    part=1,
    typical_seconds=90,
)
A = symbol("a")


def generate(rng: random.Random, level: int) -> Draft:
    variables = (X, Y, Z) if level == 2 else (X, Y)
    f = random_polynomial(rng, variables, terms=3 if level == 1 else 4)
    if level == 3:
        f = f + A * _parameter_monomial(rng, variables)
    # Differentiate as polynomials: several times faster than on expressions.
    poly = sympy.Poly(f, *variables, *((A,) if level == 3 else ()))
    partials_poly = [poly.diff(v) for v in variables]
    gradient = [p.as_expr() for p in partials_poly]
    names = tuple(str(v) for v in variables) + (("a",) if level == 3 else ())
    args = ", ".join(str(v) for v in variables)
    partials = ", ".join(rf"\partial f / \partial {v}" for v in variables)
    prompt = (
        f"Find the gradient $\\nabla f$ of\n\n$$f({args}) = {latex(f)}$$\n\n"
        f"Answer as a vector $({partials})$." + (" Treat $a$ as a constant." if level == 3 else "")
    )
    return Draft(
        prompt=prompt,
        answer_kind="vector",
        solution=to_text(tuple(gradient)),
        explanation=_explanation(variables, partials_poly),
        params={"f": str(f), "variables": list(names)},
        variables=names,
        rules=_rules(f, variables),
        answer_hint=f"a vector such as ({', '.join(['...'] * len(variables))})",
    )


def _parameter_monomial(rng: random.Random, variables) -> sympy.Expr:
    x, y = variables[0], variables[1]
    return rng.choice([x**2 * y, x * y**2, x * y, x**2, y**2])


def _explanation(variables, gradient: list[sympy.Poly]) -> str:
    steps = "\n".join(
        f"- $\\partial f / \\partial {v} = {latex(g)}$: differentiate each term in "
        f"${v}$, holding the other variables fixed; terms without ${v}$ vanish."
        for v, g in zip(variables, gradient, strict=True)
    )
    vector = ", ".join(latex(g) for g in gradient)
    return (
        "The gradient collects the partial derivatives, one per variable.\n\n"
        f"{steps}\n\nSo $\\nabla f = \\left({vector}\\right)$. A cross term such as "
        "$xy$ contributes to both components: $y$ to the first and $x$ to the second."
    )


def _mistakes(f, variables) -> dict[str, tuple[sympy.Expr, ...]]:
    """Return, per mistake tag, the gradient a learner making that mistake writes."""
    true = [sympy.diff(f, v) for v in variables]
    return {
        "gradient.missing_cross_term": tuple(
            sympy.diff(drop_cross_terms(f, variables), v) for v in variables
        ),
        "gradient.power_rule_factor": tuple(sloppy_derivative(f, v) for v in variables),
        "gradient.components_swapped": tuple(reversed(true)),
    }


FEEDBACK = {
    "gradient.missing_cross_term": (
        "The cross terms are missing: a term like $xy$ depends on both variables, "
        "so it contributes $y$ to the $x$-component and $x$ to the $y$-component."
    ),
    "gradient.power_rule_factor": (
        "The exponents were not brought down: the derivative of $x^n$ is $n x^{n-1}$."
    ),
    "gradient.components_swapped": (
        "The components are in the wrong order: list $\\partial f/\\partial x$ first."
    ),
}


def _rules(f, variables) -> tuple[MistakeRule, ...]:
    # Mistaken answers are worked out only when a wrong answer needs naming.
    mistakes = functools.cache(lambda: _mistakes(f, variables))

    def wrong(tag: str):
        return lambda expected: sympy.ImmutableMatrix([sympy.expand(c) for c in mistakes()[tag]])

    return tuple(MistakeRule.transform(tag, text, wrong(tag)) for tag, text in FEEDBACK.items())


def samples(problem: Problem) -> Samples:
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    variables = [symbol(v) for v in names if v != "a"]
    gradient = [sympy.diff(f, v) for v in variables]
    caret = "[" + ", ".join(str(sympy.expand(g)).replace("**", "^") for g in gradient) + "]"
    mistakes = distinct_mistakes(_mistakes(f, variables), tuple(gradient))
    return Samples(
        correct=(problem.solution, to_text(tuple(sympy.factor(g) for g in gradient)), caret),
        incorrect=tuple((to_text(wrong), tag) for tag, wrong in mistakes.items())
        + ((to_text(tuple(2 * g for g in gradient)), ""),),
        invalid=("", "(1, 2", "grad f", "(" + ", ".join(["1"] * (len(variables) + 1)) + ")x+"),
    )
