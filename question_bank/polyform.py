"""Fold a parse tree into an exact rational function, without sympy.

A polynomial is a dict from exponent vectors (one exponent per declared
variable) to exact coefficients (int, or Fraction when not whole); a rational
function is a (numerator, denominator) pair of them, the denominator 1 when it
is constant. Two rational functions n1/d1 and n2/d2 are equal exactly when
n1*d2 == n2*d1, so equality is decided without any gcd.

Folding gives up (`Unfoldable`) on anything it cannot do exactly the way
sympy would read it: functions, pi and e, non-integer or non-numeric
exponents, division by zero, and numbers or expansions past modest sizes.
Whoever folds then builds sympy objects instead, which also raises the
parser's own errors (division by zero, limits) for the learner.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

from question_bank.limits import Limits
from question_bank.nodes import Apply, Atom, Chain, Neg, Node, Num, Pow

Monomial = tuple[int, ...]
Coefficient = int | Fraction
Poly = dict[Monomial, Coefficient]
Form = tuple[Poly, Poly]  # numerator, denominator

MAX_TERMS = 2000
MAX_PRODUCTS = 20000  # monomial products in one multiplication
MAX_SUM_POWER = 64  # largest exponent expanded for a sum of several terms
MAX_DIGITS = 300  # digits of any coefficient, well inside the parser's own limit
_LOG2_10 = 3.3219


class Unfoldable(Exception):
    """The tree is not a rational function we fold exactly; use sympy instead."""


class Folder:
    """Folds parse trees over `nvars` declared variables, within `limits`.

    Example:
        >>> x = Atom(None, 0, 1)
        >>> folder = Folder(1, Limits())
        >>> folder.fold(Pow(x, Num(2, 1, 3), 2))
        ({(2,): 1}, {(0,): 1})
    """

    def __init__(self, nvars: int, limits: Limits) -> None:
        self.unit: Monomial = (0,) * nvars
        self.one: Poly = {self.unit: 1}
        self.variables: list[Poly] = [
            {tuple(int(i == j) for j in range(nvars)): 1} for i in range(nvars)
        ]
        digits = min(MAX_DIGITS, limits.max_number_digits)
        self.max_bits = int((digits - 1) * _LOG2_10)
        self.max_exponent = limits.max_exponent
        self._folds = {
            Num: self._num, Atom: self._atom, Chain: self._chain,
            Neg: self._neg, Pow: self._power, Apply: self._apply,
        }  # fmt: skip

    def fold(self, node: Node) -> Form:
        """Return (numerator, denominator) of node, or raise Unfoldable."""
        return self._folds[type(node)](node)

    def _num(self, node: Num) -> Form:
        return self._checked({self.unit: _number(node.p, node.q)} if node.p else {}), self.one

    def _atom(self, node: Atom) -> Form:
        if node.index is None:
            raise Unfoldable  # pi, e
        return self.variables[node.index], self.one

    def _neg(self, node: Neg) -> Form:
        num, den = self.fold(node.operand)
        return {m: -c for m, c in num.items()}, den

    def _apply(self, node: Apply) -> Form:
        raise Unfoldable

    def _chain(self, node: Chain) -> Form:
        if node.kind == "product":
            term = self._term(node)
            if term is not None:
                return term, self.one
        fold, mul = self.fold, self._mul
        num, den = fold(node.first)
        owned = False  # whether num is a fresh dict this chain may add into
        for op, operand, _ in node.rest:
            n2, d2 = fold(operand)
            if op == "+" or op == "-":
                if den is d2 or den == d2:
                    if not owned:
                        num, owned = dict(num), True
                    _add_into(num, n2, -1 if op == "-" else 1)  # checked once at the end
                    continue
                if op == "-":
                    n2 = {m: -c for m, c in n2.items()}
                num, den = _add(mul(num, d2), mul(n2, den)), mul(den, d2)
            elif op == "*":
                num, den = mul(num, n2), mul(den, d2)
            else:
                if not n2:
                    raise Unfoldable  # division by zero: the parser explains it
                num, den = mul(num, d2), mul(den, n2)
            num, den = self._normal(self._checked(num), self._checked(den))
            owned = False
        return self._checked(num), den

    def _term(self, node: Chain) -> Poly | None:
        # The common product of numbers and powers of variables (6*x*y**2), directly;
        # None when any factor is something else.
        exponents = list(self.unit)
        coefficient: Coefficient = 1
        for op, factor, _ in [("*", node.first, 0), *node.rest]:
            kind = type(factor)
            if kind is Num and factor.p:  # type: ignore[attr-defined]
                value = _number(factor.p, factor.q)  # type: ignore[attr-defined]
                if op == "*":
                    coefficient *= value
                else:
                    coefficient = _whole(Fraction(coefficient, value))
            elif op == "/":
                return None
            elif kind is Atom and factor.index is not None:  # type: ignore[attr-defined]
                exponents[factor.index] += 1  # type: ignore[attr-defined]
            elif kind is Pow and type(factor.base) is Atom and type(factor.exponent) is Num:  # type: ignore
                index, power = factor.base.index, factor.exponent  # type: ignore[attr-defined]
                if index is None or power.q != 1 or not 0 <= power.p <= self.max_exponent:
                    return None
                exponents[index] += power.p
            else:
                return None
        return self._checked({tuple(exponents): coefficient})

    def _power(self, node: Pow) -> Form:
        exponent = self._exponent(node.exponent)
        if abs(exponent) > self.max_exponent:
            raise Unfoldable
        num, den = self.fold(node.base)
        if exponent < 0:
            if not num:
                raise Unfoldable  # 0 to a negative power
            num, den, exponent = den, num, -exponent
        return self._normal(self._raise(num, exponent), self._raise(den, exponent))

    def _exponent(self, node: Node) -> int:
        # Only a numeric exponent that folds to an integer: x^y and roots go to sympy,
        # and so does any exponent sympy might not fold to a number.
        if type(node) is Num:
            value = _number(node.p, node.q)
        else:
            if _has_atom(node):
                raise Unfoldable
            num, den = self.fold(node)
            if den != self.one or len(num) > 1:
                raise Unfoldable
            value = _whole(num.get(self.unit, 0))
        if type(value) is not int:
            raise Unfoldable
        return value

    def _raise(self, poly: Poly, n: int) -> Poly:
        if n == 0 or poly is self.one:
            return self.one
        if not poly:
            return poly
        if len(poly) == 1:  # a monomial: check the size of coefficient**n before computing it
            ((mono, coeff),) = poly.items()
            if _bits(coeff) * n > self.max_bits:
                raise Unfoldable
            return {tuple(e * n for e in mono): coeff**n}
        if n > MAX_SUM_POWER or comb(n + len(poly) - 1, len(poly) - 1) > MAX_TERMS:
            raise Unfoldable
        result, square = self.one, poly
        while n:
            if n & 1:
                result = self._checked(self._mul(result, square))
            n >>= 1
            if n:
                square = self._checked(self._mul(square, square))
        return result

    def _mul(self, a: Poly, b: Poly) -> Poly:
        if a is self.one:
            return b
        if b is self.one:
            return a
        return multiply(a, b)

    def _normal(self, num: Poly, den: Poly) -> Form:
        # A constant denominator moves into the numerator's coefficients.
        if den is self.one or len(den) != 1 or self.unit not in den:
            return num, den
        scale = Fraction(1) / den[self.unit]
        return self._checked({m: _whole(c * scale) for m, c in num.items()}), self.one

    def _checked(self, poly: Poly) -> Poly:
        if len(poly) > MAX_TERMS:
            raise Unfoldable
        limit = self.max_bits
        for coeff in poly.values():
            if (coeff.bit_length() if type(coeff) is int else _bits(coeff)) > limit:
                raise Unfoldable
        return poly


def equal(a: Form, b: Form) -> bool:
    """Return whether two folded rational functions are equal; Unfoldable if too large.

    Example:
        >>> one = {(0,): 1}
        >>> equal(({(1,): 2}, one), ({(1,): Fraction(4, 2)}, one))
        True
        >>> equal(({(2,): 1, (0,): -1}, {(1,): 1, (0,): -1}), ({(1,): 1, (0,): 1}, one))
        True
    """
    (n1, d1), (n2, d2) = a, b
    if d1 == d2:
        return n1 == n2
    return multiply(n1, d2) == multiply(n2, d1)


def multiply(a: Poly, b: Poly) -> Poly:
    """Return the product of two polynomials, or raise Unfoldable when it is too large.

    Example:
        >>> multiply({(1,): 1, (0,): 1}, {(1,): 1, (0,): -1})
        {(2,): 1, (0,): -1}
    """
    if len(a) == 1 and len(b) == 1:  # monomials: the common case
        ((ma, ca),) = a.items()
        ((mb, cb),) = b.items()
        return {tuple([i + j for i, j in zip(ma, mb, strict=True)]): ca * cb} if ca and cb else {}
    if len(a) * len(b) > MAX_PRODUCTS:
        raise Unfoldable
    if len(b) == 1 and len(a) > 1:
        a, b = b, a
    out: Poly = {}
    get = out.get
    for ma, ca in a.items():
        for mb, cb in b.items():
            mono = tuple([i + j for i, j in zip(ma, mb, strict=True)])
            out[mono] = get(mono, 0) + ca * cb
    return {m: c for m, c in out.items() if c}


def _add_into(total: Poly, poly: Poly, sign: int) -> None:
    for mono, coeff in poly.items():
        value = total.get(mono, 0) + sign * coeff
        if value:
            total[mono] = value
        else:
            del total[mono]


def _add(a: Poly, b: Poly) -> Poly:
    out = dict(a)
    for mono, coeff in b.items():
        total = out.get(mono, 0) + coeff
        if total:
            out[mono] = total
        else:
            del out[mono]
    return out


def _number(p: int, q: int) -> Coefficient:
    return p if q == 1 else _whole(Fraction(p, q))


def _whole(value: Coefficient) -> Coefficient:
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def _bits(coeff: Coefficient) -> int:
    if type(coeff) is int:
        return coeff.bit_length()
    return max(coeff.numerator.bit_length(), coeff.denominator.bit_length())


def _has_atom(node: Node) -> bool:
    if isinstance(node, Atom):
        return True
    if isinstance(node, Num):
        return False
    if isinstance(node, Chain):
        return _has_atom(node.first) or any(_has_atom(n) for _, n, _ in node.rest)
    if isinstance(node, Neg):
        return _has_atom(node.operand)
    if isinstance(node, Pow):
        return _has_atom(node.base) or _has_atom(node.exponent)
    return True  # a function: not a plain number either
