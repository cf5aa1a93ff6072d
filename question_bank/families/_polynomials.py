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


def random_terms(
    rng: random.Random,
    count: int,
    *,
    terms: int,
    max_degree: int = 3,
    min_degree: int = 1,
    max_coefficient: int = 5,
) -> dict[tuple[int, ...], int]:
    """Return {exponents: coefficient} for `terms` distinct monomials in `count` variables.

    Cheaper than building sympy expressions while rejection sampling; turn the
    result into a polynomial with `sympy.Poly.from_dict(terms, *variables)`.

    >>> terms = random_terms(random.Random(2), 2, terms=3, min_degree=2)
    >>> len(terms), all(sum(m) >= 2 for m in terms), 0 not in terms.values()
    (3, True, True)
    """
    found: dict[tuple[int, ...], int] = {}
    while len(found) < terms:
        exponents = _random_exponents(rng, count, max_degree)
        if sum(exponents) >= min_degree:
            found[exponents] = rng.choice(
                [c for c in range(-max_coefficient, max_coefficient + 1) if c]
            )
    return found


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


def latex(expr: sympy.Expr | sympy.Poly) -> str:
    """Return LaTeX for a polynomial with terms in a stable, readable order.

    Integer polynomials (expressions or `sympy.Poly`) are printed directly
    from their terms (the same text as sympy's printer with order="grlex",
    several times faster); anything else goes through sympy.

    >>> latex(3*X*Y - X**2 + 2)
    '- x^{2} + 3 x y + 2'
    >>> latex(sympy.Poly(3*X*Y - X**2 + 2, Y, X))
    '- x^{2} + 3 x y + 2'
    """
    if isinstance(expr, sympy.Poly):
        fast = _poly_latex(expr)
        return fast if fast is not None else latex(expr.as_expr())
    fast = _integer_polynomial_latex(expr)
    return fast if fast is not None else sympy.latex(expr, order="grlex")


def _integer_polynomial_latex(expr: sympy.Expr) -> str | None:
    if isinstance(expr, (int, sympy.Integer)):
        return str(expr)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    if not symbols or not all(isinstance(s, sympy.Symbol) for s in symbols):
        return None
    try:
        poly = sympy.Poly(expr, *symbols)
    except sympy.PolynomialError:
        return None
    return _poly_latex(poly)


def _poly_latex(poly: sympy.Poly) -> str | None:
    if poly.domain != sympy.ZZ or not all(isinstance(g, sympy.Symbol) for g in poly.gens):
        return None
    if poly.is_zero:
        return "0"
    order = sorted(range(len(poly.gens)), key=lambda i: poly.gens[i].name)
    names = [poly.gens[i].name for i in order]
    terms = sorted(
        ((tuple(m[i] for i in order), c) for m, c in poly.terms()),
        key=lambda t: (sum(t[0]), t[0]),
        reverse=True,
    )
    text = ""
    for exponents, coefficient in terms:
        factors = [
            name if e == 1 else f"{name}^{{{e}}}"
            for name, e in zip(names, exponents, strict=True)
            if e
        ]
        size = abs(int(coefficient))
        body = " ".join(([str(size)] if size != 1 or not factors else []) + factors)
        if not text:
            text = f"- {body}" if coefficient < 0 else body
        else:
            text += f" - {body}" if coefficient < 0 else f" + {body}"
    return text


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
