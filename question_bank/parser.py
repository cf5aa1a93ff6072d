"""A Pratt parser from tokens to parse trees and answer structures.

Each scalar is read into a small tree (`nodes`); `settle` then folds it into an
exact rational function, or builds its sympy object with every check. When the
text cannot be read, it is read again building sympy objects as it goes, so
that the first problem in reading order is the one reported.

Conventions: `^` binds tighter than implicit multiplication (3x^2y is 3*x^2*y);
implicit and explicit multiplication share one precedence, left to right
(1/2x is x/2); a function without parentheses takes one power (sin x^2).
"""

from __future__ import annotations

import sympy

from question_bank import build
from question_bank.errors import LimitError, ParseError
from question_bank.limits import DEFAULT_LIMITS, Limits
from question_bank.names import Vocabulary
from question_bank.nodes import Apply, Atom, Neg, Node, Num, Pow, extend, step
from question_bank.settle import reject_undefined, settle
from question_bank.stream import BINARY, IMPLICIT, binding_powers, prepare
from question_bank.structures import PointSet, Term, Value, Vector, describe, make_matrix
from question_bank.tokenizer import (
    CLOSE,
    COMMA,
    END,
    EQUALS,
    NAME,
    NEWLINE,
    NUMBER,
    OP,
    OPEN,
    SEMI,
    Token,
    name_columns,
    tokenize,
)

Read = Value | Node  # while reading, a scalar is still a parse tree

_UNARY = 25
_POWER_RIGHT = 29  # right operand of ^: right-associative, stops before implicit products


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
    try:
        value = _Parser(text, tokens, vocabulary, limits).top()
    except ParseError as error:
        # An eager read reports a value problem (1/0, a huge power) met before this one.
        _Parser(text, tokens, vocabulary, limits, eager=True).top()
        raise error from None
    settle(value, len(vocabulary.variables), limits)
    return value


