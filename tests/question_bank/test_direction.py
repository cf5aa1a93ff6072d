"""Direction answers: any non-zero multiple of the expected vector is right."""

from __future__ import annotations

import pytest

from question_bank.direction import check_direction
from question_bank.rules import MistakeRule

CASES = [
    ("(1, -2)", "(1, -2)", "correct"),
    ("(1, -2)", "(-1, 2)", "correct"),
    ("(1, -2)", "(0.5, -1)", "correct"),
    ("(1, -2)", "[3; -6]", "correct"),
    ("(1, -2)", "(sqrt(2), -2sqrt(2))", "correct"),
    ("(1, 0, -1)", "(-7, 0, 7)", "correct"),
    ("(0, 1)", "(0, -5)", "correct"),
    ("(1, -2)", "(2, 1)", "incorrect"),
    ("(1, -2)", "(1, -2.1)", "incorrect"),
    ("(1, -3)", "(0.316, -0.949)", "correct"),
    ("(1, -3)", "(-0.316, 0.949)", "correct"),
    ("(1, 1)", "(0.707, 0.707)", "correct"),
    ("(1, -3)", "(0.3, -1)", "incorrect"),
    ("(1, 0, -1)", "(1, 0, 1)", "incorrect"),
    ("(1, -2)", "(0, 0)", "incorrect"),
    ("(1, -2)", "(1, -2, 0)", "invalid"),
    ("(1, -2)", "1", "invalid"),
    ("(1, -2)", "(1, -2", "invalid"),
    ("(1, -2)", "__import__('os')", "invalid"),
]


@pytest.mark.parametrize("expected, answer, status", CASES)
def test_direction_cases(expected, answer, status):
    assert check_direction(expected, answer).status == status


def test_zero_vector_is_named():
    verdict = check_direction("(1, -2)", "(0, 0)")
    assert verdict.tags == ("direction.zero_vector",)
    assert "non-zero" in verdict.feedback


def test_rules_name_a_wrong_direction():
    import sympy

    other = sympy.ImmutableMatrix([2, 1])
    rule = MistakeRule.transform(
        "demo.other_eigenvector", "That is the other one.", lambda e: other
    )
    verdict = check_direction("(1, -2)", "(2, 1)", rules=(rule,))
    assert verdict.status == "incorrect"
    assert verdict.tags == ("demo.other_eigenvector",)
