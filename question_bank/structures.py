"""Values an answer can be: a scalar, a vector, a matrix, a set of points."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass

import sympy

from question_bank.errors import ParseError
from question_bank.limits import DEFAULT_LIMITS, Limits
from question_bank.nodes import Node, lower
from question_bank.polyform import Form
from question_bank.printer import latex


class Term:
    """A scalar expression; `approx` when it was written with a decimal number.

    A parsed term keeps its parse tree (`node`) and, when the tree is a
    rational function of the variables, its exact folded `form`; the sympy
    `expr` is then built on first use, with the checks of a direct read.

    Example:
        >>> Term(sympy.Integer(2)) == Term(sympy.Integer(2), approx=False)
        True
    """

    __slots__ = ("_expr", "approx", "node", "form", "limits")

    def __init__(
        self,
        expr: sympy.Expr | None = None,
        approx: bool = False,
        *,
        node: Node | None = None,
        form: Form | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        if expr is None and node is None:
            raise TypeError("a Term needs an expression or a parse tree")
        _set = object.__setattr__
        _set(self, "_expr", expr)
        _set(self, "approx", approx)
        _set(self, "node", node)
        _set(self, "form", form)
        _set(self, "limits", limits)

    @property
    def expr(self) -> sympy.Expr:
        """Return the sympy expression (built from the parse tree on first use)."""
        if self._expr is None:
            object.__setattr__(self, "_expr", lower(self.node, self.limits))  # type: ignore[arg-type]
        return self._expr  # type: ignore[return-value]

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Term):
            return NotImplemented
        return self.approx == other.approx and self.expr == other.expr

    def __hash__(self) -> int:
        return hash((self.expr, self.approx))

    def __repr__(self) -> str:
        return f"Term(expr={self.expr!r}, approx={self.approx!r})"


@dataclass(frozen=True)
class Vector:
    """A bracketed or comma-separated list; items may be nested vectors."""

    items: tuple[Value, ...]
    bracket: str = "("


@dataclass(frozen=True)
class Matrix:
    """A matrix given row by row."""

    rows: tuple[tuple[Term, ...], ...]

    @property
    def shape(self) -> tuple[int, int]:
        """Return (rows, columns)."""
        return len(self.rows), len(self.rows[0])


@dataclass(frozen=True)
class PointSet:
    """A set of points written with braces."""

    items: tuple[Value, ...]


Value = Term | Vector | Matrix | PointSet


def describe(value: Value) -> str:
    """Name the shape of a value for feedback.

    Example:
        >>> describe(Vector((Term(sympy.Integer(1)),) * 4))
        'a vector with 4 entries'
    """
    if isinstance(value, Term):
        return "a single expression"
    if isinstance(value, Matrix):
        return "a {}x{} matrix".format(*value.shape)
    if isinstance(value, PointSet):
        return f"a set of {len(value.items)} points"
    matrix = as_matrix(value)
    if matrix is not None and matrix.shape[0] > 1:
        return describe(matrix)
    return f"a vector with {len(value.items)} entries"


def make_matrix(rows: list[list[Value]], column: int) -> Matrix:
    """Return a Matrix from rows of scalars, or raise on ragged or nested rows."""
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ParseError(
                f"row {number} has {len(row)} entries but row 1 has {width}; "
                "every row of a matrix needs the same number of entries",
                column,
            )
        for entry in row:
            if not isinstance(entry, Term):
                raise ParseError(
                    f"a matrix entry in row {number} is not a number or expression", column
                )
    return Matrix(tuple(tuple(row) for row in rows))  # type: ignore[arg-type]


def as_matrix(value: Value) -> Matrix | None:
    """Return the value read as a matrix (a vector of equal-length vectors), else None."""
    if isinstance(value, Matrix):
        return value
    if not isinstance(value, Vector) or not value.items:
        return None
    if not all(isinstance(item, Vector) for item in value.items):
        return None
    rows = [list(item.items) for item in value.items]  # type: ignore[union-attr]
    if len({len(row) for row in rows}) != 1 or not rows[0]:
        return None
    if not all(isinstance(entry, Term) for row in rows for entry in row):
        return None
    return Matrix(tuple(tuple(row) for row in rows))  # type: ignore[arg-type]


def as_vector(value: Value) -> tuple[Term, ...] | None:
    """Return the entries of a flat vector (or a one-row or one-column matrix), else None."""
    if isinstance(value, Vector) and all(isinstance(i, Term) for i in value.items):
        return value.items  # type: ignore[return-value]
    matrix = as_matrix(value)
    if matrix is not None and 1 in matrix.shape:
        return tuple(entry for row in matrix.rows for entry in row)
    return None


def as_points(value: Value) -> list[tuple[Term, ...]] | None:
    """Return the points of a point set, a list of points, or a single point, else None."""
    items: tuple[Value, ...]
    if isinstance(value, PointSet):
        items = value.items
    elif isinstance(value, Matrix):
        return [row for row in value.rows]
    elif isinstance(value, Vector) and all(isinstance(i, Vector) for i in value.items):
        items = value.items
    elif isinstance(value, Vector):
        items = (value,)
    else:
        items = (Vector((value,)),)
    points = []
    for item in items:
        entries = (
            as_vector(item)
            if isinstance(item, Vector)
            else ((item,) if isinstance(item, Term) else None)
        )
        if entries is None:
            return None
        points.append(entries)
    return points


def to_sympy(value: Value) -> sympy.Basic:
    """Return a sympy object for the value (for the preview)."""
    if isinstance(value, Term):
        return value.expr
    if isinstance(value, Matrix):
        return sympy.Matrix([[e.expr for e in row] for row in value.rows])
    if isinstance(value, PointSet):
        return sympy.FiniteSet(*(to_sympy(i) for i in value.items), evaluate=False)
    return sympy.Tuple(*(to_sympy(i) for i in value.items))


def preview(value: Value) -> str:
    """Return LaTeX for how the value was read (printed from the parse tree when there is one).

    Example:
        >>> preview(Term(sympy.Rational(1, 2) * sympy.Symbol("x")))
        '\\\\frac{x}{2}'
        >>> preview(Vector((Term(sympy.Integer(1)), Term(sympy.Integer(2)))))
        '\\\\left( 1, \\\\  2\\\\right)'
    """
    if isinstance(value, Term):
        return sympy.latex(value.expr) if value.node is None else latex(value.node)
    if isinstance(value, Matrix):
        rows = "\\\\".join(" & ".join(preview(e) for e in row) for row in value.rows)
        return f"\\left[\\begin{{matrix}}{rows}\\end{{matrix}}\\right]"
    items = [preview(item) for item in value.items]
    if isinstance(value, PointSet):
        return "\\left\\{" + ", ".join(items) + "\\right\\}"
    return "\\left( " + ", \\  ".join(items) + "\\right)"