class _Parser:
    def __init__(
        self, text: str, tokens: list[Token], vocab: Vocabulary, limits: Limits, eager=False
    ):
        self.text = text
        self.tokens, self.closers = prepare(tokens, vocab)
        self.powers = [binding_powers(self.tokens, False), []]  # outside rows, in rows
        self.vocab = vocab
        self.limits = limits
        self.eager = eager  # build sympy objects while reading
        self.pos = 0
        self.depth = 0

    # -- token stream ------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]  # END is never passed
        self.pos += 1
        return token

    def expect_close(self, text: str) -> None:
        token = self.peek()
        if token.kind is not CLOSE or token.text != text:
            raise _unexpected(token, f"expected '{text}'")
        self.advance()

    # -- top level and rows ------------------------------------------------

    def top(self) -> Value:
        self._reject_equation()
        if self.peek().kind is END:
            raise ParseError("the answer is empty")
        value = self._wrap(self._rows_or_list(closer=None, bracket=""))
        if self.peek().kind is not END:
            raise _unexpected(self.peek())
        if self.eager:
            reject_undefined(value)
        return value

    def _wrap(self, value: Read) -> Value:
        # Scalars are parse trees while reading; a finished entry becomes a Term.
        if isinstance(value, Node):
            return Term(node=value, approx=value.approx, limits=self.limits)
        return value

    def _vector(self, items, bracket: str) -> Vector:
        return Vector(tuple(self._wrap(item) for item in items), bracket)

    def _reject_equation(self) -> None:
        for token in self.tokens:
            if token.kind is EQUALS:
                rhs = self.text[token.column :].strip()
                example = f", e.g. {rhs}" if rhs and len(rhs) < 60 else ""
                raise ParseError(
                    f"'=' at column {token.column}: this reads as an equation; enter only "
                    f"the expression{example}",
                    token.column,
                )

    def _rows_or_list(self, closer: str | None, bracket: str) -> Read:
        has_rows, has_comma = self._scan()
        column = self.peek().column
        if not has_rows:
            # At the top level a space is multiplication (x y); inside [ ] it separates.
            entries = self._row(space=bracket == "[" and not has_comma)
            self._check_count(len(entries), self.limits.max_points, column)
            if closer is None and len(entries) == 1:
                return entries[0]
            return self._vector(entries, bracket)
        rows = [self._row(space=not self._scan(row_only=True)[1])]
        while self.peek().kind in (SEMI, NEWLINE):
            self.advance()
            rows.append(self._row(space=not self._scan(row_only=True)[1]))
        self._check_count(len(rows), self.limits.max_dimension, column)
        if all(len(row) == 1 for row in rows):
            return self._vector((row[0] for row in rows), bracket)  # one entry per row
        return make_matrix([[self._wrap(entry) for entry in row] for row in rows], column)

    def _row(self, *, space: bool) -> list[Read]:
        column = self.peek().column
        entries = [self._entry(space)]
        while True:
            token = self.peek()
            if token.kind is COMMA and not space:
                self.advance()
                entries.append(self._entry(space))
            elif space and token.kind not in _ROW_END:
                entries.append(self._entry(space))
            else:
                break
        self._check_count(len(entries), self.limits.max_points, column)
        return entries

    def _entry(self, space: bool) -> Read:
        if self.peek().kind in _ENTRY_END:
            raise _unexpected(self.peek(), "an entry is missing")
        return self._expression(0, space)

    def _scan(self, *, row_only: bool = False) -> tuple[bool, bool]:
        # Look ahead at this bracket level (skipping bracketed groups) for row
        # separators and commas.
        tokens, index, has_rows, has_comma = self.tokens, self.pos, False, False
        while True:
            kind = tokens[index].kind
            if kind is OPEN:
                index = self.closers[index]
            elif kind is CLOSE or kind is END:
                break
            elif kind is SEMI or kind is NEWLINE:
                has_rows = True
                if row_only:
                    break
            elif kind is COMMA:
                has_comma = True
            index += 1
        return has_rows, has_comma

    def _check_count(self, count: int, limit: int, column: int) -> None:
        if count > limit:
            raise LimitError(f"more than {limit} entries in the list at column {column}", column)

    # -- Pratt expression parser -------------------------------------------

    def _expression(self, rbp: int, space: bool) -> Read:
        self.depth += 1
        if self.depth > 2 * self.limits.max_depth:
            raise LimitError(
                f"the expression is nested too deeply at column {self.peek().column}; simplify it",
                self.peek().column,
            )
        left = self._nud(space)
        powers = self.powers[space] or self._spaced_powers()
        while powers[self.pos] > rbp:
            left = self._led(left, self.tokens[self.pos], space)
        self.depth -= 1
        return left

    def _spaced_powers(self) -> list[int]:
        self.powers[1] = binding_powers(self.tokens, True)
        return self.powers[1]

    def _led(self, left: Read, token: Token, space: bool) -> Read:
        if token.kind is not OP:  # implicit multiplication
            previous = self.tokens[self.pos - 1]
            if token.kind is NUMBER and previous.kind is NUMBER:
                raise ParseError(
                    f"missing operator between '{previous.text}' and '{token.text}' at "
                    f"column {token.column}",
                    token.column,
                )
            right = self._leaf(IMPLICIT, space) or self._expression(IMPLICIT, space)
            return self._combine("*", left, right, token)
        self.pos += 1
        rbp = _POWER_RIGHT if token.text == "^" else BINARY[token.text]
        if self.tokens[self.pos].kind in _ENTRY_END:
            raise _unexpected(self.peek(), f"'{token.text}' needs something after it")
        right = self._leaf(rbp, space) or self._expression(rbp, space)
        return self._combine(token.text, left, right, token)

    def _leaf(self, rbp: int, space: bool) -> Node | None:
        # A shortcut for the most common operand: one number or variable that
        # nothing after it binds to. None sends the parser the general way.
        token, index = self.tokens[self.pos], self.pos + 1
        if self.eager or self.depth >= 2 * self.limits.max_depth:
            return None
        if self.powers[space][index] > rbp:  # type: ignore[index]
            return None
        if token.kind is NUMBER:
            node: Node = Num(*token.value, token.column)  # type: ignore[misc]
            node.approx = token.approx
        elif token.kind is NAME and token.text in self.vocab.variables:
            name = token.text
            node = Atom(self.vocab.variables[name], self.vocab.index[name], token.column)
        else:
            return None
        self.pos = index
        return node

    def _combine(
        self, op: str, left: Read, right: Read, token: Token, exponent_first: bool = False
    ) -> Node:
        for side in (left, right):
            if not isinstance(side, Node):
                raise ParseError(
                    f"cannot use '{op}' with {describe(side)} at column {token.column}",
                    token.column,
                )
        before, approx = left.expr, left.approx or right.approx  # type: ignore[union-attr]
        if op == "^":
            node = Pow(left, right, token.column, exponent_first)  # type: ignore[arg-type]
        else:
            node = extend(left, op, right, token.column)  # type: ignore[arg-type]
        node.approx = approx
        if self.eager:
            node.expr = step(op, before, right.expr, token.column, self.limits)  # type: ignore
        return node

    def _nud(self, space: bool) -> Read:
        token = self.tokens[self.pos]
        if token.kind is NUMBER:
            self.pos += 1
            p, q = token.value  # type: ignore[misc]
            node = Num(p, q, token.column)
            node.approx = token.approx
            if self.eager:
                node.expr = build.checked_number(p, q, self.limits, token.column)
            return node
        if token.kind is NAME:
            return self._name(token, space)
        if token.kind is OP and token.text in "+-":
            self.advance()
            operand = self._expression(_UNARY, space)
            if token.text == "+":
                return operand
            return self._negate(operand, token)
        if token.kind is OPEN:
            self.advance()
            return self._bracket(token)
        raise _unexpected(token)

    def _negate(self, operand: Read, token: Token) -> Node:
        if not isinstance(operand, Node):
            raise ParseError(
                f"cannot use '*' with {describe(operand)} at column {token.column}", token.column
            )
        node = Neg(operand, token.column)
        node.approx = operand.approx
        if self.eager:
            minus_one = sympy.S.NegativeOne
            node.expr = build.multiply(minus_one, operand.expr, self.limits, token.column)  # type: ignore
        return node

    def _name(self, token: Token, space: bool) -> Read:
        meaning = self.vocab.lookup(token.text)
        if meaning is None:
            # Words that split into declared names (6xy) were split in advance: name the unknown.
            self.vocab.split(token.text, name_columns(token))
            raise _unexpected(token)  # pragma: no cover - split raises
        self.advance()
        if isinstance(meaning, sympy.Expr):
            return Atom(meaning, self.vocab.index.get(token.text), token.column)
        return self._apply(meaning, token, space)

    def _apply(self, function, token: Token, space: bool) -> Read:
        exponent = None
        if self.peek().kind is OP and self.peek().text == "^":  # sin^2(x)
            self.advance()
            exponent = self._expression(_POWER_RIGHT, space)
        nxt = self.peek()
        if nxt.kind is OPEN and nxt.text == "(":
            self.advance()
            argument = self._expression(0, False)
            if self.peek().kind is COMMA:
                raise ParseError(
                    f"'{token.text}' at column {token.column} takes one argument",
                    self.peek().column,
                )
            self.expect_close(")")
        elif nxt.kind in (NUMBER, NAME) or (nxt.kind is OP and nxt.text == "-"):
            argument = self._expression(_POWER_RIGHT, space)
        else:
            raise ParseError(
                f"'{token.text}' at column {token.column} needs an argument, "
                f"e.g. {token.text.lower()}(x)",
                token.column,
            )
        if not isinstance(argument, Node):
            raise ParseError(
                f"'{token.text}' at column {token.column} cannot take {describe(argument)}",
                token.column,
            )
        result = Apply(token.text.lower(), function, argument, token.column)
        result.approx = argument.approx
        if self.eager:
            result.expr = build.apply(function, argument.expr, self.limits, token.column)  # type: ignore
        if exponent is not None:
            result = self._combine("^", result, exponent, token, exponent_first=True)
        return result

    def _bracket(self, token: Token) -> Read:
        closer = {"(": ")", "[": "]", "{": "}"}[token.text]
        if token.text == "[":
            value = (
                Vector((), "[")
                if self.peek().kind is CLOSE
                else self._rows_or_list(closer="]", bracket="[")
            )
        elif token.text == "{":
            value = PointSet(tuple(self._wrap(item) for item in self._comma_items("}")))
            self._check_count(len(value.items), self.limits.max_points, token.column)
        else:
            items = self._comma_items(")")
            if not items:
                raise ParseError(f"empty brackets '()' at column {token.column}", token.column)
            value = items[0] if len(items) == 1 else self._vector(items, "(")
        self.expect_close(closer)
        return value

    def _comma_items(self, closer: str) -> tuple[Read, ...]:
        items: list[Read] = []
        if self.peek().kind is CLOSE:
            return ()
        items.append(self._entry(False))
        while self.peek().kind is COMMA:
            self.advance()
            items.append(self._entry(False))
        self._check_count(len(items), self.limits.max_points, self.peek().column)
        return tuple(items)


# Tuples, not sets: membership by identity avoids hashing Enum members (slow).
_ROW_END = (SEMI, NEWLINE, CLOSE, END)
_ENTRY_END = (*_ROW_END, COMMA)


def _unexpected(token: Token, why: str = "") -> ParseError:
    suffix = f"; {why}" if why else ""
    if token.kind is END:
        return ParseError(
            f"the answer ends too early at column {token.column}{suffix}", token.column
        )
    shown = "line break" if token.kind is NEWLINE else f"'{token.text}'"
    return ParseError(f"unexpected {shown} at column {token.column}{suffix}", token.column)
