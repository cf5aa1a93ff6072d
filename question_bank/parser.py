"""A Pratt parser from tokens straight to sympy objects and answer structures.

Conventions: `^` binds tighter than implicit multiplication (3x^2y is 3*x^2*y);
implicit and explicit multiplication share one precedence, left to right
(1/2x is x/2); a function without parentheses takes one power (sin x^2).
"""

from __future__ import annotations

import dataclasses

import sympy

from question_bank import build
from question_bank.errors import LimitError, ParseError
from question_bank.limits import DEFAULT_LIMITS, Limits
from question_bank.names import Vocabulary
from question_bank.structures import (
    Matrix,
    PointSet,
    Term,
    Value,
    Vector,
    describe,
    make_matrix,
)
from question_bank.tokenizer import Kind, Token, tokenize

_BINARY = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 30}
_IMPLICIT = 20
_UNARY = 25
_POWER_RIGHT = 29  # right operand of ^: right-associative, stops before implicit products
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def parse(
    text: str, variables: tuple[str, ...] = ("x", "y"), limits: Limits = DEFAULT_LIMITS
) -> Value:
    """Read `text` as a scalar, vector, matrix or point set, or raise ParseError.

    Example:
        >>> parse("3x^2y").expr
        3*x**2*y
        >>> parse("[1, 2; 3, 4]").shape
        (2, 2)
    """
    return parse_with(text, Vocabulary.build(variables), limits)


def parse_with(text: str, vocabulary: Vocabulary, limits: Limits) -> Value:
    """Read `text` with an already built vocabulary."""
    tokens = tokenize(text, limits)
    return _Parser(text, tokens, vocabulary, limits).top()


