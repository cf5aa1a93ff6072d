"""Resolve names: declared variables, the fixed function table, constants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from question_bank.errors import ParseError
from question_bank.tokenizer import normalise

FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sqrt": sympy.sqrt,
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "abs": sympy.Abs,
}


@dataclass(frozen=True)
class Vocabulary:
    """The names one problem understands, built from its declared variables.

    Example:
        >>> v = Vocabulary.build(("x", "η"))
        >>> v.names()
        ('eta', 'x')
        >>> v.split("xeta", (1, 2, 3, 4))
        [('x', 1), ('eta', 2)]
    """

    variables: dict[str, sympy.Symbol]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {name: i for i, name in enumerate(self.variables)})

    @classmethod
    def build(cls, variables: tuple[str, ...]) -> Vocabulary:
        """Return the vocabulary for `variables`, Greek letters read as their names.

        Vocabularies are immutable and shared: the same names give the same object.
        """
        return _build(tuple(variables))

    def names(self) -> tuple[str, ...]:
        """Return the declared variable names, sorted."""
        return tuple(sorted(self.variables))

    def lookup(self, word: str) -> sympy.Expr | Callable | None:
        """Return the variable, constant or function `word` names, else None."""
        if word in self.variables:
            return self.variables[word]
        lower = word.lower()
        if lower in FUNCTIONS:
            return FUNCTIONS[lower]
        if lower == "pi":
            return sympy.pi
        if word in ("e", "E"):  # Euler's number, unless declared (caught above)
            return sympy.E
        return None

    def split(self, word: str, columns: tuple[int, ...]) -> list[tuple[str, int]]:
        """Split an undeclared word into known names (`6xy` is 6*x*y), or raise."""
        pieces = _split(word, self.lookup)
        if pieces is None:
            start, end = self._unknown_part(word)
            if word[start:end].isdigit():  # x2: name the whole word, not "2"
                start, end = 0, len(word)
            column = columns[start]
            raise ParseError(self._unknown(word, word[start:end], column), column)
        if pieces == "ambiguous":
            raise ParseError(
                f"'{word}' at column {columns[0]} can be read in more than one way; "
                "put * between the names",
                columns[0],
            )
        out, offset = [], 0
        for piece in pieces:
            out.append((piece, columns[offset]))
            offset += len(piece)
        return out

    def _unknown_part(self, word: str) -> tuple[int, int]:
        # In "6xz" with x, y declared, name "z" rather than "xz".
        if len(word) > 40:
            return 0, len(word)
        start = max(i for i in range(len(word) + 1) if _split(word[:i], self.lookup) is not None)
        for end in range(start + 1, len(word) + 1):
            if _split(word[end:], self.lookup) is not None:
                return start, end
        return start, len(word)

    def _unknown(self, word: str, part: str, column: int) -> str:
        listed = ", ".join(self.names()) if self.variables else "none"
        shown = part if len(part) <= 40 else part[:40] + "..."
        where = f" (in '{word}')" if part != word and len(word) <= 40 else ""
        message = (
            f"unknown name '{shown}' at column {column}{where}; the variables here are {listed}"
        )
        stem = word.rstrip("0123456789")
        if stem != word and stem in self.variables:
            return f"{message}. Write {stem}^{word[len(stem) :]} for a power"
        for name in self.variables:
            if name.lower() == word.lower():
                return f"{message}. Did you mean '{name}'?"
        return message


@lru_cache(maxsize=256)
def _build(variables: tuple[str, ...]) -> Vocabulary:
    symbols: dict[str, sympy.Symbol] = {}
    for raw in variables:
        name = "".join(c for c, _ in normalise(raw)).strip()
        if not name.isidentifier():
            raise ValueError(f"variable name {raw!r} is not a plain name")
        symbols[name] = sympy.Symbol(name, real=True)
    return Vocabulary(symbols)


def _split(word: str, lookup: Callable[[str], object]) -> list[str] | str | None:
    # Fewest pieces wins; two different splits with equally few pieces are ambiguous.
    n = len(word)
    if n == 0:
        return []
    best: list[tuple[int, list[str] | None, bool]] = [(0, [], False)]
    best += [(n + 1, None, False)] * n
    for end in range(1, n + 1):
        count, path, ambiguous = n + 1, None, False
        for start in range(max(0, end - 12), end):
            prev_count, prev_path, prev_amb = best[start]
            if prev_path is None or lookup(word[start:end]) is None:
                continue
            if prev_count + 1 < count:
                count, path, ambiguous = prev_count + 1, [*prev_path, word[start:end]], prev_amb
            elif prev_count + 1 == count:
                ambiguous = True
        best[end] = (count, path, ambiguous)
    _, path, ambiguous = best[n]
    if path is None:
        return None
    return "ambiguous" if ambiguous else path
