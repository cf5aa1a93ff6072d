"""Mistake rules: each recognises its mistake, reports a tag, and stays quiet otherwise."""

from __future__ import annotations

import pytest
import sympy

from question_bank import (
    MistakeRule,
    RuleContext,
    check_answer,
    drop_cross_terms,
    off_diagonal_zeroed,
    reciprocal,
    scaled,
    sign_flipped,
)
from question_bank.rules import first_match

x, y = sympy.symbols("x y", real=True)

# Rules a Hessian family might declare, for f = x^3 + 3x^2y + y^3.
HESSIAN = "[[6*x + 6*y, 6*x], [6*x, 6*y]]"
HESSIAN_RULES = (
    MistakeRule.transform(
        "hessian.missing_cross_term",
        "The mixed partial derivatives are missing: differentiate in x, then in y.",
        off_diagonal_zeroed,
        kinds=("matrix",),
    ),
    scaled(sympy.Rational(1, 2), "hessian.half", "Every entry is half what it should be."),
)

STEP_RULES = (
    reciprocal("step.reciprocal", "This is 1/eta, not the bound on eta."),
    scaled(
        sympy.Rational(1, 2),
        "step.one_over_lambda",
        "1/lambda is the optimal step; the stability bound is 2/lambda.",
    ),
)

CASES = [
    # (expected, answer, kind, rules, tag or None)
    (HESSIAN, "[6x+6y, 0; 0, 6y]", "matrix", HESSIAN_RULES, "hessian.missing_cross_term"),
    (HESSIAN, "[3x+3y, 3x; 3x, 3y]", "matrix", HESSIAN_RULES, "hessian.half"),
    (HESSIAN, "[6x+6y, 6x; 6x, 6y+1]", "matrix", HESSIAN_RULES, None),
    (HESSIAN, "[-6x-6y, -6x; -6x, -6y]", "matrix", HESSIAN_RULES, "generic.sign_flipped"),
    ("2/lambda", "lambda/2", "expr", STEP_RULES, "step.reciprocal"),
    ("2/lambda", "1/lambda", "expr", STEP_RULES, "step.one_over_lambda"),
    ("2/lambda", "3/lambda", "expr", STEP_RULES, None),
    ("2/lambda", "-2/lambda", "expr", STEP_RULES, "generic.sign_flipped"),
    ("(2*x, 3)", "(-2x, -3)", "vector", (), "generic.sign_flipped"),
    ("1/4", "-0.25", "number", (), "generic.sign_flipped"),
]


@pytest.mark.parametrize(("expected", "answer", "kind", "rules", "tag"), CASES)
def test_rules_through_check_answer(expected, answer, kind, rules, tag) -> None:
    variables = ("x", "y", "lambda")
    verdict = check_answer(expected, answer, kind=kind, variables=variables, rules=rules)
    assert verdict.status == "incorrect"
    rule_tags = [t for t in verdict.tags if t.startswith(("hessian.", "step.", "generic."))]
    assert rule_tags == ([tag] if tag else [])
    every = (*rules, sign_flipped())
    if tag:
        (rule,) = [r for r in every if r.tag == tag]
        assert rule.feedback in verdict.feedback


def test_rules_do_not_run_on_correct_answers() -> None:
    verdict = check_answer(HESSIAN, "[6x+6y, 6x; 6x, 6y]", kind="matrix", rules=HESSIAN_RULES)
    assert verdict.correct and verdict.tags == ()


def test_first_matching_rule_wins() -> None:
    always = MistakeRule("demo.first", "first", lambda context: True)
    also = MistakeRule("demo.second", "second", lambda context: True)
    context = RuleContext(x, y, "expr", (x, y))
    assert first_match((always, also), context) is always


def test_rule_kinds_filter() -> None:
    matrix_only = MistakeRule("demo.matrix", "m", lambda context: True, kinds=("matrix",))
    assert first_match((matrix_only,), RuleContext(x, y, "expr", (x, y))) is None


def test_transform_that_changes_nothing_never_matches() -> None:
    # For a diagonal Hessian, zeroing the off-diagonal changes nothing: no false alarm.
    rule = HESSIAN_RULES[0]
    diagonal = sympy.ImmutableMatrix([[2, 0], [0, 2]])
    assert not rule.matches(RuleContext(diagonal, diagonal, "matrix", (x, y)))


def test_predicate_rules_see_the_answer() -> None:
    degree_rule = MistakeRule(
        "poly.wrong_degree",
        "Check the degree.",
        lambda c: sympy.degree(c.answer, x) != sympy.degree(c.expected, x),
    )
    verdict = check_answer("x**2", "x^3", rules=(degree_rule,))
    assert "poly.wrong_degree" in verdict.tags


def test_drop_cross_terms() -> None:
    assert drop_cross_terms(x**3 + 3 * x**2 * y + y**3, (x, y)) == x**3 + y**3
    assert drop_cross_terms((x + y) ** 2, (x, y)) == x**2 + y**2