class _Parser:
    def __init__(self, text: str, tokens: list[Token], vocab: Vocabulary, limits: Limits):
        self.text = text
        self.tokens = _clean_newlines(tokens)
        self.vocab = vocab
        self.limits = limits
        self.pos = 0
        self.depth = 0

    # -- token stream ------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def expect_close(self, text: str) -> None:
        token = self.peek()
        if token.kind is not Kind.CLOSE or token.text != text:
            raise _unexpected(token, f"expected '{text}'")
        self.advance()

    # -- top level and rows ------------------------------------------------

    def top(self) -> Value:
        self._reject_equation()
        if self.peek().kind is Kind.END:
            raise ParseError("the answer is empty")
        value = self._rows_or_list(closer=None, bracket="")
        if self.peek().kind is not Kind.END:
            raise _unexpected(self.peek())
        _reject_undefined(value)
        return value

    def _reject_equation(self) -> None:
        for token in self.tokens:
            if token.kind is Kind.EQUALS:
                rhs = self.text[token.column :].strip()
                example = f", e.g. {rhs}" if rhs and len(rhs) < 60 else ""
                raise ParseError(
                    f"'=' at column {token.column}: this reads as an equation; enter only "
                    f"the expression{example}",
                    token.column,
                )

    def _rows_or_list(self, closer: str | None, bracket: str) -> Value:
        has_rows, has_comma = self._scan()
        column = self.peek().column
        if not has_rows:
            # At the top level a space is multiplication (x y); inside [ ] it separates.
            entries = self._row(space=bracket == "[" and not has_comma)
            self._check_count(len(entries), self.limits.max_points, column)
            if closer is None and len(entries) == 1:
                return entries[0]
            return Vector(tuple(entries), bracket)
        rows = [self._row(space=not self._scan(row_only=True)[1])]
        while self.peek().kind in (Kind.SEMI, Kind.NEWLINE):
            self.advance()
            rows.append(self._row(space=not self._scan(row_only=True)[1]))
        self._check_count(len(rows), self.limits.max_dimension, column)
        if all(len(row) == 1 for row in rows):
            return Vector(tuple(row[0] for row in rows), bracket)  # one entry per row
        return make_matrix(rows, column)

    def _row(self, *, space: bool) -> list[Value]:
        column = self.peek().column
        entries = [self._entry(space)]
        while True:
            token = self.peek()
            if token.kind is Kind.COMMA and not space:
                self.advance()
                entries.append(self._entry(space))
            elif space and token.kind not in _ROW_END:
                entries.append(self._entry(space))
            else:
                break
        self._check_count(len(entries), self.limits.max_points, column)
        return entries

    def _entry(self, space: bool) -> Value:
        if self.peek().kind in _ROW_END | {Kind.COMMA}:
            raise _unexpected(self.peek(), "an entry is missing")
        return self._expression(0, space)

    def _scan(self, *, row_only: bool = False) -> tuple[bool, bool]:
        # Look ahead at this bracket level for row separators and commas.
        depth, has_rows, has_comma = 0, False, False
        for token in self.tokens[self.pos :]:
            if token.kind is Kind.OPEN:
                depth += 1
            elif token.kind is Kind.CLOSE:
                depth -= 1
                if depth < 0:
                    break
            elif token.kind is Kind.END:
                break
            elif depth == 0 and token.kind in (Kind.SEMI, Kind.NEWLINE):
                has_rows = True
                if row_only:
                    break
            elif depth == 0 and token.kind is Kind.COMMA:
                has_comma = True
        return has_rows, has_comma

    def _check_count(self, count: int, limit: int, column: int) -> None:
        if count > limit:
            raise LimitError(f"more than {limit} entries in the list at column {column}", column)

    # -- Pratt expression parser -------------------------------------------

    def _expression(self, rbp: int, space: bool) -> Value:
        self.depth += 1
        if self.depth > 2 * self.limits.max_depth:
            raise LimitError(
                f"the expression is nested too deeply at column {self.peek().column}; simplify it",
                self.peek().column,
            )
        left = self._nud(space)
        while True:
            token = self.peek()
            bp = self._binding_power(token, space)
            if bp <= rbp:
                break
            left = self._led(left, token, space)
        self.depth -= 1
        return left

    def _binding_power(self, token: Token, space: bool) -> int:
        if token.kind is Kind.OP:
            if space and token.space_before and token.text in "+-":
                # In a row, "1 -2" is two entries; "1 - 2" and "1-2" are one.
                if not self.peek(1).space_before:
                    return 0
            return _BINARY[token.text]
        starts_operand = token.kind in (Kind.NUMBER, Kind.NAME) or (
            token.kind is Kind.OPEN and token.text == "("
        )
        if starts_operand and not (space and token.space_before):
            return _IMPLICIT
        return 0

    def _led(self, left: Value, token: Token, space: bool) -> Value:
        if token.kind is not Kind.OP:  # implicit multiplication
            previous = self.tokens[self.pos - 1]
            if token.kind is Kind.NUMBER and previous.kind is Kind.NUMBER:
                raise ParseError(
                    f"missing operator between '{previous.text}' and '{token.text}' at "
                    f"column {token.column}",
                    token.column,
                )
            right = self._expression(_IMPLICIT, space)
            return self._combine("*", left, right, token)
        self.advance()
        rbp = _POWER_RIGHT if token.text == "^" else _BINARY[token.text]
        if self.peek().kind in _ROW_END | {Kind.COMMA}:
            raise _unexpected(self.peek(), f"'{token.text}' needs something after it")
        right = self._expression(rbp, space)
        return self._combine(token.text, left, right, token)

    def _combine(self, op: str, left: Value, right: Value, token: Token) -> Term:
        for side in (left, right):
            if not isinstance(side, Term):
                raise ParseError(
                    f"cannot use '{op}' with {describe(side)} at column {token.column}",
                    token.column,
                )
        a, b, col, lim = left.expr, right.expr, token.column, self.limits  # type: ignore[union-attr]
        if op == "+":
            result = build.add(a, b, lim, col)
        elif op == "-":
            result = build.add(a, build.multiply(sympy.S.NegativeOne, b, lim, col), lim, col)
        elif op == "*":
            result = build.multiply(a, b, lim, col)
        elif op == "/":
            result = build.divide(a, b, lim, col)
        else:
            result = build.power(a, b, lim, col)
        return Term(result, left.approx or right.approx)  # type: ignore[union-attr]

    def _nud(self, space: bool) -> Value:
        token = self.peek()
        if token.kind is Kind.NUMBER:
            self.advance()
            p, q = token.value  # type: ignore[misc]
            number = build.checked_number(p, q, self.limits, token.column)
            return Term(number, token.approx)
        if token.kind is Kind.NAME:
            return self._name(token, space)
        if token.kind is Kind.OP and token.text in "+-":
            self.advance()
            operand = self._expression(_UNARY, space)
            if token.text == "+":
                return operand
            return self._combine("*", Term(sympy.S.NegativeOne), operand, token)
        if token.kind is Kind.OPEN:
            self.advance()
            return self._bracket(token)
        raise _unexpected(token)

    def _name(self, token: Token, space: bool) -> Value:
        meaning = self.vocab.lookup(token.text)
        if meaning is None:
            # 6xy: split into declared names and re-read them as separate tokens.
            pieces = self.vocab.split(token.text, token.columns)
            self.tokens[self.pos : self.pos + 1] = [
                Token(Kind.NAME, text, column, token.space_before and i == 0)
                for i, (text, column) in enumerate(pieces)
            ]
            return self._nud(space)
        self.advance()
        if isinstance(meaning, sympy.Expr):
            return Term(meaning)
        return self._apply(meaning, token, space)

    def _apply(self, function, token: Token, space: bool) -> Value:
        exponent = None
        if self.peek().kind is Kind.OP and self.peek().text == "^":  # sin^2(x)
            self.advance()
            exponent = self._expression(_POWER_RIGHT, space)
        nxt = self.peek()
        if nxt.kind is Kind.OPEN and nxt.text == "(":
            self.advance()
            argument = self._expression(0, False)
            if self.peek().kind is Kind.COMMA:
                raise ParseError(
                    f"'{token.text}' at column {token.column} takes one argument",
                    self.peek().column,
                )
            self.expect_close(")")
        elif nxt.kind in (Kind.NUMBER, Kind.NAME) or (nxt.kind is Kind.OP and nxt.text == "-"):
            argument = self._expression(_POWER_RIGHT, space)
        else:
            raise ParseError(
                f"'{token.text}' at column {token.column} needs an argument, "
                f"e.g. {token.text.lower()}(x)",
                token.column,
            )
        if not isinstance(argument, Term):
            raise ParseError(
                f"'{token.text}' at column {token.column} cannot take {describe(argument)}",
                token.column,
            )
        result = Term(
            build.apply(function, argument.expr, self.limits, token.column), argument.approx
        )
        if exponent is not None:
            result = self._combine("^", result, exponent, token)
        return result

    def _bracket(self, token: Token) -> Value:
        closer = {"(": ")", "[": "]", "{": "}"}[token.text]
        if token.text == "[":
            value = (
                Vector((), "[")
                if self.peek().kind is Kind.CLOSE
                else self._rows_or_list(closer="]", bracket="[")
            )
        elif token.text == "{":
            value = PointSet(self._comma_items("}"))
            self._check_count(len(value.items), self.limits.max_points, token.column)
        else:
            items = self._comma_items(")")
            if not items:
                raise ParseError(f"empty brackets '()' at column {token.column}", token.column)
            value = items[0] if len(items) == 1 else Vector(items, "(")
        self.expect_close(closer)
        return value

    def _comma_items(self, closer: str) -> tuple[Value, ...]:
        items: list[Value] = []
        if self.peek().kind is Kind.CLOSE:
            return ()
        items.append(self._entry(False))
        while self.peek().kind is Kind.COMMA:
            self.advance()
            items.append(self._entry(False))
        self._check_count(len(items), self.limits.max_points, self.peek().column)
        return tuple(items)


