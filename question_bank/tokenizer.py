"""Turn learner text into tokens, after normalising what phone keyboards type."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import NamedTuple

from question_bank.errors import LimitError, ParseError, visible
from question_bank.limits import Limits


class Kind(Enum):
    """The kinds of token the grammar knows."""

    NUMBER = "number"
    NAME = "name"
    OP = "operator"
    OPEN = "open"
    CLOSE = "close"
    COMMA = "comma"
    SEMI = "semicolon"
    NEWLINE = "newline"
    EQUALS = "equals"
    END = "end"


# Module constants: reading an Enum member off its class is several times slower.
NUMBER, NAME, OP, OPEN, CLOSE = Kind.NUMBER, Kind.NAME, Kind.OP, Kind.OPEN, Kind.CLOSE
COMMA, SEMI, NEWLINE, EQUALS, END = Kind.COMMA, Kind.SEMI, Kind.NEWLINE, Kind.EQUALS, Kind.END


class Token(NamedTuple):
    """One token; `column` is 1-based in the original text."""

    kind: Kind
    text: str
    column: int
    space_before: bool = False
    value: tuple[int, int] | None = None  # numerator, denominator of a NUMBER
    approx: bool = False  # the number was written with a decimal point or exponent
    columns: tuple[int, ...] = ()  # a NAME's per-character columns when not consecutive


def name_columns(token: Token) -> tuple[int, ...]:
    """Return the column of each character of a NAME token.

    Example:
        >>> name_columns(tokenize("2 xy", Limits())[1])
        (3, 4)
    """
    return token.columns or tuple(range(token.column, token.column + len(token.text)))


GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon",
    "ϵ": "epsilon", "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta",
    "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Λ": "Lambda", "Δ": "Delta",
    "Σ": "Sigma", "Θ": "Theta", "Φ": "Phi", "Ω": "Omega", "Γ": "Gamma",
}  # fmt: skip

_SYMBOLS = {
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
    "\u2014": "-", "\ufe63": "-", "\uff0d": "-", "×": "*", "·": "*", "⋅": "*",
    "∙": "*", "✕": "*", "∗": "*", "÷": "/", "∕": "/", "⁄": "/",
    "π": "pi", "∞": "oo", "\u2018": "'", "\u2019": "'", "\r": "\n", "\t": " ",
}  # fmt: skip
_SYMBOLS.update(GREEK)

_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
    "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+",
}  # fmt: skip

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_HINTS = {
    "\\": "LaTeX is not read here; type plain text such as sqrt(2)/2",
    "|": "write abs(x) for an absolute value",
    "!": "factorials are not part of this answer format",
    ".": "a decimal point needs a digit after it",
    "'": "quotes are not part of a mathematical answer",
    '"': "quotes are not part of a mathematical answer",
}


def normalise(text: str) -> list[tuple[str, int]]:
    """Map each character to plain ASCII math, keeping its original column.

    Example:
        >>> "".join(c for c, _ in normalise("3x² − ½"))
        '3x^(2) - 1/2'
    """
    out: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in _SUPERSCRIPTS:
            end = index
            while end < len(text) and text[end] in _SUPERSCRIPTS:
                end += 1
            digits = "".join(_SUPERSCRIPTS[c] for c in text[index:end])
            out.extend((c, index + 1) for c in f"^({digits})")
            index = end
            continue
        for piece in _normalise_char(char):
            out.append((piece, index + 1))
        index += 1
    return out


def _normalise_char(char: str) -> str:
    if char in _SYMBOLS:
        return _SYMBOLS[char]
    if unicodedata.category(char) == "Zs":
        return " "  # non-breaking, thin and ideographic spaces
    folded = unicodedata.normalize("NFKC", char)  # full-width digits and letters
    return "".join(_SYMBOLS.get(c, c) for c in folded)


def tokenize(text: str, limits: Limits) -> list[Token]:
    """Return the tokens of `text`, ending with an END token.

    Example:
        >>> [t.text for t in tokenize("2x^2", Limits())]
        ['2', 'x', '^', '2', '']
    """
    if len(text) > limits.max_length:
        raise LimitError(
            f"the answer is {len(text):,} characters long; the limit is "
            f"{limits.max_length:,}. Shorten it or simplify first."
        )
    plain, columns = _normalised(text)
    return _Lexer(plain, columns, limits).run()


def _normalised(text: str) -> tuple[str, list[int] | None]:
    # The normalised text as one string, and each character's column (None: its index + 1).
    if text.isascii():  # the common case: only tabs and carriage returns change
        return text.replace("\r", "\n").replace("\t", " "), None
    pairs = normalise(text)
    return "".join(c for c, _ in pairs), [column for _, column in pairs]


# A number (1, 1.5, .5, 2e-3), a name (x, sin, x_1), a run of spaces, or one other character.
_LEXEME = re.compile(
    r"(?P<integer>[0-9]+)(?![0-9.eE])"  # the common cases first: 12, x, +
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^])"
    r"|(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?(?P<exponent>[eE][+-]?[0-9]+)?"
    r"|\.(?P<point_fraction>[0-9]+)(?P<point_exponent>[eE][+-]?[0-9]+)?"
    r"|(?P<space> +)"
    r"|(?P<other>.)",  # punctuation and anything unexpected, one character at a time
    re.DOTALL,
)


_new_tuple = tuple.__new__


class _Lexer:
    def __init__(self, plain: str, columns: list[int] | None, limits: Limits) -> None:
        self.plain = plain
        self.columns = columns
        self.limits = limits
        self.tokens: list[Token] = []
        self.stack: list[tuple[str, int]] = []
        self.space = False

    def column(self, index: int) -> int:
        return index + 1 if self.columns is None else self.columns[index]

    def run(self) -> list[Token]:
        columns, tokens = self.columns, self.tokens
        max_tokens, max_digits = self.limits.max_tokens, self.limits.max_literal_digits
        for found in _LEXEME.finditer(self.plain):
            group = found.lastgroup
            if group == "op" or group == "integer" or group == "name":
                # The common tokens, inline; the limits are checked as in _emit.
                text, start = found.group(), found.start()
                column = start + 1 if columns is None else columns[start]
                if len(tokens) >= max_tokens or (group == "integer" and len(text) > max_digits):
                    self._refuse(found, column)
                # tuple.__new__ skips NamedTuple's Python-level __new__: all fields given.
                if group == "op":
                    fields = (
                        OP,
                        "^" if text == "**" else text,
                        column,
                        self.space,
                        None,
                        False,
                        (),
                    )
                elif group == "integer":
                    fields = (NUMBER, text, column, self.space, (int(text), 1), False, ())
                else:
                    spots = () if columns is None else tuple(columns[start : found.end()])
                    fields = (NAME, text, column, self.space, None, False, spots)
                tokens.append(_new_tuple(Token, fields))
                self.space = False
            elif group == "space":
                self.space = True
            elif group == "other":
                self._punctuation(found.group(), self.column(found.start()))
            else:
                self._number(found)
        if self.stack:
            opener, column = self.stack[-1]
            raise ParseError(f"'{opener}' at column {column} is never closed", column)
        end_column = self.column(len(self.plain) - 1) + 1 if self.plain else 1
        self.tokens.append(Token(END, "", end_column, self.space))
        return self.tokens

    def _refuse(self, found: re.Match, column: int) -> None:
        # Past the token or digit limit: raise the error the general path gives.
        if found.lastgroup == "integer":
            self._number(found)
        self._emit(OP, found.group(), column)
        raise AssertionError("unreachable: _emit raises at the token limit")  # pragma: no cover

    def _emit(self, kind: Kind, text: str, column: int, *extra: object) -> None:
        if len(self.tokens) >= self.limits.max_tokens:
            raise LimitError(
                f"the answer has more than {self.limits.max_tokens} symbols; "
                "simplify it before entering it",
                column,
            )
        self.tokens.append(Token(kind, text, column, self.space, *extra))  # type: ignore[arg-type]
        self.space = False

    def _number(self, found: re.Match) -> None:
        column = self.column(found.start())
        whole = found["whole"] or found["integer"] or ""
        fraction = found["fraction"] or found["point_fraction"] or ""
        after = found.end("whole")
        if whole and not fraction and self.plain[after : after + 1] == ".":
            dot = self.column(after)  # 5. or 5.x: a point with no digit after it
            raise ParseError(f"unexpected '.' at column {dot}: " + _HINTS["."], dot)
        exponent = self._exponent(found)
        digits = len(whole) + len(fraction)
        if digits > self.limits.max_literal_digits:
            raise LimitError(
                f"the number at column {column} has {digits:,} digits; the limit is "
                f"{self.limits.max_literal_digits}. Round it or write it as a power",
                column,
            )
        numerator = int(whole + fraction or "0")
        denominator = 10 ** len(fraction)
        if exponent >= 0:
            numerator *= 10**exponent
        else:
            denominator *= 10 ** (-exponent)
        text = found.group()
        approx = bool(fraction) or "e" in text.lower()
        self._emit(NUMBER, text, column, (numerator, denominator), approx)

    def _exponent(self, found: re.Match) -> int:
        # Scientific notation only when a digit follows: 2e is 2*e, 2e-3 is 0.002.
        written = found["exponent"] or found["point_exponent"]
        if not written:
            return 0
        group = "exponent" if found["exponent"] else "point_exponent"
        column = self.column(found.start(group))
        digits = written.lstrip("eE+-")
        if len(digits) > 4 or int(digits) > self.limits.max_exponent:
            raise LimitError(
                f"the exponent at column {column} is too large; the limit is "
                f"{self.limits.max_exponent}",
                column,
            )
        return -int(digits) if written[1] == "-" else int(digits)

    def _punctuation(self, char: str, column: int) -> None:
        if char == ".":  # not followed by a digit, or it would have read as a number
            raise ParseError(f"unexpected '.' at column {column}: " + _HINTS["."], column)
        if char == "√":  # its own token, so √2x reads as sqrt(2)*x
            self._emit(NAME, "sqrt", column, None, False, (column,) * 4)
        elif char in _OPENERS:
            self._open(char, column)
        elif char in _CLOSERS:
            self._close(char, column)
        elif char in ",;=\n":
            kind = {",": COMMA, ";": SEMI, "=": EQUALS, "\n": NEWLINE}
            self._emit(kind[char], char, column)
        else:
            hint = _HINTS.get(char)
            message = f"unexpected character {visible(char)} at column {column}"
            raise ParseError(f"{message}: {hint}" if hint else message, column)

    def _open(self, char: str, column: int) -> None:
        if len(self.stack) >= self.limits.max_depth:
            raise LimitError(
                f"brackets are nested more than {self.limits.max_depth} deep at column "
                f"{column}; remove some brackets",
                column,
            )
        self.stack.append((char, column))
        self._emit(OPEN, char, column)

    def _close(self, char: str, column: int) -> None:
        if not self.stack or self.stack[-1][0] != _CLOSERS[char]:
            raise ParseError(f"unexpected '{char}' at column {column}", column)
        self.stack.pop()
        self._emit(CLOSE, char, column)
