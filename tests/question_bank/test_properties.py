"""Property tests: printed expression trees parse back; random text never breaks check."""

from __future__ import annotations

import time

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank import KINDS, check_answer, parse

x, y = sympy.symbols("x y", real=True)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _leaf():
    return st.one_of(
        st.integers(min_value=0, max_value=30).map(lambda n: (sympy.Integer(n), str(n))),
        st.sampled_from([(x, "x"), (y, "y")]),
    )


def _extend(children):
    # Each node: (sympy object, fully bracketed text with ** and *).
    unary = st.sampled_from(["neg", "sin", "exp", "sqrt"])
    binary = st.sampled_from(["+", "-", "*", "/", "**"])
    return st.one_of(
        st.tuples(unary, children).map(_unary),
        st.tuples(binary, children, children, st.integers(1, 4)).map(_binary),
    )


def _unary(args):
    op, (expr, text) = args
    if op == "neg":
        return -expr, f"-({text})"
    return getattr(sympy, op)(expr), f"{op}({text})"


def _binary(args):
    op, (a, ta), (b, tb), small = args
    if op == "+":
        return a + b, f"({ta})+({tb})"
    if op == "-":
        return a - b, f"({ta})-({tb})"
    if op == "*":
        return a * b, f"({ta})*({tb})"
    if op == "/":  # divide only by a nonzero constant, so the tree is always defined
        return a / (small + 1), f"({ta})/({small + 1})"
    return a**small, f"({ta})**({small})"


TREES = st.recursive(_leaf(), _extend, max_leaves=8)

SYNTAXES = {
    "python": lambda t: t,
    "caret": lambda t: t.replace("**", "^"),
    "implicit": lambda t: t.replace(")*(", ")(").replace("**", "^"),
    "phone": lambda t: t.replace("**", "^").replace("*", "×").replace("-", "−"),
    "spaced": lambda t: t.replace("**", " ^ ").replace("+", " + ").replace("*", " · "),
}


@SETTINGS
@given(TREES, st.sampled_from(sorted(SYNTAXES)))
def test_printed_trees_parse_back_to_the_same_object(tree, syntax) -> None:
    expr, text = tree
    value = parse(SYNTAXES[syntax](text))
    assert value.expr == expr


@SETTINGS
@given(TREES)
def test_a_tree_checked_against_itself_is_correct(tree) -> None:
    expr, text = tree
    verdict = check_answer(text, SYNTAXES["implicit"](text))
    assert verdict.status == "correct", (text, verdict)


MATHY = st.lists(
    st.sampled_from(
        list("0123456789xyez+-*/^()[]{},;.= \n\t²³√πλη−×·÷|!_'\\\x00")
        + ["sin", "sqrt", "log", "exp", "**", "e-", "1e", "__", "9^9^9"]
    ),
    max_size=80,
).map("".join)


def _check_quickly(text: str, kind: str) -> None:
    expected = {
        "expr": "x*y",
        "number": "1/3",
        "vector": "(1, x)",
        "matrix": "[[1, x], [y, 2]]",
        "points": "{(0, 0), (1, 1)}",
        "choice": "minimum",
    }[kind]
    start = time.perf_counter()
    verdict = check_answer(expected, text, kind=kind)
    assert time.perf_counter() - start < 1.0
    assert verdict.status in ("correct", "incorrect", "invalid", "undecided")
    assert 0.0 <= verdict.score <= 1.0


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(KINDS))
def test_random_text_never_raises_and_returns_within_a_second(text, kind) -> None:
    _check_quickly(text, kind)


@SETTINGS
@given(MATHY, st.sampled_from(KINDS))
def test_random_math_like_text_never_raises_and_returns_within_a_second(text, kind) -> None:
    _check_quickly(text, kind)
