"""Errors in learner input, located by column and shown with a caret."""

from __future__ import annotations

import unicodedata

_WINDOW = 60  # characters of input echoed around the error


class ParseError(Exception):
    """Learner input that cannot be read; `column` is 1-based in the original text."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def describe(self, text: str) -> str:
        """Return the message with the input echoed and a caret under the column."""
        if self.column is None:
            return self.message
        return f"{self.message}\n{caret_display(text, self.column)}"


class LimitError(ParseError):
    """Input past one of the `Limits`; the message says which and how to fix it."""


def visible(char: str) -> str:
    """Return a printable stand-in for one character.

    Example:
        >>> visible("\\x00")
        'U+0000'
        >>> visible(")")
        "')'"
    """
    if unicodedata.category(char)[0] in "CZ" and char != " ":
        return f"U+{ord(char):04X}"
    return repr(char)


def caret_display(text: str, column: int) -> str:
    """Return a window of `text` around `column` and a caret line beneath it.

    Example:
        >>> print(caret_display("2x + )", 6))
        2x + )
             ^
    """
    index = max(column - 1, 0)
    start = max(0, index - _WINDOW // 2)
    end = min(len(text), start + _WINDOW)
    window = "".join(_printable(c) for c in text[start:end])
    prefix = "..." if start > 0 else ""
    suffix = "..." if end < len(text) else ""
    return f"{prefix}{window}{suffix}\n{' ' * (len(prefix) + index - start)}^"


def _printable(char: str) -> str:
    # Keep the echo one line and one column per character, so the caret lines up.
    if char in "\t\n\r" or unicodedata.category(char)[0] == "C":
        return "\N{WHITE SQUARE}" if char not in "\t\n\r" else " "
    return char
