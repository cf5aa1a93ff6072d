"""The parser builds the sympy object the conventions promise."""

from __future__ import annotations

import pytest
import sympy

from question_bank import LimitError, ParseError, parse
from question_bank.structures import Matrix, PointSet, Term, Vector

x, y, eta, lam = sympy.symbols("x y eta lambda", real=True)
R = sympy.Rational

EXPRESSIONS = [
    ("3x^2y", 3 * x**2 * y),
    ("2eta", 2 * eta),
    ("2η", 2 * eta),
    ("ηx", eta * x),
    ("6xy", 6 * x * y),
    ("2(x+1)", 2 * x + 2),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x y", x * y),
    ("1/2x", x / 2),
    ("1/(2x)", 1 / (2 * x)),
    ("x/y/2", x / y / 2),
    ("2^3^2", sympy.Integer(512)),
    ("-x^2", -(x**2)),
    ("(-x)^2", x**2),
    ("x^-1", 1 / x),
    ("2^-x y", 2 ** (-x) * y),
    ("0.5x", x / 2),
    ("0.33x", R(33, 100) * x),
    ("1e-3", R(1, 1000)),
    ("e", sympy.E),
    ("e^x", sympy.exp(x)),
    ("ex", sympy.E * x),
    ("pi", sympy.pi),
    ("π", sympy.pi),
    ("sqrt(2)", sympy.sqrt(2)),
    ("√2", sympy.sqrt(2)),
    ("√2x", sympy.sqrt(2) * x),
    ("√(x+1)", sympy.sqrt(x + 1)),
    ("sin x", sympy.sin(x)),
    ("sinx", sympy.sin(x)),
    ("sin x^2", sympy.sin(x**2)),
    ("sin^2 x", sympy.sin(x) ** 2),
    ("cos(x)sin(y)", sympy.cos(x) * sympy.sin(y)),
    ("ln x", sympy.log(x)),
    ("log(x)", sympy.log(x)),
    ("exp(x)", sympy.exp(x)),
    ("Exp(x)", sympy.exp(x)),
    ("tan(x)", sympy.tan(x)),
    ("abs(x)", sympy.Abs(x)),
    ("Abs(x)", sympy.Abs(x)),
    ("x**2", x**2),
    ("x²", x**2),
    ("x − y", x - y),
    ("x × y", x * y),
    ("x ÷ y", x / y),
    ("λx", lam * x),
    ("lambda x", lam * x),
    ("-−x", x),
    ("+x", x),
    ("6 x\ny", 6 * x * y),  # a single column is not a matrix: see the structure tests
]


@pytest.mark.parametrize(("text", "expr"), EXPRESSIONS[:-1])
def test_expressions(text: str, expr: sympy.Expr) -> None:
    value = parse(text, ("x", "y", "eta", "lambda"))
    assert isinstance(value, Term)
    assert value.expr == expr


def test_decimals_mark_the_term_approximate_but_stay_exact() -> None:
    value = parse("0.1 + 0.2")
    assert value.expr == R(3, 10)
    assert value.approx
    assert not parse("1/10").approx


def test_e_declared_is_a_variable() -> None:
    assert parse("e x", ("x", "e")).expr == sympy.Symbol("e", real=True) * x


STRUCTURES = [
    ("(1, 2)", Vector),
    ("[1, 2]", Vector),
    ("1, 2", Vector),
    ("[1 2]", Vector),
    ("[1; 2]", Vector),
    ("[[1, 2], [3, 4]]", Vector),  # a vector of rows; as_matrix reads it as 2x2
    ("[1, 2; 3, 4]", Matrix),
    ("[1 2; 3 4]", Matrix),
    ("1 2; 3 4", Matrix),
    ("1 2\n3 4", Matrix),
    ("1, 2\n3, 4", Matrix),
    ("{(0, 0), (1, -1)}", PointSet),
    ("{}", PointSet),
]


@pytest.mark.parametrize(("text", "cls"), STRUCTURES)
def test_structures(text: str, cls: type) -> None:
    assert isinstance(parse(text), cls)


def test_space_separated_rows_follow_matlab_signs() -> None:
    assert parse("[1 -2]").items == (Term(sympy.Integer(1)), Term(sympy.Integer(-2)))
    assert parse("[1 - 2]").items == (Term(sympy.Integer(-1)),)
    assert parse("[1-2]").items == (Term(sympy.Integer(-1)),)


def test_line_breaks_after_commas_are_white_space() -> None:
    value = parse("[[1, 2],\n [3, 4]]")
    assert isinstance(value, Vector) and len(value.items) == 2


ERRORS = [
    ("6xz", "unknown name 'z' at column 3"),
    ("2 3", "missing operator between '2' and '3'"),
    ("x +", "ends too early"),
    ("f_xx = 6xy+2", "equation"),
    ("1/0", "division by zero at column 2"),
    ("0^-1", "division by zero"),
    ("log(0)", "undefined"),
    ("sqrt(x, y)", "takes one argument"),
    ("sin", "needs an argument"),
    ("(1, 2) + 1", "cannot use '+' with a vector"),
    ("[1, 2; 3]", "row 2 has 1 entries but row 1 has 2"),
    ("()", "empty brackets"),
    ("x2", "Write x^2 for a power"),
    ("X", "Did you mean 'x'?"),
    ("theta", "unknown name 'theta'"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert message in str(info.value)


LIMITS = [
    "9^9^9^9",
    "10**10**10",
    "((9**9)**9999)**9999",
    "2^(10^1000)",
    "x^1001",
    "x^(1/100001)",
    "(" * 41 + "x" + ")" * 41,
    "-" * 200 + "x",
    "[" + ", ".join(["1"] * 51) + "]",
    "; ".join(["1 2"] * 11),
]


@pytest.mark.parametrize("text", LIMITS, ids=range(len(LIMITS)))
def test_limits(text: str) -> None:
    with pytest.raises(LimitError):
        parse(text)
