"""Build sympy numbers and operations only after checking they stay small."""

from __future__ import annotations

import sympy

from question_bank.errors import LimitError, ParseError
from question_bank.limits import Limits

_LOG10_2 = 0.30103
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def digits(number: sympy.Rational) -> int:
    """Return about how many decimal digits the larger of p and q has.

    Example:
        >>> digits(sympy.Rational(12345, 7))
        5
    """
    return int(max(abs(number.p).bit_length(), number.q.bit_length()) * _LOG10_2) + 1


def power(base: sympy.Expr, exponent: sympy.Expr, limits: Limits, column: int) -> sympy.Expr:
    """Return base**exponent, refusing exponents and results past the limits.

    Example:
        >>> power(sympy.Integer(2), sympy.Integer(10), Limits(), 1)
        1024
    """
    if exponent.is_Rational:
        if abs(exponent) > limits.max_exponent or exponent.q > 10_000:
            raise LimitError(
                f"the exponent at column {column} is too large (the limit is "
                f"{limits.max_exponent}); check the power you typed",
                column,
            )
        if base.is_Rational and digits(base) * abs(exponent) > limits.max_number_digits:
            raise LimitError(
                f"the power at column {column} would have more than "
                f"{limits.max_number_digits} digits; simplify it first",
                column,
            )
        if base == 0 and exponent < 0:
            raise ParseError(f"division by zero: 0 to a negative power at column {column}", column)
    return _checked(sympy.Pow(base, exponent), limits, column)


def divide(left: sympy.Expr, right: sympy.Expr, limits: Limits, column: int) -> sympy.Expr:
    """Return left/right, refusing a denominator that is exactly zero.

    Example:
        >>> divide(sympy.Integer(1), sympy.Integer(4), Limits(), 1)
        1/4
    """
    if right == 0:
        raise ParseError(f"division by zero at column {column}", column)
    return multiply(left, power(right, sympy.Integer(-1), limits, column), limits, column)


def multiply(left: sympy.Expr, right: sympy.Expr, limits: Limits, column: int) -> sympy.Expr:
    """Return left*right, refusing numbers past the digit limit.

    Example:
        >>> multiply(sympy.Integer(6), sympy.Symbol("x"), Limits(), 1)
        6*x
    """
    return _checked(sympy.Mul(left, right), limits, column)


def apply(function, argument: sympy.Expr, limits: Limits, column: int) -> sympy.Expr:
    """Return function(argument), refusing an undefined value such as log(0).

    Example:
        >>> apply(sympy.sqrt, sympy.Integer(8), Limits(), 1)
        2*sqrt(2)
    """
    return _checked(function(argument), limits, column)


def add(left: sympy.Expr, right: sympy.Expr, limits: Limits, column: int) -> sympy.Expr:
    """Return left+right, refusing numbers past the digit limit.

    Example:
        >>> add(sympy.Integer(1), sympy.Rational(1, 2), Limits(), 1)
        3/2
    """
    return _checked(sympy.Add(left, right), limits, column)


def _checked(result: sympy.Expr, limits: Limits, column: int) -> sympy.Expr:
    # Folding two allowed numbers can still make a long one (a product of
    # many 40-digit literals); refuse it before the next operation grows it.
    number = result.as_coeff_Mul()[0] if result.is_Mul else result
    if number.is_Rational and digits(number) > limits.max_number_digits:
        raise LimitError(
            f"a number near column {column} grows past {limits.max_number_digits} digits",
            column,
        )
    if result in _UNDEFINED:
        raise ParseError(f"the value near column {column} is undefined (division by zero?)", column)
    return result


def checked_number(p: int, q: int, limits: Limits, column: int) -> sympy.Rational:
    """Return the exact rational p/q from a written number, within the digit limit.

    Example:
        >>> checked_number(5, 10, Limits(), 1)
        1/2
    """
    number = sympy.Rational(p, q)
    return _checked(number, limits, column)
