"""LaTeX for how an answer was read, printed from our own parse tree.

The preview follows sympy's LaTeX conventions (`\\frac{x}{2}`, `x^{2}`,
`6 x y`, `\\sin{\\left(x \\right)}`) but keeps the learner's order of terms and
factors, and costs microseconds instead of a sympy printer run.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import gcd

import sympy

from question_bank.nodes import Apply, Atom, Chain, Neg, Node, Num, Pow

_TRIG = {"sin", "cos", "tan"}
_CONSTANTS = {sympy.pi: "\\pi", sympy.E: "e"}


def latex(node: Node) -> str:
    """Return LaTeX for a parse tree.

    Example:
        >>> x = Atom(sympy.Symbol("x"), 0, 1)
        >>> half_x = Chain("product", Num(1, 2, 1), 1)
        >>> half_x.rest.append(("*", x, 2))
        >>> latex(half_x), latex(Pow(x, Num(2, 1, 3), 2))
        ('\\\\frac{x}{2}', 'x^{2}')
    """
    kind = type(node)
    if kind is Atom:
        return _CONSTANTS.get(node.value) or _symbol(node.value.name)  # type: ignore[attr-defined]
    if kind is Num:
        return _fraction(Fraction(node.p, node.q))  # type: ignore[attr-defined]
    if kind is Chain and node.kind == "sum":  # type: ignore[attr-defined]
        return _sum(node)  # type: ignore[arg-type]
    if kind is Chain or kind is Neg or (kind is Pow and _negative_power(node)):  # type: ignore
        return _product(node)
    if kind is Pow:
        return _power(node)  # type: ignore[arg-type]
    assert isinstance(node, Apply)
    return _apply(node)


def _sum(node: Chain) -> str:
    text = latex(node.first)
    for op, operand, _ in node.rest:
        term = latex(operand)
        if op == "-" and _is_sum(operand):
            term = _parens(term)
        negative = term.startswith("-")
        if negative:
            term = term[1:].lstrip()
        text += " - " if negative != (op == "-") else " + "
        text += term
    return text


def _product(node: Node) -> str:
    # Numbers fold into one coefficient p/q; other factors go above or below the line.
    upper: list[Node] = []
    lower: list[Node] = []
    p, q = _collect(node, False, upper, lower)
    divisor = gcd(p, q)
    return _fraction_of(Fraction(p // divisor, q // divisor), upper, lower)


def _collect(node: Node, below: bool, upper: list[Node], lower: list[Node]) -> tuple[int, int]:
    # Return the numeric coefficient of node (below: node divides) as p, q with q > 0.
    kind = type(node)
    if kind is Num:
        p, q = node.p, node.q  # type: ignore[attr-defined]
        return (q, p) if below and p else (p, q)
    if kind is Neg:
        p, q = _collect(node.operand, below, upper, lower)  # type: ignore[attr-defined]
        return -p, q
    if kind is Chain and node.kind == "product":  # type: ignore[attr-defined]
        p, q = _collect(node.first, below, upper, lower)  # type: ignore[attr-defined]
        for op, factor, _ in node.rest:  # type: ignore[attr-defined]
            fp, fq = _collect(factor, below != (op == "/"), upper, lower)
            p, q = p * fp, q * fq
        return (-p, -q) if q < 0 else (p, q)
    if kind is Pow and _negative_power(node):  # type: ignore[arg-type]
        (upper if below else lower).append(_positive_power(node))  # type: ignore[arg-type]
    else:
        (lower if below else upper).append(node)
    return 1, 1


def _fraction_of(coefficient: Fraction, upper: list[Node], lower: list[Node]) -> str:
    sign = "- " if coefficient < 0 else ""
    p, q = abs(coefficient.numerator), coefficient.denominator
    if q == 1 and not lower:
        if not upper:
            return f"-{p}" if sign else str(p)
        return sign + _factors(p, upper, bare=False)
    top, bottom = _factors(p, upper, bare=True), _factors(q, lower, bare=True)
    return f"{sign}\\frac{{{top}}}{{{bottom}}}"


def _factors(number: int, nodes: list[Node], *, bare: bool) -> str:
    # bare: the factors fill a numerator or denominator, where one sum needs no brackets.
    parts = [str(number)] if number != 1 or not nodes else []
    alone = bare and len(nodes) == 1 and not parts
    for node in nodes:
        text = latex(node)
        if not alone and (_is_sum(node) or text.startswith("-")):
            text = _parens(text)
        if parts and text[:1].isdigit():
            parts.append("\\cdot")
        parts.append(text)
    return " ".join(parts)


def _power(node: Pow) -> str:
    base, exponent = node.base, node.exponent
    if isinstance(exponent, Num) and (exponent.p, exponent.q) == (1, 2):
        return f"\\sqrt{{{latex(base)}}}"
    power = latex(exponent)
    if isinstance(base, Apply) and base.name in _TRIG:
        return f"\\{base.name}^{{{power}}}{{\\left({latex(base.argument)} \\right)}}"
    text = latex(base)
    simple = isinstance(base, Atom) or (isinstance(base, Num) and base.q == 1)
    if not simple and not (isinstance(base, Apply) and base.name in ("log", "ln", "abs")):
        text = _parens(text)
    return f"{text}^{{{power}}}"


def _apply(node: Apply) -> str:
    argument = latex(node.argument)
    if node.name == "sqrt":
        return f"\\sqrt{{{argument}}}"
    if node.name == "exp":
        return f"e^{{{argument}}}"
    if node.name == "abs":
        return f"\\left|{{{argument}}}\\right|"
    name = "log" if node.name == "ln" else node.name
    return f"\\{name}{{\\left({argument} \\right)}}"


def _negative_power(node: Pow) -> bool:
    exponent = node.exponent
    return isinstance(exponent, Neg) and isinstance(exponent.operand, Num)


def _positive_power(node: Pow) -> Node:
    assert isinstance(node.exponent, Neg)
    positive = node.exponent.operand
    if isinstance(positive, Num) and (positive.p, positive.q) == (1, 1):
        return node.base
    return Pow(node.base, positive, node.column)


def _is_sum(node: Node) -> bool:
    return isinstance(node, Chain) and node.kind == "sum"


def _parens(text: str) -> str:
    return f"\\left({text}\\right)"


def _fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    sign = "- " if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


@lru_cache(maxsize=256)
def _symbol(name: str) -> str:
    # sympy's rules for names: Greek letters, subscripts (x_1, x1 -> x_{1}).
    return sympy.latex(sympy.Symbol(name))
