"""check_answer: read a learner's answer safely and judge it against the expected one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache, partial

import sympy

from question_bank.budget import Budget, BudgetExceeded
from question_bank.choices import build_table, normalise_choice, read_choice
from question_bank.equivalence import Outcome, decide_terms
from question_bank.errors import ParseError
from question_bank.limits import DEFAULT_LIMITS, TRUSTED_LIMITS, Limits
from question_bank.names import Vocabulary
from question_bank.parser import parse_with
from question_bank.rules import GENERIC_RULES, MistakeRule, RuleContext, first_match
from question_bank.significant import DEFAULT_FIGURES, close, decimal_outcome
from question_bank.structured import (
    Grade,
    ShapeError,
    grade_matrix,
    grade_points,
    grade_vector,
)
from question_bank.structures import (
    Term,
    Value,
    as_matrix,
    as_points,
    as_vector,
    describe,
    preview,
)
from question_bank.verdict import Verdict

RULES_BUDGET = 0.4  # seconds for mistake rules, after the grading budget
KINDS = ("expr", "number", "vector", "matrix", "choice", "points")
UNDECIDED_FEEDBACK = (
    "We could not decide this answer in the time allowed; it does not count against you."
)
TOO_FEW_DIGITS = "number.too_few_digits"
_NO_POINTS = {"none", "no points", "no critical points", "empty", "empty set", "there are none"}


def check_answer(
    expected: str,
    answer: str,
    kind: str = "expr",
    variables: tuple[str, ...] = ("x", "y"),
    *,
    precision: int | None = None,
    rules: Sequence[MistakeRule] = (),
    choices: Mapping[str, Iterable[str]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Verdict:
    """Judge the learner's `answer` against the trusted canonical `expected` text.

    Never raises on learner text and never executes it. Raises ValueError for
    an unknown kind or an expected text that our parser cannot read.

    Example:
        >>> check_answer("6*x*y + 2", "2 + 6xy").status
        'correct'
        >>> check_answer("1/3", "0.33", kind="number").status
        'incorrect'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r}; expected one of {KINDS}")
    if not isinstance(answer, str):
        raise TypeError(f"answer must be str, not {type(answer).__name__}")
    if kind == "choice":
        return _check_choice(expected, answer, choices, limits, rules)
    variables = tuple(variables)
    vocabulary = Vocabulary.build(variables)
    want = _parse_expected(expected, variables)
    if kind == "points" and _says_no_points(answer):
        answer = "{}"
    try:
        got = parse_with(answer, vocabulary, limits)
    except ParseError as error:
        return Verdict.invalid(error.describe(answer), tags=("input.unreadable",))
    shown = preview(got)
    budget = Budget(limits.time_budget)
    figures = precision if precision is not None else DEFAULT_FIGURES
    try:
        verdict = _grade(kind, want, got, budget, figures, shown)
    except ShapeError as error:
        return Verdict.invalid(str(error), tags=("shape.mismatch",), preview=shown)
    except BudgetExceeded:
        return Verdict.undecided(UNDECIDED_FEEDBACK, shown)
    if verdict.status == "incorrect":
        # Naming the mistake gets its own time, so a grade slowed by a busy machine does not
        # silence it; grading and naming together stay within the 1-second promise.
        context = _context(kind, want, got, vocabulary, figures, Budget(RULES_BUDGET))
        verdict = _explain(verdict, context, rules)
    return verdict


@lru_cache(maxsize=1024)
def _parse_expected(expected: str, variables: tuple[str, ...]) -> Value:
    # Expected answers are trusted canonical text that recurs: read each once.
    try:
        return parse_with(expected, Vocabulary.build(variables), TRUSTED_LIMITS)
    except ParseError as error:
        raise ValueError(f"expected answer {expected!r} is not canonical text: {error}") from None


def _grade(kind: str, want: Value, got: Value, budget: Budget, figures: int, shown: str) -> Verdict:
    if kind in ("expr", "number"):
        if not isinstance(want, Term):
            raise ValueError(f"expected answer for kind {kind!r} is {describe(want)}")
        if not isinstance(got, Term):
            raise ShapeError(
                f"expected a single {'number' if kind == 'number' else 'expression'}"
                f", but read {describe(got)}"
            )
        if kind == "number":
            return _grade_number(want, got, budget, figures, shown)
        return _from_outcome(decide_terms(want, got, budget), shown)
    compare = partial(_compare_entry, budget=budget, figures=figures)
    grader = {"vector": grade_vector, "matrix": grade_matrix, "points": grade_points}[kind]
    return _from_grade(grader(want, got, compare), shown)


def _compare_entry(want: Term, got: Term, *, budget: Budget, figures: int) -> Outcome:
    # A decimal entry where a constant is expected is judged to significant figures.
    if got.approx and not want.expr.free_symbols and not got.expr.free_symbols:
        return decimal_outcome(want.expr, got.expr, figures)
    return decide_terms(want, got, budget)


