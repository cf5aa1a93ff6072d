"""The tokenizer: phone-keyboard Unicode, numbers, positions, limits."""

from __future__ import annotations

import pytest

from question_bank.errors import LimitError, ParseError
from question_bank.limits import Limits
from question_bank.tokenizer import Kind, normalise, tokenize

NORMALISED = [
    ("x − y", "x - y"),
    ("2×3", "2*3"),
    ("2·x", "2*x"),
    ("6÷2", "6/2"),
    ("x²", "x^(2)"),
    ("x²³", "x^(23)"),
    ("x⁻¹", "x^(-1)"),
    ("πr", "pir"),
    ("λ", "lambda"),
    ("η", "eta"),
    ("θ", "theta"),
    ("x\u00a0+\u2009y", "x + y"),
    ("１２３", "123"),
    ("（x）", "(x)"),
    ("½", "1/2"),
]


@pytest.mark.parametrize(("text", "plain"), NORMALISED)
def test_normalise(text: str, plain: str) -> None:
    assert "".join(c for c, _ in normalise(text)) == plain


NUMBERS = [
    ("12", (12, 1), False),
    ("0.5", (5, 10), True),
    (".25", (25, 100), True),
    ("1e-3", (1, 1000), True),
    ("2.5E2", (2500, 10), True),
    ("1e+2", (100, 1), True),
]


@pytest.mark.parametrize(("text", "value", "approx"), NUMBERS)
def test_numbers_are_exact_fractions(text: str, value, approx: bool) -> None:
    token = tokenize(text, Limits())[0]
    assert token.kind is Kind.NUMBER
    assert token.value == value
    assert token.approx is approx


def test_e_without_digits_is_eulers_number_not_an_exponent() -> None:
    assert [t.text for t in tokenize("2e", Limits())] == ["2", "e", ""]
    assert [t.text for t in tokenize("2e-x", Limits())] == ["2", "e", "-", "x", ""]


def test_columns_refer_to_the_original_text() -> None:
    tokens = tokenize("x² + λ", Limits())
    assert [(t.text, t.column) for t in tokens][-2] == ("lambda", 6)


ERRORS = [
    ("x)", "unexpected ')' at column 2"),
    ("(x", "'(' at column 1 is never closed"),
    ("[x)", "unexpected ')' at column 3"),
    ("x $ y", "unexpected character '$' at column 3"),
    ("2.", "decimal point"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(
        ParseError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("$", r"\$")
        .replace("[", r"\["),
    ):
        tokenize(text, Limits())


LIMITS = [
    ("x" * 2001, Limits()),
    ("1" * 41, Limits()),
    ("1e5000", Limits()),
    ("(" * 41 + ")" * 41, Limits()),
    ("x+" * 300, Limits()),
]


@pytest.mark.parametrize(("text", "limits"), LIMITS, ids=range(len(LIMITS)))
def test_limits_are_checked_while_tokenizing(text: str, limits: Limits) -> None:
    with pytest.raises(LimitError):
        tokenize(text, limits)
