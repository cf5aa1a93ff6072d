"""Random polynomials with small integer coefficients, shared by the calculus families."""

from __future__ import annotations

import random

import sympy

from question_bank.limits import TRUSTED_LIMITS
from question_bank.parser import parse
from question_bank.structures import to_sympy


def symbol(name: str) -> sympy.Symbol:
    """Return the symbol the grader's parser makes for `name` (real, like the learner's)."""
    return sympy.Symbol(name, real=True)


X, Y, Z = symbol("x"), symbol("y"), symbol("z")


def random_polynomial(
    rng: random.Random,
    variables: tuple[sympy.Symbol, ...],
    *,
    terms: int,
    max_degree: int = 3,
    max_coefficient: int = 5,
    cross_term: bool = True,
) -> sympy.Expr:
    """Return a sum of `terms` distinct monomials of degree 1..max_degree.

    With `cross_term`, at least one monomial involves two variables, so a
    learner who treats the variables separately is caught.

    >>> random_polynomial(random.Random(1), (X, Y), terms=3).free_symbols == {X, Y}
    True
    """
    while True:
        monomials: dict[tuple[int, ...], int] = {}
        while len(monomials) < terms:
            exponents = _random_exponents(rng, len(variables), max_degree)
            coefficient = rng.choice([c for c in range(-max_coefficient, max_coefficient + 1) if c])
            monomials[exponents] = coefficient
        poly = sympy.Add(
            *(
                c * sympy.Mul(*(v**e for v, e in zip(variables, exps, strict=True)))
                for exps, c in monomials.items()
            )
        )
        has_cross = any(sum(1 for e in exps if e) >= 2 for exps in monomials)
        if poly.free_symbols == set(variables) and (has_cross or not cross_term):
            return poly


def _random_exponents(rng: random.Random, count: int, max_degree: int) -> tuple[int, ...]:
    degree = rng.randint(1, max_degree)
    exponents = [0] * count
    for _ in range(degree):
        exponents[rng.randrange(count)] += 1
    return tuple(exponents)


def sloppy_derivative(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """Differentiate each monomial but forget to bring the exponent down.

    This is the power-rule slip d/dx x^3 = x^2 (instead of 3x^2).

    >>> sloppy_derivative(4*X**3 + 2*X*Y, X)
    4*x**2 + 2*y
    """
    total = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(expr)):
        power = sympy.degree(term, variable)
        if power >= 1:
            total += term / variable
    return total


def latex(expr: sympy.Expr) -> str:
    """Return LaTeX for a polynomial with terms in a stable, readable order.

    >>> latex(3*X*Y - X**2 + 2)
    '- x^{2} + 3 x y + 2'
    """
    return sympy.latex(expr, order="grlex")


def read(text: str, variables: tuple[str, ...]) -> sympy.Basic:
    """Read our own canonical text (such as `params["f"]`) back with the grader's parser.

    >>> read("x**2*y + a", ("x", "y", "a"))
    a + x**2*y
    """
    return to_sympy(parse(text, variables, TRUSTED_LIMITS))


def distinct_mistakes(mistakes: dict[str, object], correct: object) -> dict[str, object]:
    """Keep the mistakes that differ from the correct answer and from earlier mistakes.

    On some problems two slips give the same answer (or a slip changes nothing);
    the first rule that matches names it, so only the first is a fair sample.

    >>> distinct_mistakes({"a": (X,), "b": (X,), "c": (Y,)}, (Y,))
    {'a': (x,)}
    """
    kept: dict[str, object] = {}
    seen = [_expanded(correct)]
    for tag, wrong in mistakes.items():
        if _expanded(wrong) not in seen:
            kept[tag] = wrong
            seen.append(_expanded(wrong))
    return kept


def _expanded(value: object) -> object:
    if isinstance(value, (tuple, list)):
        return tuple(_expanded(v) for v in value)
    if isinstance(value, sympy.MatrixBase):
        return tuple(sympy.expand(v) for v in value)
    return sympy.expand(value)
