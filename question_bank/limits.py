"""Limits that bound the work done on one answer before sympy sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on learner input; every one is checked before sympy does any work.

    Example:
        >>> Limits().max_length
        2000
        >>> Limits(max_length=100).max_length
        100
    """

    max_length: int = 2000  # characters of input
    max_tokens: int = 500  # tokens after normalisation
    max_depth: int = 40  # nesting of brackets and operators
    max_literal_digits: int = 40  # digits in one written number
    max_exponent: int = 1000  # |exponent| of a power with a numeric exponent
    max_number_digits: int = 1000  # digits of any exact number built by folding
    max_dimension: int = 10  # rows, columns, vector length
    max_points: int = 50  # points in a point set
    time_budget: float = 0.5  # seconds for deciding equivalence


DEFAULT_LIMITS = Limits()

# Expected answers are our own canonical text: same parser, roomier limits.
TRUSTED_LIMITS = Limits(max_length=20000, max_tokens=5000, max_depth=80)
