"""Turn learner text into tokens, after normalising what phone keyboards type."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

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


@dataclass(frozen=True)
class Token:
    """One token; `column` is 1-based in the original text."""

    kind: Kind
    text: str
    column: int
    space_before: bool = False
    value: tuple[int, int] | None = None  # numerator, denominator of a NUMBER
    approx: bool = False  # the number was written with a decimal point or exponent
    columns: tuple[int, ...] = ()  # a NAME's per-character columns, for splitting


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
    chars = normalise(text)
    lexer = _Lexer(chars, limits)
    return lexer.run()


class _Lexer:
    def __init__(self, chars: list[tuple[str, int]], limits: Limits) -> None:
        self.chars = chars
        self.limits = limits
        self.pos = 0
        self.tokens: list[Token] = []
        self.stack: list[tuple[str, int]] = []
        self.space = False

    def run(self) -> list[Token]:
        while self.pos < len(self.chars):
            char, column = self.chars[self.pos]
            if char == " ":
                self.space = True
                self.pos += 1
            elif char.isascii() and (char.isdigit() or char == "."):
                self._number(column)
            elif char.isascii() and (char.isalpha() or char == "_"):
                self._name(column)
            else:
                self._punctuation(char, column)
        if self.stack:
            opener, column = self.stack[-1]
            raise ParseError(f"'{opener}' at column {column} is never closed", column)
        end_column = self.chars[-1][1] + 1 if self.chars else 1
        self.tokens.append(Token(Kind.END, "", end_column, self.space))
        return self.tokens

    def _emit(self, kind: Kind, text: str, column: int, **extra: object) -> None:
        if len(self.tokens) >= self.limits.max_tokens:
            raise LimitError(
                f"the answer has more than {self.limits.max_tokens} symbols; "
                "simplify it before entering it",
                column,
            )
        self.tokens.append(Token(kind, text, column, self.space, **extra))  # type: ignore[arg-type]
        self.space = False

    def _take_while(self, predicate) -> str:
        start = self.pos
        while self.pos < len(self.chars) and predicate(self.chars[self.pos][0]):
            self.pos += 1
        return "".join(c for c, _ in self.chars[start : self.pos])

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.chars[index][0] if index < len(self.chars) else ""

    def _number(self, column: int) -> None:
        start = self.pos
        whole = self._take_while(_is_digit)
        fraction = ""
        if self._peek() == ".":
            if not _is_digit(self._peek(1)):
                raise ParseError(
                    f"unexpected '.' at column {self.chars[self.pos][1]}: " + _HINTS["."],
                    self.chars[self.pos][1],
                )
            self.pos += 1
            fraction = self._take_while(_is_digit)
        exponent = self._exponent()
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
        text = "".join(c for c, _ in self.chars[start : self.pos])
        approx = bool(fraction) or "e" in text.lower()
        self._emit(Kind.NUMBER, text, column, value=(numerator, denominator), approx=approx)

    def _exponent(self) -> int:
        # Scientific notation only when a digit follows: 2e is 2*e, 2e-3 is 0.002.
        if self._peek() not in ("e", "E"):
            return 0
        offset = 2 if self._peek(1) in ("+", "-") else 1
        if not _is_digit(self._peek(offset)):
            return 0
        column = self.chars[self.pos][1]
        sign = -1 if self._peek(1) == "-" else 1
        self.pos += offset
        digits = self._take_while(_is_digit)
        if len(digits) > 4 or int(digits) > self.limits.max_exponent:
            raise LimitError(
                f"the exponent at column {column} is too large; the limit is "
                f"{self.limits.max_exponent}",
                column,
            )
        return sign * int(digits)

    def _name(self, column: int) -> None:
        start = self.pos
        name = self._take_while(lambda c: c.isascii() and (c.isalnum() or c == "_"))
        columns = tuple(col for _, col in self.chars[start : self.pos])
        self._emit(Kind.NAME, name, column, columns=columns)

    def _punctuation(self, char: str, column: int) -> None:
        self.pos += 1
        if char == "*" and self._peek() == "*":
            self.pos += 1
            self._emit(Kind.OP, "^", column)
        elif char in "+-*/^":
            self._emit(Kind.OP, char, column)
        elif char == "√":  # its own token, so √2x reads as sqrt(2)*x
            self._emit(Kind.NAME, "sqrt", column, columns=(column,) * 4)
        elif char in _OPENERS:
            self._open(char, column)
        elif char in _CLOSERS:
            self._close(char, column)
        elif char in ",;=\n":
            kind = {",": Kind.COMMA, ";": Kind.SEMI, "=": Kind.EQUALS, "\n": Kind.NEWLINE}
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
        self._emit(Kind.OPEN, char, column)

    def _close(self, char: str, column: int) -> None:
        if not self.stack or self.stack[-1][0] != _CLOSERS[char]:
            raise ParseError(f"unexpected '{char}' at column {column}", column)
        self.stack.pop()
        self._emit(Kind.CLOSE, char, column)


def _is_digit(char: str) -> bool:
    return char.isascii() and char.isdigit()
