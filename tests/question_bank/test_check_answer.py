"""check_answer over a table of (kind, expected, answer, status) cases."""

from __future__ import annotations

import pytest

from question_bank import Verdict, check_answer

C, N, V, U = "correct", "incorrect", "invalid", "undecided"

EXPR_CASES = [
    # every syntax of the issue, read as the same expression
    ("6*x*y + 2", "6xy+2", C),
    ("6*x*y + 2", "6*x*y + 2", C),
    ("6*x*y + 2", "2 + 6 x y", C),
    ("6*x*y + 2", "6·x·y + 2", C),
    ("6*x*y + 2", "6×x×y+2", C),
    ("6*x*y + 2", "6x y + 2", C),
    ("6*x*y + 2", "6yx+2", C),
    ("6*x*y + 2", "６xy＋２", C),
    ("6*x*y + 2", "6xy\u00a0+\u00a02", C),
    ("3*x**2*y", "3x^2y", C),
    ("3*x**2*y", "3x**2y", C),
    ("3*x**2*y", "3x²y", C),
    ("3*x**2*y", "3*x^2*y", C),
    ("3*x**2*y", "3(x^2)(y)", C),
    ("2*x + 2", "2(x+1)", C),
    ("x**2 - 1", "(x+1)(x-1)", C),
    ("x**2 - 1", "(x-1)(x+1)", C),
    ("x*y", "x y", C),
    ("x*y", "xy", C),
    ("x - y", "x − y", C),
    ("x/2", "x÷2", C),
    ("x/2", "0.5x", C),
    ("x/2", "x/2", C),
    ("x/2", "1/2x", C),
    ("x/2", "(1/2)x", C),
    ("x/3", "0.33x", N),
    ("x/3", "0.333333x", N),
    ("x/1000", "1e-3x", C),
    ("x/1000", "1E-3 x", C),
    ("x/1000", "0.001x", C),
    ("-x**2", "-x^2", C),
    ("x**(-2)*y", "x^-2y", C),
    ("x**(-2)*y", "y/x^2", C),
    ("x**3", "x^3", C),
    ("x**3", "x³", C),
    ("x**3", "x**3", C),
    ("x**3", "x*x*x", C),
    ("1/x", "x⁻¹", C),
    # equal but different forms
    ("x**2 + 2*x + 1", "(x+1)^2", C),
    ("(x + 1)**2", "x^2+2x+1", C),
    ("(x + y)**3", "x^3+3x^2y+3xy^2+y^3", C),
    ("(x - 1)*(x - 2)*(x - 3)", "x^3 - 6x^2 + 11x - 6", C),
    ("x/(x**2 + 1)", "1/(x + 1/x)", C),
    ("(x**2 - 1)/(x - 1)", "x + 1", C),
    ("1/(x*y)", "1/x * 1/y", C),
    ("x**(3/2)", "x*sqrt(x)", C),
    ("sqrt(x)", "x^(1/2)", C),
    ("sqrt(x)", "x^0.5", C),
    ("sqrt(x)", "√x", C),
    ("sqrt(2)*x", "√2x", C),
    ("sqrt(2)/2", "1/sqrt(2)", C),
    ("sqrt(2)/2", "sqrt(2)/2", C),
    ("sqrt(2)/2", "2^(-1/2)", C),
    ("sqrt(8)", "2sqrt(2)", C),
    ("exp(x)", "e^x", C),
    ("exp(x)", "E^x", C),
    ("exp(2*x)", "e^(2x)", C),
    ("exp(2*x)", "(e^x)^2", C),
    ("exp(x + y)", "exp(x)exp(y)", C),
    ("exp(x)*x", "e^x x", C),
    ("E*x", "ex", C),
    ("E*x", "e*x", C),
    ("log(x)", "ln(x)", C),
    ("log(x)", "ln x", C),
    ("log(x*y)", "log(x) + log(y)", N),  # differ when x, y < 0 (principal branch)
    ("1", "sin(x)^2 + cos(x)^2", C),
    ("sin(2*x)", "2sin(x)cos(x)", C),
    ("sin(x)**2", "sin^2(x)", C),
    ("sin(x**2)", "sin x^2", C),
    ("tan(x)", "sin(x)/cos(x)", C),
    ("Abs(x)", "abs(x)", C),
    ("Abs(x)", "sqrt(x^2)", C),
    ("pi*x", "πx", C),
    ("pi*x", "pi x", C),
    ("2*pi", "2π", C),
    # near misses
    ("6*x*y + 2", "6xy + 3", N),
    ("6*x*y + 2", "6xy", N),
    ("6*x*y + 2", "3xy + 2", N),
    ("6*x*y + 2", "6x + 2", N),
    ("3*x**2*y", "3x^(2y)", N),
    ("3*x**2*y", "(3x)^2y", N),
    ("x**2 + 2*x + 1", "x^2 + 1", N),
    ("x**2 + 2*x + 1", "(x-1)^2", N),
    ("(x + y)**3", "x^3 + y^3", N),
    ("exp(2*x)", "e^2x", N),
    ("sin(2*x)", "2sin(x)", N),
    ("log(x)", "log(x^2)", N),
    ("x", "sqrt(x^2)", N),
    ("x**2", "-x^2", N),
    ("x**2", "x^2 + 0.000000000001x^3", N),
    ("x**2", "x^2 + 10^-12", N),
    ("sin(x)", "sin(x) + 10^-15", N),
    ("exp(x)", "exp(x) + 10^-30 x", N),
    ("exp(x)", "exp(x)*(1 + 10^-20)", N),
    ("0", "sin(pi x)", N),  # zero at every integer
    ("x**2", "x^2 + x(x-1)(x+1)(x-2)(x+2)", N),  # agrees at x = -2..2
    ("x**2", "x^2 + sin(2 pi x)/1000", N),  # agrees at every half-integer
    ("x + y", "x + y + (x - y)^2/10^9", N),
    ("cos(x)", "1 - x^2/2 + x^4/24", N),  # a Taylor polynomial agrees near 0
    # equations, unknown names, syntax errors, limits
    ("6*x*y + 2", "f_xx = 6xy+2", V),
    ("6*x*y + 2", "= 6xy+2", V),
    ("6*x*y + 2", "6xz + 2", V),
    ("6*x*y + 2", "6xy +", V),
    ("6*x*y + 2", "6xy + + 2", N),  # unary plus: 6xy + (+2) is fine but then 6xy+2 ... see below
    ("x", "x)", V),
    ("x", "(x", V),
    ("x", "2 3", V),
    ("x", "", V),
    ("x", "   ", V),
    ("x", "x.y", V),
    ("x", "x,", V),
    ("x", "1/0", V),
    ("x", "log(0)", V),
    ("x", "x^10000", V),
    ("x", "10^10^10", V),
    ("x", "(1, 2)", V),
    ("x", "[[1, 2], [3, 4]]", V),
    ("x", "\\frac{1}{2}", V),
    ("x", "|x|", V),
    ("x", "x!", V),
    ("x", "sin()", V),
    ("x", "sin", V),
    ("x", "sqrt(x, 2)", V),
    ("x", "x2", V),
    ("x", "X", V),
    ("x", "∞", V),
]