def test_off_diagonal_zeroed() -> None:
    matrix = sympy.ImmutableMatrix([[1, 2], [3, 4]])
    assert off_diagonal_zeroed(matrix) == sympy.ImmutableMatrix([[1, 0], [0, 4]])


# A decimal names a mistake when it agrees with the mistaken value to the significant
# figures the number grader accepts for a right answer.
ONE_OVER_LAMBDA = (scaled(sympy.Rational(1, 2), "step.one_over_lambda", "1/lambda, not 2/lambda."),)
MOMENTUM = (
    MistakeRule.transform(
        "rate.momentum",
        "The heavy-ball rate.",
        lambda e: (sympy.sqrt(3) - 1) / (sympy.sqrt(3) + 1),  # irrational: only a decimal
        kinds=("number",),
    ),
)
NEARLY = (MistakeRule.transform("demo.nearly", "Off.", lambda e: sympy.Rational(10015, 10**5)),)
DECIMAL_CASES = [
    # (expected, answer, kind, rules, tag); 2/13 = 0.153846..., 1/13 = 0.076923...
    ("2/13", "0.0769", "number", ONE_OVER_LAMBDA, "step.one_over_lambda"),
    ("2/13", "0.07692", "number", ONE_OVER_LAMBDA, "step.one_over_lambda"),
    ("2/13", "7.69e-2", "number", ONE_OVER_LAMBDA, "step.one_over_lambda"),
    ("2/13", "-0.1538", "number", ONE_OVER_LAMBDA, "generic.sign_flipped"),
    ("3/10", "0.268", "number", MOMENTUM, "rate.momentum"),  # (sqrt 3 - 1)/(sqrt 3 + 1)
    ("3/10", "0.2679", "number", MOMENTUM, "rate.momentum"),
    ("999/10000", "0.1002", "number", NEARLY, "demo.nearly"),
    ("(1/3, 1/2)", "(-0.3333, -0.5)", "vector", (), "generic.sign_flipped"),
    ("[[1/3, 0], [0, 2/7]]", "[-0.333, 0; 0, -0.2857]", "matrix", (), "generic.sign_flipped"),
]
# (expected, rules, a decimal that names the mistake, one that must not)
UNNAMED_DECIMALS = [
    ("2/13", ONE_OVER_LAMBDA, "0.0769", "0.077"),  # two figures: not 1/13 to three
    ("3/10", MOMENTUM, "0.268", "0.27"),
    # 0.0999 -> 0.10015 crosses a power of ten: 0.1000 agrees with 0.10015 to three figures,
    # but it is nearer the right value, so it is not read as the mistake.
    ("999/10000", NEARLY, "0.1002", "0.1000"),
]


def _named(verdict) -> list[str]:
    return [t for t in verdict.tags if t.startswith(("step.", "rate.", "demo.", "generic."))]


@pytest.mark.parametrize(("expected", "answer", "kind", "rules", "tag"), DECIMAL_CASES)
def test_decimal_answers_name_mistakes_to_significant_figures(
    expected, answer, kind, rules, tag
) -> None:
    verdict = check_answer(expected, answer, kind=kind, rules=rules)
    assert verdict.status == "incorrect"
    assert _named(verdict) == [tag]
    (rule,) = [r for r in (*rules, sign_flipped()) if r.tag == tag]
    assert verdict.feedback.endswith(rule.feedback)


@pytest.mark.parametrize(("expected", "rules", "named", "unnamed"), UNNAMED_DECIMALS)
def test_decimals_off_the_mistake_name_nothing(expected, rules, named, unnamed) -> None:
    assert _named(check_answer(expected, named, kind="number", rules=rules)) == [rules[0].tag]
    verdict = check_answer(expected, unnamed, kind="number", rules=rules)
    assert verdict.status == "incorrect" and _named(verdict) == []


def test_a_decimal_that_rounds_to_the_right_value_and_a_mistake_is_right() -> None:
    # 1/3 = 0.33333 and the mistake 1/3 + 0.0008 = 0.33413 are both within 0.0005 of 0.3337.
    rules = (MistakeRule.transform("demo.nearly", "Off.", lambda e: e + sympy.Rational(8, 10000)),)
    assert check_answer("1/3", "0.3337", kind="number", rules=rules).correct
    assert check_answer("1/3", "0.3343", kind="number", rules=rules).tags == ("demo.nearly",)


def test_a_decimal_mistake_is_not_also_told_to_give_more_digits() -> None:
    # 0.467 is within 20 tolerances of 6/13 = 0.4615 (a near miss) but is 7/15 = 0.4667 to
    # three figures: the mistake is named, and "give more digits" would mislead.
    rules = (MistakeRule.transform("demo.seven", "7/15.", lambda e: sympy.Rational(7, 15)),)
    verdict = check_answer("6/13", "0.467", kind="number", rules=rules)
    assert verdict.tags == ("demo.seven",)
    assert verdict.feedback == "Not correct. 7/15."
    near_miss = check_answer("6/13", "0.46", kind="number", rules=rules)
    assert near_miss.tags == ("number.too_few_digits",)
