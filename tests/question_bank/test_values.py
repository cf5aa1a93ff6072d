"""Verdict, choices, significant figures, canonical text."""

from __future__ import annotations

import pytest
import sympy

from question_bank import CHOICES, Verdict, check_answer, to_text
from question_bank.choices import build_table, normalise_choice, read_choice
from question_bank.significant import tolerance, within

VERDICTS = [
    Verdict.graded(1.0, "Correct.", (), "x"),
    Verdict.graded(0.5, "Half.", ("entries.wrong",), "x"),
    Verdict.invalid("unexpected ')' at column 3\nx+)\n  ^"),
    Verdict.undecided("later"),
]


@pytest.mark.parametrize("verdict", VERDICTS)
def test_verdict_round_trip(verdict: Verdict) -> None:
    data = verdict.to_dict()
    assert set(data) == {"status", "correct", "score", "feedback", "tags", "error", "preview"}
    assert Verdict.from_dict(data) == verdict


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "maybe", "correct": False, "score": 0.0, "feedback": ""},
        {"status": "correct", "correct": False, "score": 1.0, "feedback": ""},
        {"status": "incorrect", "correct": False, "score": 1.5, "feedback": ""},
    ],
)
def test_verdict_invariants(kwargs) -> None:
    with pytest.raises(ValueError):
        Verdict(**kwargs)


SYNONYMS = [(label, word) for label, words in CHOICES.items() for word in words]


@pytest.mark.parametrize(("label", "word"), SYNONYMS)
def test_every_synonym_reads_as_its_label(label: str, word: str) -> None:
    assert read_choice(word, build_table()) == label
    assert read_choice(word.upper() + ".", build_table()) == label


def test_choice_normalisation() -> None:
    assert normalise_choice("It's a  Saddle-Point!") == "saddle point"


TOLERANCES = [
    (1 / 3, 3, 0.0005),
    (2.0, 3, 0.005),
    (1234.0, 3, 5.0),
    (0.001234, 3, 0.000005),
    (0.0, 3, 1e-9),
    (1 / 3, 2, 0.005),
]


@pytest.mark.parametrize(("value", "figures", "tol"), TOLERANCES)
def test_tolerance(value: float, figures: int, tol: float) -> None:
    assert float(tolerance(value, figures)) == pytest.approx(tol)


@pytest.mark.parametrize(
    ("expected", "answer", "ok"),
    [
        (1 / 3, 0.333, True),
        (1 / 3, 0.3333, True),
        (1 / 3, 0.33, False),
        (1 / 3, 0.334, False),
        (0, 1e-10, True),
        (0, 1e-8, False),
        (-2.5, -2.5004, True),
        (-2.5, -2.506, False),
    ],
)
def test_within(expected: float, answer: float, ok: bool) -> None:
    assert within(expected, answer) is ok


x, y = sympy.symbols("x y", real=True)

CANONICAL = [
    ("expr", 6 * x * y + 2),
    ("expr", sympy.sqrt(2) * x / 2 + sympy.exp(x) * sympy.pi),
    ("expr", sympy.log(x) + sympy.Abs(y) + sympy.E),
    ("number", sympy.Rational(2, 3)),
    ("matrix", sympy.Matrix([[6 * x, 2], [2, 0]])),
    ("vector", (2 * x, 3 * y**2)),
    ("points", {(0, 0), (1, -1)}),
]


@pytest.mark.parametrize(("kind", "value"), CANONICAL)
def test_canonical_text_is_accepted_by_the_grader(kind: str, value) -> None:
    text = to_text(value)
    assert check_answer(text, text, kind=kind).correct
