"""Prepare the token stream for the parser: row breaks, split names, matched brackets."""

from __future__ import annotations

from question_bank.errors import ParseError
from question_bank.names import Vocabulary
from question_bank.tokenizer import (
    CLOSE,
    COMMA,
    END,
    NAME,
    NEWLINE,
    NUMBER,
    OP,
    OPEN,
    SEMI,
    Token,
    name_columns,
)

BINARY = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 30}  # binding powers of the operators
IMPLICIT = 20  # implicit multiplication binds like * and /


def prepare(tokens: list[Token], vocab: Vocabulary) -> tuple[list[Token], dict[int, int]]:
    """Return the parser's tokens and, for each opening bracket, the index of its closer.

    Line breaks that do not separate matrix rows become spaces; undeclared
    words that split into declared names (`6xy`) become one token per name
    (a word that does not split stays, and the parser reports it when it
    reaches it); the stream ends with END.

    Example:
        >>> from question_bank.limits import Limits
        >>> from question_bank.tokenizer import tokenize
        >>> out, closers = prepare(tokenize("(2xy)", Limits()), Vocabulary.build(("x", "y")))
        >>> [t.text for t in out], closers
        (['(', '2', 'x', 'y', ')', ''], {0: 4})
    """
    if any(token.kind is NEWLINE for token in tokens):
        tokens = clean_newlines(tokens)
    out: list[Token] = []
    closers: dict[int, int] = {}
    openers: list[int] = []  # the tokenizer has already checked that brackets balance
    variables = vocab.variables
    for token in tokens:
        kind = token.kind
        if kind is NAME and token.text not in variables and vocab.lookup(token.text) is None:
            out.extend(_split(token, vocab))
            continue
        if kind is OPEN:
            openers.append(len(out))
        elif kind is CLOSE:
            closers[openers.pop()] = len(out)
        out.append(token)
    return out, closers


def _split(token: Token, vocab: Vocabulary) -> list[Token]:
    try:
        pieces = vocab.split(token.text, name_columns(token))
    except ParseError:
        return [token]
    return [
        Token(NAME, text, column, token.space_before and i == 0)
        for i, (text, column) in enumerate(pieces)
    ]


def clean_newlines(tokens: list[Token]) -> list[Token]:
    """Keep the line breaks that separate matrix rows; make the others white space.

    Next to an operator, comma or bracket, or inside ( ) and { }, a line break
    is only white space.
    """
    if not any(token.kind is NEWLINE for token in tokens):
        return tokens
    out: list[Token] = []
    stack: list[str] = []
    pending_space = False
    for index, token in enumerate(tokens):
        if token.kind is OPEN:
            stack.append(token.text)
        elif token.kind is CLOSE and stack:
            stack.pop()
        if token.kind is NEWLINE:
            nxt = tokens[index + 1]
            if _row_break(out[-1] if out else None, nxt, stack):
                out.append(token)
            else:
                pending_space = True
            continue
        if pending_space:
            token = token._replace(space_before=True)
            pending_space = False
        out.append(token)
    return out


def _row_break(previous: Token | None, nxt: Token, stack: list[str]) -> bool:
    if previous is None or (stack and stack[-1] != "["):
        return False
    if previous.kind in (OPEN, COMMA, SEMI, NEWLINE, OP):
        return False
    if nxt.kind in (CLOSE, COMMA, SEMI, END, NEWLINE):
        return False
    return not (nxt.kind is OP and nxt.text in "*/^")


def binding_powers(tokens: list[Token], space: bool) -> list[int]:
    """Return how strongly each token binds to what precedes it (0: not at all).

    In a row (`space`), a space separates entries.

    Example:
        >>> from question_bank.limits import Limits
        >>> from question_bank.tokenizer import tokenize
        >>> binding_powers(tokenize("2x + 1", Limits()), False)
        [20, 20, 10, 20, 0]
    """
    if not space:
        return [
            BINARY[t.text]
            if t.kind is OP
            else IMPLICIT
            if t.kind is NUMBER or t.kind is NAME or (t.kind is OPEN and t.text == "(")
            else 0
            for t in tokens
        ]
    powers = []
    last = len(tokens) - 1
    for index, token in enumerate(tokens):
        kind = token.kind
        if kind is OP:
            power = BINARY[token.text]
            if token.space_before and token.text in "+-":
                # In a row, "1 -2" is two entries; "1 - 2" and "1-2" are one.
                if not tokens[min(index + 1, last)].space_before:
                    power = 0
        elif kind is NUMBER or kind is NAME or (kind is OPEN and token.text == "("):
            power = 0 if token.space_before else IMPLICIT
        else:
            power = 0
        powers.append(power)
    return powers