# "6xy + + 2" reads as 6xy + (+2): the correct value.
EXPR_CASES = [(e, a, C) if a == "6xy + + 2" else (e, a, s) for e, a, s in EXPR_CASES]

GREEK_CASES = [
    ("2*eta", "2eta", C),
    ("2*eta", "2η", C),
    ("2*eta", "2 η", C),
    ("2*eta", "η2", V),  # like x2: a power or a product? We ask.
    ("2*eta", "2*e*t*a", V),
    ("eta*x", "ηx", C),
    ("eta*x", "xeta", C),
    ("2/eta", "2/η", C),
    ("1/eta", "η^-1", C),
    ("1/eta", "2/η", N),
    ("lambda*x", "λx", C),
    ("lambda*x", "lambda x", C),
    ("lambda*x", "λ·x", C),
    ("lambda*x", "theta x", V),
]

CUSTOM_E_CASES = [  # e declared as a variable: no longer Euler's number
    ("e*x", "ex", C),
    ("e*x", "E x", N),
]

NUMBER_CASES = [
    ("1/3", "1/3", C),
    ("1/3", "2/6", C),
    ("1/3", "0.333", C),
    ("1/3", "0.3333", C),
    ("1/3", ".333", C),
    ("1/3", "3.33e-1", C),
    ("1/3", "0.33", N),
    ("1/3", "0.334", N),
    ("1/3", "0.3", N),
    ("1/3", "333/1000", N),
    ("1/3", "1/4", N),
    ("1/3", "-1/3", N),
    ("1/3", "x", V),
    ("1/3", "(1, 3)", V),
    ("1/3", "one third", V),
    ("2 - sqrt(2)", "2/(2+sqrt(2))", C),
    ("2 - sqrt(2)", "0.586", C),
    ("2 - sqrt(2)", "0.5858", C),
    ("2 - sqrt(2)", "0.59", N),
    ("sqrt(2)/2", "1/√2", C),
    ("sqrt(2)/2", "0.707", C),
    ("sqrt(2)/2", "0.7071", C),
    ("sqrt(2)/2", "0.71", N),
    ("1/2", "0.5", C),
    ("1/2", "1/2", C),
    ("1/2", "0.50", C),
    ("1/2", "5e-1", C),
    ("1/2", "0.49", N),
    ("2", "2", C),
    ("2", "2.0", C),
    ("2", "4/2", C),
    ("2", "2.004", C),
    ("2", "2.006", N),
    ("2", "sqrt(4)", C),
    ("0", "0", C),
    ("0", "0.0", C),
    ("0", "1e-12", C),
    ("0", "0.000001", N),
    ("0", "1-1", C),
    ("1000", "1e3", C),
    ("1000", "999", N),
    ("1000", "1.00e3", C),
    ("pi", "3.14", C),
    ("pi", "3.1", N),
    ("pi", "3.15", N),
    ("pi", "3.142", C),
    ("pi", "π", C),
    ("pi/4", "atan(1)", V),
    ("exp(1)", "e", C),
    ("exp(1)", "2.718", C),
    ("exp(1)", "2.72", C),
    ("2/3", "0.667", C),
    ("2/3", "0.666", N),
    ("-5/4", "-1.25", C),
    ("-5/4", "−1.25", C),
    ("-5/4", "1.25", N),
    ("1/1000", "0.001", C),
    ("1/1000", "1e-3", C),
    ("1/1000", "0.0011", N),
    ("log(2)", "ln 2", C),
    ("log(2)", "0.693", C),
]

