"""A small parse tree for one scalar expression, and its lowering to sympy.

The parser records what the learner wrote as these nodes; sympy objects are
built from them only when something needs one (a non-polynomial answer, a
mistake rule, the number kind). Lowering makes exactly the `build` calls the
parser would make while reading, in the same order, so it yields the same
object and raises the same error at the same place.

Sums and products are chains, `a - b + c` one node with its operators in
order, so a long sum is a loop rather than a deep recursion.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from question_bank import build
from question_bank.limits import Limits

_NEGATIVE_ONE = sympy.S.NegativeOne


class Node:
    """A node of the parse tree; `expr` caches its sympy object once built.

    `approx` records that a decimal number was written somewhere inside.
    """

    __slots__ = ("column", "expr", "approx")

    def __init__(self, column: int) -> None:
        self.column = column
        self.expr: sympy.Expr | None = None
        self.approx = False


class Num(Node):
    """A written number, exactly p/q."""

    __slots__ = ("p", "q")

    def __init__(self, p: int, q: int, column: int) -> None:
        self.column, self.expr, self.approx = column, None, False
        self.p, self.q = p, q


class Atom(Node):
    """A declared variable (`index` is its place in the vocabulary) or a constant."""

    __slots__ = ("value", "index")

    def __init__(self, value: sympy.Expr, index: int | None, column: int) -> None:
        self.column, self.expr, self.approx = column, value, False
        self.value, self.index = value, index


class Chain(Node):
    """`first` followed by (operator, operand, column) steps: a sum (+ -) or product (* /)."""

    __slots__ = ("kind", "first", "rest")

    def __init__(self, kind: str, first: Node, column: int) -> None:
        self.column, self.expr, self.approx = column, None, False
        self.kind, self.first = kind, first
        self.rest: list[tuple[str, Node, int]] = []


class Neg(Node):
    """Unary minus."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node, column: int) -> None:
        self.column, self.expr, self.approx = column, None, False
        self.operand = operand


class Pow(Node):
    """base^exponent; `exponent_first` when the exponent was read first (sin^2 x)."""

    __slots__ = ("base", "exponent", "exponent_first")

    def __init__(self, base: Node, exponent: Node, column: int, exponent_first: bool = False):
        self.column, self.expr, self.approx = column, None, False
        self.base, self.exponent, self.exponent_first = base, exponent, exponent_first


class Apply(Node):
    """A function from the fixed table applied to one argument."""

    __slots__ = ("name", "function", "argument")

    def __init__(self, name: str, function: Callable, argument: Node, column: int) -> None:
        self.column, self.expr, self.approx = column, None, False
        self.name, self.function, self.argument = name, function, argument


def extend(left: Node, op: str, right: Node, column: int) -> Chain:
    """Return the chain `left op right`, appending to left when it is a chain of that kind.

    Example:
        >>> x = Atom(sympy.Symbol("x"), 0, 1)
        >>> chain = extend(extend(x, "+", Num(1, 1, 3), 2), "-", Num(2, 1, 5), 4)
        >>> [op for op, _, _ in chain.rest]
        ['+', '-']
    """
    kind = "sum" if op in "+-" else "product"
    chain = left if isinstance(left, Chain) and left.kind == kind else Chain(kind, left, column)
    chain.rest.append((op, right, column))
    chain.expr = None  # no longer the value of the whole chain
    return chain


def step(op: str, a: sympy.Expr, b: sympy.Expr, column: int, limits: Limits) -> sympy.Expr:
    """Return `a op b` built with the parser's checks.

    Example:
        >>> step("-", sympy.Integer(1), sympy.Integer(3), 1, Limits())
        -2
    """
    if op == "+":
        return build.add(a, b, limits, column)
    if op == "-":
        return build.add(a, build.multiply(_NEGATIVE_ONE, b, limits, column), limits, column)
    if op == "*":
        return build.multiply(a, b, limits, column)
    if op == "/":
        return build.divide(a, b, limits, column)
    return build.power(a, b, limits, column)


def lower(node: Node, limits: Limits) -> sympy.Expr:
    """Return the sympy object for node, built as the parser would (may raise ParseError).

    Example:
        >>> x = Atom(sympy.Symbol("x"), 0, 1)
        >>> lower(Pow(extend(x, "+", Num(1, 1, 3), 2), Num(2, 1, 6), 5), Limits())
        (x + 1)**2
    """
    if node.expr is not None:
        return node.expr
    if isinstance(node, Num):
        result = build.checked_number(node.p, node.q, limits, node.column)
    elif isinstance(node, Atom):
        result = node.value
    elif isinstance(node, Chain):
        result = lower(node.first, limits)
        for op, operand, column in node.rest:
            result = step(op, result, lower(operand, limits), column, limits)
    elif isinstance(node, Neg):
        operand = lower(node.operand, limits)
        result = build.multiply(_NEGATIVE_ONE, operand, limits, node.column)
    elif isinstance(node, Pow):
        if node.exponent_first:
            exponent = lower(node.exponent, limits)
            base = lower(node.base, limits)
        else:
            base = lower(node.base, limits)
            exponent = lower(node.exponent, limits)
        result = build.power(base, exponent, limits, node.column)
    else:
        assert isinstance(node, Apply)
        argument = lower(node.argument, limits)
        result = build.apply(node.function, argument, limits, node.column)
    node.expr = result
    return result
