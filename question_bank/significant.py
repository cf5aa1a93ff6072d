"""The number kind's rule: exact answers exactly, decimals to significant figures."""

from __future__ import annotations

import mpmath
import sympy

from question_bank.equivalence import Outcome
from question_bank.numeric import Unusable, context, evaluate

DEFAULT_FIGURES = 3
ZERO_TOLERANCE = 1e-9  # absolute, when the expected value is 0


def tolerance(expected, figures: int = DEFAULT_FIGURES) -> mpmath.mpf:
    """Return half a unit in the last of `figures` significant digits of expected.

    Example:
        >>> float(tolerance(1 / 3))
        0.0005
        >>> float(tolerance(0))
        1e-09
    """
    ctx = context(50)
    size = abs(ctx.mpmathify(expected))
    if size == 0:
        return ctx.mpf(ZERO_TOLERANCE)
    leading = int(ctx.floor(ctx.log10(size)))
    return ctx.mpf(10) ** (leading - (figures - 1)) / 2


def within(expected, answer, figures: int = DEFAULT_FIGURES) -> bool:
    """Return whether answer agrees with expected to `figures` significant figures.

    Example:
        >>> within(1 / 3, 0.333), within(1 / 3, 0.33), within(1 / 3, 0.334)
        (True, False, False)
    """
    ctx = context(50)
    gap = abs(ctx.mpmathify(answer) - ctx.mpmathify(expected))
    return bool(gap <= tolerance(expected, figures))


def decimal_outcome(expected: sympy.Expr, answer: sympy.Expr, figures: int) -> Outcome:
    """Compare a decimal answer with an exact constant to `figures` significant figures.

    Example:
        >>> decimal_outcome(sympy.Rational(1, 3), sympy.Rational(333, 1000), 3).name
        'EQUAL'
    """
    try:
        expected_value = evaluate(expected, {})
        answer_value = evaluate(answer, {})
    except Unusable:
        return Outcome.UNKNOWN
    return Outcome.EQUAL if within(expected_value, answer_value, figures) else Outcome.DIFFERENT


def close(expected: sympy.Expr, answer: sympy.Expr, figures: int, factor: int = 20) -> bool:
    """Return whether answer is within `factor` tolerances of expected (a near miss).

    Example:
        >>> close(sympy.Rational(1, 3), sympy.Rational(33, 100), 3)
        True
    """
    try:
        expected_value = evaluate(expected, {})
        answer_value = evaluate(answer, {})
    except Unusable:
        return False
    return bool(abs(answer_value - expected_value) <= factor * tolerance(expected_value, figures))


def reads_as(answer: sympy.Expr, value: sympy.Expr, rival: sympy.Expr, figures: int) -> bool:
    """Return whether a decimal answer reads as `value` rather than `rival`.

    The answer must agree with value to `figures` significant figures (the
    tolerance a correct decimal gets) and be no nearer to rival.

    Example:
        >>> third, half = sympy.Rational(1, 3), sympy.Rational(1, 2)
        >>> reads_as(sympy.Rational(333, 1000), third, half, 3)
        True
        >>> reads_as(sympy.Rational(33, 100), third, half, 3)
        False
    """
    try:
        answer_value = evaluate(answer, {})
        value_value = evaluate(value, {})
        rival_value = evaluate(rival, {})
    except Unusable:
        return False
    if not within(value_value, answer_value, figures):
        return False
    return bool(abs(answer_value - value_value) <= abs(answer_value - rival_value))