_ROW_END = frozenset({Kind.SEMI, Kind.NEWLINE, Kind.CLOSE, Kind.END})


def _unexpected(token: Token, why: str = "") -> ParseError:
    suffix = f"; {why}" if why else ""
    if token.kind is Kind.END:
        return ParseError(
            f"the answer ends too early at column {token.column}{suffix}", token.column
        )
    shown = "line break" if token.kind is Kind.NEWLINE else f"'{token.text}'"
    return ParseError(f"unexpected {shown} at column {token.column}{suffix}", token.column)


def _clean_newlines(tokens: list[Token]) -> list[Token]:
    # A line break separates matrix rows; next to an operator, comma or bracket,
    # or inside ( ) and { }, it is only white space.
    out: list[Token] = []
    stack: list[str] = []
    pending_space = False
    for index, token in enumerate(tokens):
        if token.kind is Kind.OPEN:
            stack.append(token.text)
        elif token.kind is Kind.CLOSE and stack:
            stack.pop()
        if token.kind is Kind.NEWLINE:
            nxt = tokens[index + 1]
            if _row_break(out[-1] if out else None, nxt, stack):
                out.append(token)
            else:
                pending_space = True
            continue
        if pending_space:
            token = dataclasses.replace(token, space_before=True)
            pending_space = False
        out.append(token)
    return out


def _row_break(previous: Token | None, nxt: Token, stack: list[str]) -> bool:
    if previous is None or (stack and stack[-1] != "["):
        return False
    if previous.kind in (Kind.OPEN, Kind.COMMA, Kind.SEMI, Kind.NEWLINE, Kind.OP):
        return False
    if nxt.kind in (Kind.CLOSE, Kind.COMMA, Kind.SEMI, Kind.END, Kind.NEWLINE):
        return False
    return not (nxt.kind is Kind.OP and nxt.text in "*/^")


def _reject_undefined(value: Value) -> None:
    if isinstance(value, Term):
        if value.expr.has(*_UNDEFINED):
            raise ParseError("the answer is undefined somewhere (division by zero?)")
    elif isinstance(value, Matrix):
        for row in value.rows:
            for entry in row:
                _reject_undefined(entry)
    else:
        for item in value.items:
            _reject_undefined(item)