VECTOR_CASES = [
    ("(2*x, 3*y**2)", "(2x, 3y^2)", C),
    ("(2*x, 3*y**2)", "[2x, 3y^2]", C),
    ("(2*x, 3*y**2)", "2x, 3y^2", C),
    ("(2*x, 3*y**2)", "[2x 3y^2]", C),
    ("(2*x, 3*y**2)", "[2x; 3y^2]", C),
    ("(2*x, 3*y**2)", "2x\n3y^2", C),
    ("(2*x, 3*y**2)", "(2x, 3y)", N),
    ("(2*x, 3*y**2)", "(3y^2, 2x)", N),
    ("(2*x, 3*y**2)", "(2x, 3y^2, 0)", N),
    ("(2*x, 3*y**2)", "2x + 3y^2", V),
    ("(2*x, 3*y**2)", "{(2x, 3y^2)}", V),
    ("(1, -2)", "[1 -2]", C),
    ("(1, -2)", "[1 - 2]", N),
    ("(1, -2)", "(-1, 2)", N),
    ("(1/2, 1/3)", "(0.5, 0.333)", C),
    ("(1/2, 1/3)", "(0.5, 0.33)", N),
]

MATRIX_CASES = [
    ("[[6*x, 2], [2, 0]]", "[[6x, 2], [2, 0]]", C),
    ("[[6*x, 2], [2, 0]]", "[6x, 2; 2, 0]", C),
    ("[[6*x, 2], [2, 0]]", "6x 2; 2 0", C),
    ("[[6*x, 2], [2, 0]]", "6x 2\n2 0", C),
    ("[[6*x, 2], [2, 0]]", "6x, 2\n2, 0", C),
    ("[[6*x, 2], [2, 0]]", "[6x 2\n 2 0]", C),
    ("[[6*x, 2], [2, 0]]", "[[6x, 2],\n [2, 0]]", C),
    ("[[6*x, 2], [2, 0]]", "((6x, 2), (2, 0))", C),
    ("[[6*x, 2], [2, 0]]", "[6 x 2; 2 0]", V),  # spaces separate entries in a row
    ("[[6*x, 2], [2, 0]]", "[6x, 2, 2, 0]", V),
    ("[[6*x, 2], [2, 0]]", "6x", V),
    ("[[6*x, 2], [2, 0]]", "[6x, 2; 2]", V),
    ("[[6*x, 2], [2, 0]]", "[6x, 3; 2, 0]", N),
    ("[[6*x, 2], [2, 0]]", "[6x, 0; 0, 0]", N),
    ("[[6*x, 2], [2, 0]]", "[[6x, 2, 0], [2, 0, 0], [0, 0, 0]]", N),
    ("[[6*x, 2], [0, 0]]", "[6x, 0; 2, 0]", N),
    ("[[6*x*y, 3*x**2], [3*x**2, 0]]", "[6xy 3x^2; 3x^2 0]", C),
    ("[[6*x*y, 3*x**2], [3*x**2, 0]]", "[6xy, 3x^2; 3x, 0]", N),
    ("[[1, 2, 3], [4, 5, 6]]", "[1 4; 2 5; 3 6]", N),
    ("[[1, 2, 3], [4, 5, 6]]", "[1 2 3; 4 5 6]", C),
    ("[[1, 0, 0], [0, 1, 0], [0, 0, 1]]", "[1 0 0; 0 1 0; 0 0 1]", C),
    ("[[1/2, 0], [0, 1/3]]", "[0.5 0; 0 0.333]", C),
    ("[[-1, 2], [2, -4]]", "[-1 2; 2 -4]", C),
    ("[[-1, 2], [2, -4]]", "[-1 2; 2 - 4]", V),
]

