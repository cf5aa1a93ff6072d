"""Decide whether two scalar expressions are equal: exact, numeric, symbolic.

1. Rational functions (polynomials included) compare exactly through
   `exact.RationalForm`: a proof either way, in microseconds.
2. Anything with other atoms (sin, exp, sqrt, pi) is evaluated with mpmath at
   50 digits at seeded random real points in both signs. A difference at any
   point proves inequality; agreement at every point is accepted (probabilistic
   identity testing: a wrong answer would have to agree to 40 significant
   digits at every random point). Small gaps, where cancellation could be to
   blame, are measured again at 120 digits.
3. Only when too few points can be evaluated (overflow, log(0), ...) do bounded
   sympy rewrites run, each started only while the time budget lasts; when they
   cannot settle it the answer is UNKNOWN, never a false "different".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

import sympy

from question_bank.budget import Budget
from question_bank.exact import RationalForm, TooBig
from question_bank.numeric import Unusable, context, evaluate
from question_bank.polyform import Unfoldable, equal
from question_bank.structures import Term

SEED = 20240607
POINTS = 6
MIN_USABLE = 3
AGREE = 1e-40  # relative difference at 50 digits still counted as equal
RECHECK = 1e-10  # differences between AGREE and this are re-measured at 120 digits
_SYMBOLIC_MAX_NODES = 150


class Outcome(Enum):
    """The three answers a decision can give."""

    EQUAL = "equal"
    DIFFERENT = "different"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Decision:
    """An outcome and the method that reached it (`exact`, `numeric`, `symbolic`)."""

    outcome: Outcome
    method: str

    @property
    def equal(self) -> bool:
        """Return whether the expressions were shown equal."""
        return self.outcome is Outcome.EQUAL


def decide(a: sympy.Expr, b: sympy.Expr, budget: Budget) -> Decision:
    """Decide whether a == b for all real values of their symbols.

    Example:
        >>> x = sympy.Symbol("x", real=True)
        >>> decide((x + 1) ** 2, x**2 + 2*x + 1, Budget(1.0)).outcome
        <Outcome.EQUAL: 'equal'>
        >>> decide(sympy.sin(sympy.pi * x), sympy.Integer(0), Budget(1.0)).outcome
        <Outcome.DIFFERENT: 'different'>
    """
    if a == b:
        return Decision(Outcome.EQUAL, "identical")
    form = RationalForm(deadline=budget.deadline - 0.8 * budget.remaining())
    try:
        if form.equal(a, b):
            return Decision(Outcome.EQUAL, "exact")
        if not form.atoms_seen:
            return Decision(Outcome.DIFFERENT, "exact")
    except TooBig:
        pass
    outcome = _numeric(a, b, budget)
    if outcome is not Outcome.UNKNOWN:
        return Decision(outcome, "numeric")
    return Decision(_symbolic(a, b, budget), "symbolic")


def decide_terms(want: Term, got: Term, budget: Budget) -> Outcome:
    """Decide whether two parsed terms are equal: exactly from folded forms where both have one.

    Example:
        >>> from question_bank.parser import parse
        >>> decide_terms(parse("(x+1)^2"), parse("x^2 + 2x + 1"), Budget(1.0))
        <Outcome.EQUAL: 'equal'>
        >>> decide_terms(parse("x/(x+1)"), parse("1 - 1/x"), Budget(1.0))
        <Outcome.DIFFERENT: 'different'>
    """
    if want.form is not None and got.form is not None and not budget.expired():
        try:
            return Outcome.EQUAL if equal(want.form, got.form) else Outcome.DIFFERENT
        except Unfoldable:
            pass  # too large to compare exactly here: let decide try its ways
    return decide(want.expr, got.expr, budget).outcome


def sample_points(symbols: list[sympy.Symbol], count: int, seed: int = SEED) -> list[dict]:
    """Return `count` seeded random points, coordinates in ±[0.1, 2.6], both signs.

    Example:
        >>> x = sympy.Symbol("x")
        >>> len(sample_points([x], 3))
        3
    """
    rng = random.Random(seed)
    points = []
    for _ in range(count):
        point = {}
        for sym in symbols:
            magnitude = 0.1 + 2.5 * rng.random()
            point[sym] = magnitude if rng.random() < 0.5 else -magnitude
        points.append(point)
    return points


def _numeric(a: sympy.Expr, b: sympy.Expr, budget: Budget) -> Outcome:
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    count = POINTS if symbols else 1
    usable = 0
    for point in sample_points(symbols, 3 * count):
        if budget.expired():
            return Outcome.UNKNOWN
        try:
            same = _agree_at(a, b, point)
        except Unusable:
            continue
        if not same:
            return Outcome.DIFFERENT
        usable += 1
        if usable >= count:
            return Outcome.EQUAL
    return Outcome.EQUAL if usable >= min(MIN_USABLE, count) else Outcome.UNKNOWN


def _agree_at(a: sympy.Expr, b: sympy.Expr, point: dict) -> bool:
    gap = _relative_gap(a, b, point, 50)
    if gap <= AGREE:
        return True
    if gap > RECHECK:
        return False
    # Cancellation can cost digits; a true identity shrinks at higher precision.
    return _relative_gap(a, b, point, 120) <= 1e-100


def _relative_gap(a: sympy.Expr, b: sympy.Expr, point: dict, dps: int) -> float:
    ctx = context(dps)
    exact_point = {sym: ctx.mpf(value) for sym, value in point.items()}
    va, vb = evaluate(a, exact_point, dps), evaluate(b, exact_point, dps)
    scale = max(ctx.mpf(1), abs(va), abs(vb))
    return float(abs(va - vb) / scale)


def _symbolic(a: sympy.Expr, b: sympy.Expr, budget: Budget) -> Outcome:
    difference = a - b
    if not _small_enough(difference):
        return Outcome.UNKNOWN
    steps = (
        lambda d: sympy.expand(d),
        lambda d: sympy.expand(sympy.expand_trig(d)),
        lambda d: sympy.cancel(sympy.powsimp(d)),
    )
    for step in steps:
        if budget.expired():
            return Outcome.UNKNOWN
        try:
            if step(difference) == 0:
                return Outcome.EQUAL
        except (ArithmeticError, ValueError, TypeError, sympy.PolynomialError):
            return Outcome.UNKNOWN  # a rewrite that gives up is no evidence either way
    return Outcome.UNKNOWN


def _small_enough(expr: sympy.Expr) -> bool:
    # sympy's rewrites cannot be interrupted, so only small inputs with small
    # numbers reach them: each step then finishes in milliseconds.
    for count, node in enumerate(sympy.preorder_traversal(expr)):
        if count > _SYMBOLIC_MAX_NODES:
            return False
        if node.is_Rational and (abs(node.p) > 10**6 or node.q > 10**6):
            return False
    return True
