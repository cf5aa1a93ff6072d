"""Directions: a vector answer that is right when parallel to the expected one.

A direction of negative curvature is any non-zero multiple of an eigenvector,
so `(1, -2)`, `(-2, 4)` and `(1/2, -1)` are all right. Parallel means every
2x2 minor of the pair vanishes: a_i b_j - a_j b_i = 0 for all i < j.
"""

from __future__ import annotations

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
    outcome = parallel(a, b, budget)
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
