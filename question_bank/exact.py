"""Exact comparison of rational functions, with other subterms as opaque atoms.

A rational function is p/q with p, q sparse polynomials over the rationals.
Two of them are equal exactly when p1*q2 == p2*q1, so no gcd is needed.
Anything that is not built from +, *, and integer powers (sin(x), sqrt(2),
exp(x), pi) becomes a new generator: equality as polynomials in those
generators proves equality, but inequality proves nothing about them.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import sympy

from question_bank.budget import clock

Monomial = tuple[tuple[int, int], ...]  # sorted (generator index, exponent) pairs
Poly = dict[Monomial, Fraction]

MAX_TERMS = 2000
MAX_PRODUCTS = 20000  # monomial products in one multiplication
MAX_SUM_POWER = 64  # largest exponent expanded for a sum of several terms
_ONE: Poly = {(): Fraction(1)}


class TooBig(Exception):
    """The expanded form would be too large to compare exactly."""


class RationalForm:
    """Converts sympy expressions to numerator/denominator polynomials.

    Example:
        >>> x = sympy.Symbol("x")
        >>> form = RationalForm()
        >>> form.equal((x + 1) ** 2, x**2 + 2 * x + 1)
        True
        >>> form.atoms_seen
        False
    """

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline  # a budget.clock() value; past it, give up (TooBig)
        self.generators: dict[sympy.Basic, int] = {}
        self.atoms_seen = False  # a non-symbol generator (sin(x), sqrt(2), ...) was used

    def equal(self, a: sympy.Expr, b: sympy.Expr) -> bool:
        """Return whether a and b are equal as rational functions of the generators."""
        p1, q1 = self.convert(a)
        p2, q2 = self.convert(b)
        if q1 == q2:
            return p1 == p2
        return self._mul(p1, q2) == self._mul(p2, q1)

    def convert(self, expr: sympy.Expr) -> tuple[Poly, Poly]:
        """Return (numerator, denominator) of expr; raise TooBig when it grows too large."""
        if expr.is_Rational:
            return ({(): Fraction(int(expr.p), int(expr.q))} if expr != 0 else {}), _ONE
        if expr.is_Add:
            return self._add(expr.args)
        if expr.is_Mul:
            num, den = _ONE, _ONE
            for arg in expr.args:
                p, q = self.convert(arg)
                num, den = self._mul(num, p), self._mul(den, q)
            return num, den
        if expr.is_Pow and expr.exp.is_Rational:
            return self._pow(expr.base, expr.exp)
        return self._generator(expr), _ONE

    def _add(self, args: tuple[sympy.Expr, ...]) -> tuple[Poly, Poly]:
        num: Poly = {}
        den = _ONE
        for arg in args:
            p, q = self.convert(arg)
            if q == den:
                num = _add(num, p)
            else:
                num, den = _add(self._mul(num, q), self._mul(p, den)), self._mul(den, q)
        return num, den

    def _pow(self, base: sympy.Expr, exponent: sympy.Rational) -> tuple[Poly, Poly]:
        # x^(p/q) is (x^(1/q))^p: x*sqrt(x) and x^(3/2) meet as the same monomial.
        n = int(exponent.p)
        if exponent.q != 1:
            p, q = self._generator(sympy.Pow(base, sympy.Rational(1, exponent.q))), _ONE
        else:
            p, q = self.convert(base)
        if n < 0:
            p, q, n = q, p, -n
        return self._power(p, n), self._power(q, n)

    def _mul(self, a: Poly, b: Poly) -> Poly:
        if self.deadline is not None and clock() > self.deadline:
            raise TooBig
        return _mul(a, b)

    def _power(self, p: Poly, n: int) -> Poly:
        if n == 0:
            return _ONE
        if not p:
            return p  # zero to a positive power
        if len(p) == 1:  # a monomial: raise it directly, however large n is
            ((mono, coeff),) = p.items()
            return {tuple((g, e * n) for g, e in mono): coeff**n}
        # A t-term polynomial to the n has up to C(n + t - 1, t - 1) terms, and
        # coefficients with about n digits: past a modest n, leave it to the points.
        if n > MAX_SUM_POWER or comb(n + len(p) - 1, len(p) - 1) > MAX_TERMS:
            raise TooBig
        result, square = _ONE, p
        while n:
            if n & 1:
                result = self._mul(result, square)
            n >>= 1
            if n:
                square = self._mul(square, square)
        return result

    def _generator(self, expr: sympy.Basic) -> Poly:
        if not expr.is_Symbol:
            self.atoms_seen = True
        index = self.generators.setdefault(expr, len(self.generators))
        return {((index, 1),): Fraction(1)}


def _add(a: Poly, b: Poly) -> Poly:
    out = dict(a)
    for mono, coeff in b.items():
        total = out.get(mono, 0) + coeff
        if total:
            out[mono] = total
        else:
            out.pop(mono, None)
    return out


def _mul(a: Poly, b: Poly) -> Poly:
    if a is _ONE:
        return b
    if b is _ONE:
        return a
    if len(a) * len(b) > MAX_PRODUCTS:
        raise TooBig
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            mono = _mono_mul(ma, mb)
            total = out.get(mono, 0) + ca * cb
            if total:
                out[mono] = total
            else:
                out.pop(mono, None)
    if len(out) > MAX_TERMS:
        raise TooBig
    return out


def _mono_mul(a: Monomial, b: Monomial) -> Monomial:
    if not a:
        return b
    if not b:
        return a
    exponents = dict(a)
    for gen, exp in b:
        exponents[gen] = exponents.get(gen, 0) + exp
    return tuple(sorted((g, e) for g, e in exponents.items() if e))
