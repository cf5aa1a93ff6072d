"""Write sympy objects as canonical text that the grader itself reads back."""

from __future__ import annotations

from collections.abc import Iterable

import sympy


def to_text(value: sympy.Basic | Iterable) -> str:
    """Return canonical answer text for an expression, matrix, vector or point set.

    Example:
        >>> x = sympy.Symbol("x")
        >>> to_text(sympy.Matrix([[6 * x, 2], [2, 0]]))
        '[[6*x, 2], [2, 0]]'
        >>> to_text({(0, 0), (1, -1)})
        '{(0, 0), (1, -1)}'
    """
    if isinstance(value, sympy.MatrixBase):
        rows = ", ".join("[" + ", ".join(_scalar(e) for e in row) + "]" for row in value.tolist())
        return f"[{rows}]"
    if isinstance(value, (set, frozenset, sympy.FiniteSet)):
        points = sorted((to_text(tuple(p)) for p in value), key=str)
        return "{" + ", ".join(points) + "}"
    if isinstance(value, (tuple, list, sympy.Tuple)):
        return "(" + ", ".join(_scalar(e) for e in value) + ")"
    return _scalar(value)


def _scalar(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, sympy.Expr):
        raise TypeError(f"cannot write {type(value).__name__} as answer text")
    # sympy's str uses ** and names (sqrt, exp, log, pi, E) our parser reads.
    return str(value)