POINT_CASES = [
    ("{(0, 0), (1, -1)}", "{(0,0), (1,-1)}", C),
    ("{(0, 0), (1, -1)}", "{(1,-1), (0,0)}", C),
    ("{(0, 0), (1, -1)}", "(0,0), (1,-1)", C),
    ("{(0, 0), (1, -1)}", "(1,-1); (0,0)", C),
    ("{(0, 0), (1, -1)}", "[(0, 0), (1, -1)]", C),
    ("{(0, 0), (1, -1)}", "{(0,0), (1,-1), (0, 0)}", C),
    ("{(0, 0), (1, -1)}", "{(0,0)}", N),
    ("{(0, 0), (1, -1)}", "(0, 0)", N),
    ("{(0, 0), (1, -1)}", "{(0,0), (1,-1), (2,2)}", N),
    ("{(0, 0), (1, -1)}", "{(0,0), (-1,1)}", N),
    ("{(0, 0), (1, -1)}", "{(0,0,0)}", V),
    ("{(0, 0), (1, -1)}", "x + y", V),
    ("{(0, 0)}", "(0, 0)", C),
    ("{(1/3, 0)}", "{(0.333, 0)}", C),
    ("{}", "none", C),
    ("{}", "{}", C),
    ("{}", "∅", C),
    ("{}", "{(0, 0)}", N),
    ("{(0, 0)}", "none", N),
]

