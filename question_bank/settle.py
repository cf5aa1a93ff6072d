"""Finish reading an answer: fold each scalar exactly, or build and check its sympy object."""

from __future__ import annotations

import sympy

from question_bank.errors import ParseError
from question_bank.limits import Limits
from question_bank.nodes import lower
from question_bank.polyform import Folder, Unfoldable
from question_bank.structures import Matrix, PointSet, Term, Value, Vector

_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


def settle(value: Value, nvars: int, limits: Limits) -> None:
    """Fold every term of a lazily read value, building sympy objects where folding stops.

    A term that folds into a rational function is safe to build later: it has
    no division by zero and no number near the limits. Every other term is
    built now, in reading order, so its errors surface as in an eager read.

    Example:
        >>> from question_bank.nodes import Atom, Num, extend
        >>> x = Atom(sympy.Symbol("x"), 0, 1)
        >>> term = Term(node=extend(x, "+", Num(1, 1, 3), 2))
        >>> settle(term, 1, Limits())
        >>> term.form
        ({(1,): 1, (0,): 1}, {(0,): 1})
    """
    folder = Folder(nvars, limits)
    built = []
    for term in terms(value):
        try:
            object.__setattr__(term, "form", folder.fold(term.node))
        except Unfoldable:
            lower(term.node, limits)  # type: ignore[arg-type]
            built.append(term)
    for term in built:
        _reject(term)


def reject_undefined(value: Value) -> None:
    """Raise ParseError when any term of value is undefined (zoo, nan, oo)."""
    for term in terms(value):
        _reject(term)


def terms(value: Value) -> list[Term]:
    """Return the scalar terms of a value in reading order.

    Example:
        >>> one = Term(sympy.Integer(1))
        >>> len(terms(Vector((one, Vector((one, one))))))
        3
    """
    if isinstance(value, Term):
        return [value]
    if isinstance(value, Matrix):
        return [entry for row in value.rows for entry in row]
    assert isinstance(value, Vector | PointSet)
    return [term for item in value.items for term in terms(item)]


def _reject(term: Term) -> None:
    if term.expr.has(*_UNDEFINED):
        raise ParseError("the answer is undefined somewhere (division by zero?)")
