"""Choice answers: canonical labels and the many ways learners write them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

CHOICES: dict[str, tuple[str, ...]] = {
    "minimum": (
        "min", "minimum", "minima", "local min", "local minimum", "local minimum point",
        "strict local minimum", "strict minimum", "minimizer", "local minimizer",
        "global minimum", "global min", "relative minimum", "relative min",
    ),
    "maximum": (
        "max", "maximum", "maxima", "local max", "local maximum", "local maximum point",
        "strict local maximum", "strict maximum", "maximizer", "local maximizer",
        "global maximum", "global max", "relative maximum", "relative max",
    ),
    "saddle": (
        "saddle", "saddle point", "strict saddle", "strict saddle point", "saddlepoint",
    ),
    "inconclusive": (
        "inconclusive", "test is inconclusive", "the test is inconclusive",
        "second derivative test is inconclusive", "the second derivative test is inconclusive",
        "degenerate", "degenerate critical point", "cannot tell", "cannot be determined",
        "undetermined", "indeterminate",
    ),
}  # fmt: skip

_LEADING = ("it is ", "it's ", "its ", "this is ", "a ", "an ", "the point is ")


def normalise_choice(text: str) -> str:
    """Return the comparable form of a choice: lower case, plain words.

    Example:
        >>> normalise_choice("  A Local-Minimum! ")
        'local minimum'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[-_/]", " ", text)
    text = re.sub(r"[^\w ]", "", text)
    text = " ".join(text.split())
    for prefix in _LEADING:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def build_table(extra: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Return a map from normalised synonym to canonical label, with extra choices added.

    Example:
        >>> build_table({"diverges": ["blows up"]})["blows up"]
        'diverges'
    """
    table: dict[str, str] = {}
    merged: dict[str, list[str]] = {label: list(words) for label, words in CHOICES.items()}
    for label, words in (extra or {}).items():
        merged.setdefault(label, []).extend(words)
    for label, words in merged.items():
        for word in (label, *words):
            table[normalise_choice(word)] = label
    return table


def read_choice(text: str, table: Mapping[str, str]) -> str | None:
    """Return the canonical label the text names, or None.

    Example:
        >>> read_choice("strict saddle", build_table())
        'saddle'
    """
    return table.get(normalise_choice(text))