CHOICE_CASES = [
    ("minimum", "minimum", C),
    ("minimum", "min", C),
    ("minimum", "local minimum", C),
    ("minimum", "Local Min", C),
    ("minimum", "a local minimum.", C),
    ("minimum", "strict local minimum", C),
    ("minimum", "max", N),
    ("maximum", "local maximum", C),
    ("maximum", "MAX", C),
    ("saddle", "saddle point", C),
    ("saddle", "strict saddle", C),
    ("saddle", "It's a saddle", C),
    ("saddle", "minimum", N),
    ("inconclusive", "inconclusive", C),
    ("inconclusive", "the second-derivative test is inconclusive", C),
    ("inconclusive", "degenerate", C),
    ("inconclusive", "saddle", N),
    ("minimum", "bowl", V),
    ("minimum", "", V),
]

CASES = (
    [("expr", ("x", "y"), *case) for case in EXPR_CASES]
    + [("expr", ("x", "eta", "lambda"), *case) for case in GREEK_CASES]
    + [("expr", ("x", "e"), *case) for case in CUSTOM_E_CASES]
    + [("number", (), *case) for case in NUMBER_CASES]
    + [("vector", ("x", "y"), *case) for case in VECTOR_CASES]
    + [("matrix", ("x", "y"), *case) for case in MATRIX_CASES]
    + [("points", ("x", "y"), *case) for case in POINT_CASES]
    + [("choice", (), *case) for case in CHOICE_CASES]
)


def test_at_least_150_cases() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize(("kind", "variables", "expected", "answer", "status"), CASES)
def test_case_table(kind, variables, expected, answer, status) -> None:
    verdict = check_answer(expected, answer, kind=kind, variables=variables)
    assert verdict.status == status, verdict
    assert verdict.correct == (status == C)
    if status == V:
        assert verdict.error
    if status in (C, N):
        assert verdict.preview is not None


PARTIAL_CREDIT = [
    ("matrix", "[[6*x, 2], [2, 0]]", "[6x, 3; 2, 0]", 0.75),
    ("matrix", "[[1, 2], [3, 4]]", "[1, 0; 0, 4]", 0.5),
    ("vector", "(1, 2, 3)", "(1, 2, 4)", 2 / 3),
    ("points", "{(0, 0), (1, 1)}", "{(0, 0)}", 0.5),
    ("points", "{(0, 0), (1, 1)}", "{(0, 0), (1, 1), (2, 2)}", 2 / 3),
    ("expr", "x", "y", 0.0),
]


@pytest.mark.parametrize(("kind", "expected", "answer", "score"), PARTIAL_CREDIT)
def test_partial_credit(kind, expected, answer, score) -> None:
    assert check_answer(expected, answer, kind=kind).score == pytest.approx(score)


FEEDBACK = [
    ("matrix", "[[6*x, 2], [2, 0]]", "[6x, 3; 2, 0]", ("entry (1, 2)",), "matrix.not_symmetric"),
    ("matrix", "[[6*x, 2], [0, 0]]", "[6x, 0; 2, 0]", ("transpose",), "matrix.transposed"),
    ("matrix", "[[1, 2, 3], [4, 5, 6]]", "[1 4; 2 5; 3 6]", ("transpose",), "matrix.transposed"),
    (
        "matrix",
        "[[1, 2], [3, 4]]",
        "[[1, 2, 0], [3, 4, 0], [0, 0, 0]]",
        ("2x2", "3x3"),
        "shape.wrong_size",
    ),
    ("vector", "(1, 2)", "(1, 2, 3)", ("2 entries",), "shape.wrong_size"),
    ("points", "{(0, 0), (1, -1)}", "{(0, 0), (2, 2)}", ("missing", "(2, 2)"), "points.extra"),
    ("number", "1/3", "0.33", ("significant figures",), "number.too_few_digits"),
    ("number", "1/3", "333/1000", ("exact",), "number.not_exact"),
    ("expr", "x**2", "-x^2", ("sign",), "generic.sign_flipped"),
    ("choice", "minimum", "maximum", ("maximum",), "choice.maximum"),
]


