"""The exact polynomial path agrees with the sympy path it shortcuts."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import Budget, Outcome, check_answer, parse, to_text
from question_bank.equivalence import decide, decide_terms
from question_bank.limits import DEFAULT_LIMITS
from question_bank.names import Vocabulary
from question_bank.parser import _Parser
from question_bank.tokenizer import tokenize

x, y = sympy.symbols("x y", real=True)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _leaf():
    return st.one_of(
        st.integers(min_value=-12, max_value=12).map(lambda n: (sympy.Integer(n), f"({n})")),
        st.sampled_from([(x, "x"), (y, "y"), (sympy.Rational(1, 2), "0.5")]),
    )


def _extend(children):
    ops = st.sampled_from(["+", "-", "*", "/", "^", "implicit"])
    return st.tuples(ops, children, children, st.integers(0, 3)).map(_combine)


def _combine(args):
    op, (a, ta), (b, tb), small = args
    if op == "+":
        return a + b, f"({ta}) + ({tb})"
    if op == "-":
        return a - b, f"({ta})-({tb})"
    if op == "*":
        return a * b, f"({ta})*({tb})"
    if op == "implicit":
        return a * b, f"({ta})({tb})"
    if op == "/":  # by a nonzero constant or a variable: a rational function
        return (a / (small + 2), f"({ta})/{small + 2}") if small % 2 else (a / x, f"({ta})/x")
    return a**small, f"({ta})^{small}"


POLYNOMIALS = st.recursive(_leaf(), _extend, max_leaves=10)


@SETTINGS
@given(POLYNOMIALS, POLYNOMIALS)
def test_fast_and_sympy_paths_decide_alike(first, second) -> None:
    a, b = parse(first[1]), parse(second[1])
    assert a.form is not None and b.form is not None
    fast = decide_terms(a, b, Budget(5.0))
    assert fast is decide(a.expr, b.expr, Budget(5.0)).outcome
    assert (fast is Outcome.EQUAL) == (sympy.simplify(first[0] - second[0]) == 0)


@SETTINGS
@given(POLYNOMIALS)
def test_expanded_and_factored_forms_fold_alike(tree) -> None:
    expr, text = tree
    expanded = to_text(sympy.expand(expr))
    assert decide_terms(parse(text), parse(expanded), Budget(5.0)) is Outcome.EQUAL


@SETTINGS
@given(POLYNOMIALS)
def test_lazy_read_builds_what_an_eager_read_builds(tree) -> None:
    expr, text = tree
    vocabulary = Vocabulary.build(("x", "y"))
    eager = _Parser(text, tokenize(text, DEFAULT_LIMITS), vocabulary, DEFAULT_LIMITS, eager=True)
    assert parse(text).expr == eager.top().expr == expr


NOT_FOLDED = ["sin(x)", "pi x", "x^(1/2)", "2^x", "e^2", "1/(x(x+1) - x^2 - x)", "x^(y - y + 2)"]


@pytest.mark.parametrize("text", NOT_FOLDED)
def test_anything_else_takes_the_sympy_path(text) -> None:
    assert parse(text).form is None


ERRORS_IN_READING_ORDER = [
    ("1/0 + 2 3", "division by zero at column 2"),  # before the missing operator
    ("(x-x)^-1, 1 2", "0 to a negative power at column 6"),
    ("x/(x - x)", "division by zero at column 2"),
    ("2^5000 + x", "the exponent at column 2 is too large"),
    ("2^999 * 2^999 x +* 1", "unexpected '*' at column 18"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS_IN_READING_ORDER)
def test_the_first_problem_in_reading_order_is_reported(text, message) -> None:
    verdict = check_answer("x", text)
    assert verdict.status == "invalid"
    assert message in verdict.error


PREVIEWS = [
    ("x^2 - 2x + 1", "x^{2} - 2 x + 1"),
    ("(x+1)(x-1)", "\\left(x + 1\\right) \\left(x - 1\\right)"),
    ("-3x/2", "- \\frac{3 x}{2}"),
    ("1/(x+1)", "\\frac{1}{x + 1}"),
    ("y/x^2", "\\frac{y}{x^{2}}"),
    ("x^-2 y", "\\frac{y}{x^{2}}"),
    ("2(x+1)", "2 \\left(x + 1\\right)"),
    ("x - (y - 1)", "x - \\left(y - 1\\right)"),
    ("x + -y", "x - y"),
    ("sqrt(2)/2", "\\frac{\\sqrt{2}}{2}"),
    ("sin^2(x) + e^x", "\\sin^{2}{\\left(x \\right)} + e^{x}"),
    ("abs(x) log(x)", "\\left|{x}\\right| \\log{\\left(x \\right)}"),
    ("(1, 2x)", "\\left( 1, \\  2 x\\right)"),
    ("{(0, 0), (1, -1)}", "\\left\\{\\left( 0, \\  0\\right), \\left( 1, \\  -1\\right)\\right\\}"),
]


@pytest.mark.parametrize(("text", "latex"), PREVIEWS)
def test_previews_follow_sympy_conventions(text, latex) -> None:
    from question_bank.structures import preview

    assert preview(parse(text)) == latex


def test_expected_answers_are_read_once() -> None:
    from question_bank.grader import _parse_expected

    _parse_expected.cache_clear()
    for answer in ("2x", "x + x", "3x"):
        check_answer("2*x", answer, variables=("x",))
    assert _parse_expected.cache_info().hits == 2