def _grade_number(want: Term, got: Term, budget: Budget, figures: int, shown: str) -> Verdict:
    if want.expr.free_symbols:
        raise ValueError("expected answer for kind 'number' has variables")
    if got.expr.free_symbols:
        names = ", ".join(sorted(s.name for s in got.expr.free_symbols))
        return Verdict.invalid(
            f"a number is expected, but the answer contains {names}",
            tags=("shape.mismatch",),
            preview=shown,
        )
    if got.approx:
        outcome = decimal_outcome(want.expr, got.expr, figures)
        if outcome is Outcome.EQUAL:
            return Verdict.graded(1.0, f"Correct to {figures} significant figures.", (), shown)
        if outcome is Outcome.DIFFERENT and close(want.expr, got.expr, figures):
            return Verdict.graded(
                0.0,
                f"Close, but not accurate to {figures} significant "
                "figures: give more digits, or an exact form such as a "
                "fraction or a root.",
                (TOO_FEW_DIGITS,),
                shown,
            )
        return _from_outcome(outcome, shown)
    outcome = decide_terms(want, got, budget)
    if outcome is Outcome.DIFFERENT and close(want.expr, got.expr, figures, factor=1):
        return Verdict.graded(
            0.0,
            "This exact value is close to the answer but not equal to "
            "it: an exact answer must be exactly right, or give a decimal "
            f"to {figures} significant figures.",
            ("number.not_exact",),
            shown,
        )
    return _from_outcome(outcome, shown)


def _from_outcome(outcome: Outcome, shown: str) -> Verdict:
    if outcome is Outcome.EQUAL:
        return Verdict.graded(1.0, "Correct.", (), shown)
    if outcome is Outcome.DIFFERENT:
        return Verdict.graded(0.0, "Not correct.", (), shown)
    return Verdict.undecided(UNDECIDED_FEEDBACK, shown)


def _from_grade(grade: Grade, shown: str) -> Verdict:
    if grade.undecided:
        return Verdict.undecided(f"{grade.feedback} {UNDECIDED_FEEDBACK}", shown)
    return Verdict.graded(grade.score, grade.feedback, grade.tags, shown)


def _context(
    kind: str, want: Value, got: Value, vocabulary: Vocabulary, figures: int, budget: Budget
) -> RuleContext | None:
    expected_obj, answer_obj = _math_object(want, kind), _math_object(got, kind)
    if expected_obj is None or answer_obj is None:
        return None
    # Rules read a decimal as the grader did: to significant figures where it was graded so.
    return RuleContext(
        expected_obj,
        answer_obj,
        kind,
        tuple(vocabulary.variables.values()),
        budget,
        approx=_written_as_decimal(got, kind),
        figures=figures,
    )


def _written_as_decimal(got: Value, kind: str) -> bool:
    if kind == "number":
        return isinstance(got, Term) and got.approx
    if kind == "vector":
        entries = as_vector(got)
        return entries is not None and any(e.approx for e in entries)
    if kind == "matrix":
        matrix = as_matrix(got)
        return matrix is not None and any(e.approx for row in matrix.rows for e in row)
    return False  # expressions compare exactly; point sets compare as sets


def _explain(
    verdict: Verdict, context: RuleContext | None, rules: Sequence[MistakeRule]
) -> Verdict:
    if context is None:
        return verdict
    rule = first_match((*rules, *GENERIC_RULES), context)
    if rule is None:
        return verdict
    if TOO_FEW_DIGITS in verdict.tags:
        # The decimal is the mistake's value, not a rounding of the right one.
        verdict = Verdict.graded(0.0, "Not correct.", (), verdict.preview)
    return verdict.with_mistake(rule.tag, rule.feedback)


def _math_object(value: Value, kind: str):
    # Rules see sympy objects: an expression, a column vector, a matrix, a set.
    if kind in ("expr", "number"):
        return value.expr if isinstance(value, Term) else None
    if kind == "vector":
        entries = as_vector(value)
        return None if entries is None else sympy.ImmutableMatrix([e.expr for e in entries])
    if kind == "matrix":
        matrix = as_matrix(value)
        return (
            None
            if matrix is None
            else sympy.ImmutableMatrix([[e.expr for e in row] for row in matrix.rows])
        )
    points = as_points(value)
    return None if points is None else frozenset(tuple(e.expr for e in p) for p in points)


def _says_no_points(answer: str) -> bool:
    text = answer.strip()
    return text in ("∅", "{}", "[]") or (len(text) < 40 and normalise_choice(text) in _NO_POINTS)


def _check_choice(
    expected: str,
    answer: str,
    choices: Mapping[str, Iterable[str]] | None,
    limits: Limits,
    rules: Sequence[MistakeRule] = (),
) -> Verdict:
    table = build_table(choices)
    label = read_choice(expected, table)
    if label is None:
        raise ValueError(f"expected choice {expected!r} is not a known label")
    if len(answer) > limits.max_length:
        return Verdict.invalid(
            f"the answer is longer than {limits.max_length} characters", tags=("input.unreadable",)
        )
    given = read_choice(answer, table)
    if given is None:
        labels = ", ".join(sorted(set(table.values())))
        return Verdict.invalid(
            f"could not match {answer.strip()[:60]!r} to a choice; answer with one of: {labels}",
            tags=("input.unreadable",),
        )
    if given == label:
        return Verdict.graded(1.0, "Correct.", (), given)
    verdict = Verdict.graded(0.0, f"Not correct: you chose {given}.", (f"choice.{given}",), given)
    # Choice rules see the canonical labels: expected and chosen.
    rule = first_match(tuple(rules), RuleContext(label, given, "choice", ()))
    return verdict if rule is None else verdict.with_mistake(rule.tag, rule.feedback)