@pytest.mark.parametrize(("kind", "expected", "answer", "phrases", "tag"), FEEDBACK)
def test_feedback_names_the_mistake(kind, expected, answer, phrases, tag) -> None:
    verdict = check_answer(expected, answer, kind=kind)
    assert verdict.status == "incorrect"
    for phrase in phrases:
        assert phrase.lower() in verdict.feedback.lower()
    assert tag in verdict.tags


ERRORS = [
    ("x", "(x + 1))", "unexpected ')' at column 8"),
    ("x", "2*x + )", "unexpected ')' at column 7"),
    ("x", "6xz", "unknown name 'z' at column 3"),
    ("x", "6xz", "the variables here are x, y"),
    ("x", "f_xx = 6xy+2", "enter only the expression, e.g. 6xy+2"),
    ("x", "x^10000", "exponent"),
    ("x", "(" * 50 + "x" + ")" * 50, "nested"),
    ("x", "x" * 3000, "2,000"),
    ("x", "1" * 100, "digits"),
    ("x", "a\x00b", "U+0000"),
    ("x", "\\sqrt{x}", "LaTeX"),
]


@pytest.mark.parametrize(("expected", "answer", "message"), ERRORS)
def test_errors_name_the_problem_and_position(expected, answer, message) -> None:
    verdict = check_answer(expected, answer)
    assert verdict.status == "invalid"
    assert message in verdict.error


def test_error_echoes_input_with_a_caret() -> None:
    verdict = check_answer("x", "2*x + y)")
    assert verdict.error.splitlines()[1:] == ["2*x + y)", "       ^"]


PREVIEWS = [
    ("expr", "0.5x", "\\frac{x}{2}"),
    ("expr", "3x^2y", "3 x^{2} y"),
    ("expr", "2η", "2 \\eta"),
    ("matrix", "1 2; 3 4", "\\left[\\begin{matrix}1 & 2\\\\3 & 4\\end{matrix}\\right]"),
]


@pytest.mark.parametrize(("kind", "answer", "latex"), PREVIEWS)
def test_preview_shows_how_the_input_was_read(kind, answer, latex) -> None:
    expected = "[[1, 2], [3, 4]]" if kind == "matrix" else "x"
    verdict = check_answer(expected, answer, kind=kind, variables=("x", "y", "eta"))
    assert verdict.preview == latex


def test_precision_sets_significant_figures() -> None:
    assert check_answer("1/3", "0.33", kind="number", precision=2).correct
    assert not check_answer("1/3", "0.333", kind="number", precision=5).correct


def test_extra_choices() -> None:
    choices = {"diverges": ["blows up", "divergent"], "converges": ["convergent"]}
    assert check_answer("diverges", "blows up", kind="choice", choices=choices).correct
    assert check_answer("converges", "divergent", kind="choice", choices=choices).status == N


def test_budget_exhausted_is_undecided_never_incorrect() -> None:
    from question_bank import Limits

    verdict = check_answer("sin(x)", "sin(x) + 10^-15", limits=Limits(time_budget=0.0))
    assert verdict.status == "undecided"
    assert verdict.score == 0.0


def test_unsettled_symbolic_check_is_undecided() -> None:
    # exp of 10^7 x overflows at every sample point and the numbers are too big
    # for the bounded symbolic rewrites: undecided rather than a guess.
    verdict = check_answer("exp(10**7*x + 1)", "e exp(10^7 x)")
    assert verdict.status == "undecided"


@pytest.mark.parametrize("bad_kind", ["expression", "", "EXPR"])
def test_unknown_kind_is_a_programming_error(bad_kind) -> None:
    with pytest.raises(ValueError, match="unknown answer kind"):
        check_answer("x", "x", kind=bad_kind)


def test_unreadable_expected_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not canonical text"):
        check_answer("x +", "x")


def test_verdict_round_trips_through_json() -> None:
    import json

    verdict = check_answer("[[6*x, 2], [2, 0]]", "[6x, 3; 2, 0]", kind="matrix")
    data = json.loads(json.dumps(verdict.to_dict()))
    assert Verdict.from_dict(data) == verdict
