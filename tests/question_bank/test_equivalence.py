"""decide(): exact for rational functions, numeric screen, bounded symbolic fallback."""

from __future__ import annotations

import pytest
import sympy

from question_bank import Budget, Outcome, decide, parse

EQ, NE, UNK = Outcome.EQUAL, Outcome.DIFFERENT, Outcome.UNKNOWN

CASES = [
    ("(x+1)^2", "x^2+2x+1", EQ, "exact"),
    ("(x+y)^5", "x^5 + 5x^4y + 10x^3y^2 + 10x^2y^3 + 5xy^4 + y^5", EQ, "exact"),
    ("x/(x^2+1)", "1/(x+1/x)", EQ, "exact"),
    ("(x^2-1)/(x-1)", "x+1", EQ, "exact"),
    ("x^2", "x^2 + 10^-12 x^3", NE, "exact"),
    ("x y", "y x + 10^-30", NE, "exact"),
    ("x*sqrt(x)", "x^(3/2)", EQ, "identical"),
    ("sqrt(x) x^2", "x^(5/2)", EQ, "identical"),
    ("sin(x)^2 + cos(x)^2", "1", EQ, "numeric"),
    ("2/(2+sqrt(2))", "2-sqrt(2)", EQ, "numeric"),
    ("exp(x+y)", "exp(x) exp(y)", EQ, "numeric"),
    ("sin(pi x)", "0", NE, "numeric"),
    ("sqrt(x^2)", "x", NE, "numeric"),
    ("log(x^2)", "2 log(x)", NE, "numeric"),
    ("sin(x)", "sin(x) + 10^-15", NE, "numeric"),
    ("exp(x)", "exp(x) + 10^-30", NE, "numeric"),
    ("exp(10^7 x + 1)", "e exp(10^7 x)", UNK, "symbolic"),
]


@pytest.mark.parametrize(("a", "b", "outcome", "method"), CASES)
def test_decide(a: str, b: str, outcome: Outcome, method: str) -> None:
    decision = decide(parse(a).expr, parse(b).expr, Budget(1.0))
    assert (decision.outcome, decision.method) == (outcome, method)


def test_spent_budget_gives_unknown_not_different() -> None:
    a, b = parse("sin(x)").expr, parse("sin(x) + 1").expr
    assert decide(a, b, Budget(0.0)).outcome is UNK


def test_symbolic_fallback_proves_what_points_cannot_reach() -> None:
    # exp(10^5 x) overflows at every sample point, so only the rewrites can decide.
    a, b = parse("exp(10^5 x + 1)").expr, parse("e exp(10^5 x)").expr
    assert decide(a, b, Budget(1.0)).outcome is EQ


def test_large_powers_fall_back_to_points_quickly() -> None:
    a, b = parse("(x+y+1)^1000").expr, parse("(x+y+2)^1000").expr
    assert decide(a, b, Budget(0.5)).outcome is NE


def test_sample_points_are_seeded_and_in_both_signs() -> None:
    from question_bank.equivalence import sample_points

    x = sympy.Symbol("x")
    first, again = sample_points([x], 20), sample_points([x], 20)
    assert first == again
    values = [p[x] for p in first]
    assert min(values) < 0 < max(values)
