"""Directions: a vector answer that is right when parallel to the expected one.

A direction of negative curvature is any non-zero multiple of an eigenvector,
so `(1, -2)`, `(-2, 4)` and `(1/2, -1)` are all right. Parallel means every
2x2 minor of the pair vanishes: a_i b_j - a_j b_i = 0 for all i < j.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

import sympy

from question_bank.budget import Budget
from question_bank.equivalence import Outcome, decide
from question_bank.errors import ParseError
from question_bank.limits import DEFAULT_LIMITS, TRUSTED_LIMITS, Limits
from question_bank.names import Vocabulary
from question_bank.parser import parse_with
from question_bank.rules import MistakeRule, RuleContext, first_match
from question_bank.structures import as_vector, preview
from question_bank.verdict import Verdict

ZERO_TAG = "direction.zero_vector"
UNDECIDED = "We could not decide this answer in the time allowed; it does not count against you."


def parallel(a: Sequence[sympy.Expr], b: Sequence[sympy.Expr], budget: Budget) -> Outcome:
    """Decide whether vectors a and b are parallel (b may be any non-zero multiple of a).

    >>> parallel([1, -2], [-2, 4], Budget(1)) is Outcome.EQUAL
    True
    >>> parallel([1, -2], [2, 1], Budget(1)) is Outcome.EQUAL
    False
    """
    outcomes = [
        decide(sympy.expand(a[i] * b[j]), sympy.expand(a[j] * b[i]), budget).outcome
        for i, j in combinations(range(len(a)), 2)
    ]
    if Outcome.DIFFERENT in outcomes:
        return Outcome.DIFFERENT
    return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.EQUAL


# A decimal direction (say a unit vector to 3 significant figures) is judged by its
# angle to the expected one: rounding to 3 figures turns a vector by well under
# 0.3 degrees, where 1 - |cos| stays below 1e-5; a wrong direction is far off.
ROUNDED_COSINE = 1 - 1e-5


def nearly_parallel(a: Sequence[sympy.Expr], b: Sequence[sympy.Expr]) -> Outcome:
    """Decide parallel for decimal entries: |cos angle| within rounding of 1.

    >>> nearly_parallel([1, -3], [sympy.Rational(316, 1000), sympy.Rational(-949, 1000)])
    <Outcome.EQUAL: 'equal'>
    >>> nearly_parallel([1, -3], [sympy.Rational(3, 10), sympy.Rational(-1, 1)])
    <Outcome.DIFFERENT: 'different'>
    """
    x, y = [float(e) for e in a], [float(e) for e in b]
    dot = sum(p * q for p, q in zip(x, y, strict=True))
    norms = math.sqrt(sum(p * p for p in x)) * math.sqrt(sum(q * q for q in y))
    if norms == 0:
        return Outcome.DIFFERENT
    return Outcome.EQUAL if abs(dot) / norms >= ROUNDED_COSINE else Outcome.DIFFERENT


def is_zero(vector: Sequence[sympy.Expr], budget: Budget) -> Outcome:
    """Decide whether every entry is zero."""
    outcomes = [decide(sympy.Integer(0), entry, budget).outcome for entry in vector]
    if Outcome.DIFFERENT in outcomes:
        return Outcome.DIFFERENT
    return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.EQUAL


def check_direction(
    expected: str,
    answer: str,
    variables: tuple[str, ...] = ("x", "y"),
    *,
    rules: Sequence[MistakeRule] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Verdict:
    """Judge a direction: correct when the answer is a non-zero multiple of `expected`.

    >>> check_direction("(1, -2)", "(-3, 6)").status
    'correct'
    >>> check_direction("(1, -2)", "(0, 0)").tags
    ('direction.zero_vector',)
    """
    vocabulary = Vocabulary.build(tuple(variables))
    want = as_vector(parse_with(expected, vocabulary, TRUSTED_LIMITS))
    if want is None:
        raise ValueError(f"expected direction {expected!r} is not a vector")
    try:
        value = parse_with(answer, vocabulary, limits)
    except ParseError as error:
        return Verdict.invalid(error.describe(answer), tags=("input.unreadable",))
    shown = preview(value)
    got = as_vector(value)
    if got is None or len(got) != len(want):
        return Verdict.invalid(
            f"a direction is a vector with {len(want)} components, like "
            f"({', '.join(['1'] * len(want))})",
            tags=("shape.mismatch",),
            preview=shown,
        )
    budget = Budget(limits.time_budget)
    a, b = [t.expr for t in want], [t.expr for t in got]
    zero = is_zero(b, budget)
    if zero is Outcome.EQUAL:
        return Verdict.graded(
            0.0, "The zero vector points nowhere: a direction must be non-zero.", (ZERO_TAG,), shown
        )
    rounded = any(t.approx for t in got) and not any(e.free_symbols for e in a + b)
    outcome = nearly_parallel(a, b) if rounded else parallel(a, b, budget)
    if Outcome.UNKNOWN in (zero, outcome):
        return Verdict.undecided(UNDECIDED, shown)
    if outcome is Outcome.EQUAL:
        return Verdict.graded(
            1.0, "Correct: any non-zero multiple of this direction works.", (), shown
        )
    verdict = Verdict.graded(
        0.0, "This vector does not point along the direction asked for.", (), shown
    )
    context = RuleContext(
        sympy.ImmutableMatrix(a), sympy.ImmutableMatrix(b), "vector",
        tuple(vocabulary.variables.values()), budget,
    )  # fmt: skip
    rule = first_match(rules, context)
    return verdict if rule is None else verdict.with_mistake(rule.tag, rule.feedback)
