"""Symmetric integer matrices with integer eigenvalues, and the quadratics built on them.

Shared by the spectrum and step-size families. Every matrix here is made so
that its eigenvalues are known exactly by construction (no root finding at
generation time):

- 2x2: H = [[p, q], [q, r]] has eigenvalues (p + r +- D) / 2 with
  D^2 = (p - r)^2 + 4 q^2; we keep the matrices for which D is an integer.
- 3x3: c I + M diag(3 e) M^T / 9 with the rational orthogonal matrix M / 3,
  M = [[1, 2, 2], [2, 1, -2], [2, -2, 1]], has eigenvalues c + 3 e_k; it is an
  integer matrix exactly when e_1 + e_2 + e_3 is divisible by 3. Or a 2x2
  block and a scalar. Either is then conjugated by a random signed
  permutation, which keeps the spectrum.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy

from ._polynomials import X, Y, Z

_M = ((1, 2, 2), (2, 1, -2), (2, -2, 1))  # M M^T = 9 I
# Steps (a, b) with a + b divisible by 3: spectra {c, c + 3a, c + 3b}.
_GAPS = ((1, 2), (2, 1), (1, 5), (2, 4), (4, 5), (1, 8), (2, 7), (3, 6), (4, 2), (5, 1))


@dataclass(frozen=True)
class Spectral:
    """A symmetric integer matrix and its eigenvalues in increasing order."""

    rows: tuple[tuple[int, ...], ...]
    eigenvalues: tuple[int, ...]

    @classmethod
    def of(cls, rows) -> Spectral:
        """Return the spectrum of an integer matrix whose eigenvalues are integers.

        >>> Spectral.of([[2, 1], [1, 2]]).eigenvalues
        (1, 3)
        """
        matrix = sympy.Matrix(rows)
        values = sorted(int(v) for v, times in matrix.eigenvals().items() for _ in range(times))
        return cls(tuple(tuple(int(e) for e in row) for row in rows), tuple(values))

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def matrix(self) -> sympy.ImmutableMatrix:
        return sympy.ImmutableMatrix(self.rows)

    @property
    def diagonal(self) -> tuple[int, ...]:
        return tuple(self.rows[i][i] for i in range(self.size))

    @property
    def trace(self) -> int:
        return sum(self.diagonal)

    @property
    def lam_min(self) -> int:
        return self.eigenvalues[0]

    @property
    def lam_max(self) -> int:
        return self.eigenvalues[-1]


def random_2x2(
    rng: random.Random,
    *,
    diagonal: tuple[int, int] = (1, 12),
    max_off: int = 6,
    even_diagonal: bool = False,
    lowest: int = 1,
    highest: int = 20,
) -> Spectral:
    """Return a non-diagonal 2x2 matrix with distinct integer eigenvalues in [lowest, highest].

    >>> s = random_2x2(random.Random(3))
    >>> p, q, r = s.rows[0][0], s.rows[0][1], s.rows[1][1]
    >>> low, high = s.eigenvalues
    >>> (low + high, low * high) == (p + r, p * r - q * q)
    True
    """
    low, high = diagonal
    while True:
        p, r = rng.randint(low, high), rng.randint(low, high)
        if even_diagonal and (p % 2 or r % 2):
            continue
        q = rng.choice([v for v in range(-max_off, max_off + 1) if v])
        squared = (p - r) ** 2 + 4 * q * q
        root = math.isqrt(squared)
        if root * root != squared or (p + r - root) % 2:
            continue
        eigenvalues = ((p + r - root) // 2, (p + r + root) // 2)
        if lowest <= eigenvalues[0] and eigenvalues[1] <= highest:
            return Spectral(((p, q), (q, r)), eigenvalues)


def random_3x3(rng: random.Random, *, lowest: int = 1, highest: int = 24) -> Spectral:
    """Return a 3x3 integer matrix, not diagonal, with distinct eigenvalues in [lowest, highest].

    >>> s = random_3x3(random.Random(5))
    >>> sorted(s.matrix.eigenvals()) == list(s.eigenvalues)
    True
    """
    while True:
        if rng.random() < 0.6:
            rows, eigenvalues = _rotated_3x3(rng, lowest)
        else:
            rows, eigenvalues = _block_3x3(rng, lowest)
        if eigenvalues[-1] > highest or len(set(eigenvalues)) < 3:
            continue
        sign = [rng.choice((1, -1)) for _ in range(3)]
        order = list(range(3))
        rng.shuffle(order)
        conjugated = tuple(
            tuple(sign[i] * sign[j] * rows[order[i]][order[j]] for j in range(3)) for i in range(3)
        )
        return Spectral(conjugated, tuple(sorted(eigenvalues)))


def _rotated_3x3(rng: random.Random, lowest: int) -> tuple[tuple[tuple[int, ...], ...], list[int]]:
    # c I + M diag(3e) M^T / 9 = c I + M diag(e) M^T / 3, integral when sum(e) = 0 mod 3.
    c = rng.randint(lowest, lowest + 5)
    a, b = rng.choice(_GAPS)
    e = [0, a, b]
    rng.shuffle(e)
    rows = tuple(
        tuple(
            (c if i == j else 0) + sum(_M[i][k] * _M[j][k] * e[k] for k in range(3)) // 3
            for j in range(3)
        )
        for i in range(3)
    )
    return rows, [c + 3 * v for v in e]


def _block_3x3(rng: random.Random, lowest: int) -> tuple[tuple[tuple[int, ...], ...], list[int]]:
    block = random_2x2(rng, lowest=lowest, highest=16)
    (p, q), (_, r) = block.rows
    s = rng.randint(lowest, 16)
    return ((p, q, 0), (q, r, 0), (0, 0, s)), [*block.eigenvalues, s]


def variables_for(size: int) -> tuple[sympy.Symbol, ...]:
    """Return (x, y) or (x, y, z)."""
    return (X, Y, Z)[:size]


def quadratic(spectral: Spectral, b: tuple[int, ...]) -> sympy.Expr:
    """Return f = 1/2 v^T H v - b^T v in the variables x, y (, z).

    >>> quadratic(Spectral(((2, 1), (1, 4)), (0, 0)), (1, 0))
    x**2 + x*y - x + 2*y**2
    """
    return sympy.Add(*(c * m for c, m, _ in _quadratic_terms(spectral, b)))


def quadratic_tex(spectral: Spectral, b: tuple[int, ...]) -> str:
    """Return LaTeX for `quadratic(spectral, b)`: squares, cross terms, then linear terms.

    >>> quadratic_tex(Spectral(((2, -1), (-1, 4)), (0, 0)), (1, 0))
    'x^{2} - x y + 2 y^{2} - x'
    """
    return terms_tex([(c, tex_m) for c, _, tex_m in _quadratic_terms(spectral, b)])


def _quadratic_terms(spectral: Spectral, b: tuple[int, ...]):
    v = variables_for(spectral.size)
    h, n = spectral.rows, spectral.size
    terms = []
    for i in range(n):
        for j in range(i, n):
            c = sympy.Rational(h[i][i], 2) if i == j else sympy.Integer(h[i][j])
            monomial = v[i] ** 2 if i == j else v[i] * v[j]
            terms.append((c, monomial, f"{v[i]}^{{2}}" if i == j else f"{v[i]} {v[j]}"))
    terms.extend((sympy.Integer(-bi), vi, str(vi)) for bi, vi in zip(b, v, strict=True))
    return [t for t in terms if t[0] != 0]


def quadratic_text(spectral: Spectral, b: tuple[int, ...]) -> str:
    """Return `quadratic(spectral, b)` as sympy-readable text, written directly (fast).

    >>> quadratic_text(Spectral(((3, -1), (-1, 4)), (0, 0)), (1, 0))
    '3*x**2/2 - x*y + 2*y**2 - x'
    """
    parts = []
    for c, monomial, _ in _quadratic_terms(spectral, b):
        name = str(monomial).replace(" ", "")
        size = abs(c)
        body = name if size == 1 else f"{size.p}*{name}" + (f"/{size.q}" if size.q != 1 else "")
        parts.append(("- " if c < 0 else "+ ") + body)
    first = parts[0][2:] if parts[0].startswith("+") else "-" + parts[0][2:]
    return " ".join([first, *parts[1:]])


def terms_tex(terms) -> str:
    """Return LaTeX for a sum of (rational coefficient, monomial LaTeX) terms.

    >>> terms_tex([(sympy.Rational(3, 2), "x^{2}"), (-1, "y"), (5, "")])
    '\\\\frac{3}{2} x^{2} - y + 5'
    """
    parts = []
    for c, monomial in terms:
        c = sympy.Rational(c)
        if c == 0:
            continue
        size = abs(c)
        if size == 1 and monomial:
            number = ""
        elif size.q == 1:
            number = str(size)
        else:
            number = rf"\frac{{{size.p}}}{{{size.q}}}"
        body = f"{number} {monomial}".strip()
        parts.append(("- " if c < 0 else "+ ") + body)
    if not parts:
        return "0"
    first = parts[0][2:] if parts[0].startswith("+") else parts[0]
    return " ".join([first, *parts[1:]])


def random_b(rng: random.Random, size: int, *, bound: int = 6) -> tuple[int, ...]:
    """Return a random integer vector b with at least one non-zero entry."""
    while True:
        b = tuple(rng.randint(-bound, bound) for _ in range(size))
        if any(b):
            return b


def bmatrix(rows) -> str:
    """Return LaTeX for a matrix.

    >>> bmatrix(((1, 2), (2, 3)))
    '\\\\begin{bmatrix} 1 & 2 \\\\\\\\ 2 & 3 \\\\end{bmatrix}'
    """
    body = r" \\ ".join(" & ".join(tex(v) for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def tex(value) -> str:
    """Return LaTeX for an integer, Fraction or sympy number.

    >>> tex(Fraction(-3, 4))
    '- \\\\frac{3}{4}'
    """
    if isinstance(value, Fraction):
        value = sympy.Rational(value.numerator, value.denominator)
    return sympy.latex(value)


def rational(value) -> sympy.Expr:
    """Return a sympy number for a Fraction or int (sympy numbers pass through)."""
    if isinstance(value, sympy.Basic):
        return value
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def number_text(value: Fraction | int) -> str:
    """Return a number as plain text: '3', '-2/5'."""
    return str(Fraction(value))


def decimal_text(value: Fraction, figures: int = 4) -> str:
    """Return a decimal with `figures` significant figures (more than the grader's 3).

    >>> decimal_text(Fraction(2, 7))
    '0.2857'
    """
    return f"{float(value):.{figures}g}"


def matrix_param(rows) -> list[list[int]]:
    """Return a matrix as nested lists of ints for `params["A"]`."""
    return [list(row) for row in rows]


LAMBDA = sympy.Symbol("lambda")


@dataclass(frozen=True)
class Stated:
    """A quadratic f = 1/2 v^T H v - b^T v as the prompt states it."""

    spectral: Spectral
    b: tuple[int, ...]
    f: sympy.Expr
    text: str  # Markdown: the display formula of f (and H, b)
    written_out: bool  # f as a polynomial (reading H off its coefficients is a step)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(str(v) for v in variables_for(self.spectral.size))

    def params(self) -> dict:
        return {
            "f": quadratic_text(self.spectral, self.b),
            "variables": list(self.names),
            "A": matrix_param(self.spectral.rows),
            "b": list(self.b),
        }


def state_quadratic(rng: random.Random, spectral: Spectral, *, written_out: bool) -> Stated:
    """Return the quadratic with Hessian `spectral` and a random b, written out or as (A, b)."""
    b = random_b(rng, spectral.size)
    f = quadratic(spectral, b)
    if written_out:
        args = ", ".join(str(v) for v in variables_for(spectral.size))
        text = f"$$f({args}) = {quadratic_tex(spectral, b)}$$"
    else:
        column = bmatrix(tuple((v,) for v in b))
        text = (
            rf"$$f(w) = \frac{{1}}{{2}} w^{{\top}} A w - b^{{\top}} w, \qquad "
            rf"A = {bmatrix(spectral.rows)}, \quad b = {column}$$"
        )
    return Stated(spectral, b, f, text, written_out)


def hessian_explanation(stated: Stated) -> str:
    """Return Markdown that reads the Hessian off the quadratic."""
    h = bmatrix(stated.spectral.rows)
    if not stated.written_out:
        return (
            r"For $f(w) = \frac{1}{2} w^{\top} A w - b^{\top} w$ with symmetric $A$, the gradient "
            r"is $A w - b$ and the Hessian is $A$ itself; $b$ only moves the minimiser. "
            f"So $H = {h}$."
        )
    return (
        "The Hessian of a quadratic is constant. A diagonal entry is **twice** the coefficient "
        r"of the square ($\partial^2 (c x^2) / \partial x^2 = 2c$), an off-diagonal entry is the "
        "coefficient of the cross term itself, and the linear terms drop out. "
        f"So $H = {h}$."
    )


def eigen_explanation(spectral: Spectral) -> str:
    """Return Markdown finding the eigenvalues from the characteristic polynomial."""
    factored = "".join(f"({poly_tex((1, -v))})" for v in spectral.eigenvalues)
    values = ", ".join(str(v) for v in spectral.eigenvalues)
    if spectral.size == 2:
        (p, q), (_, r) = spectral.rows
        poly = poly_tex((1, -(p + r), p * r - q * q))
        return (
            rf"The eigenvalues solve $\det(H - \lambda I) = 0$: "
            rf"$({p} - \lambda)({r} - \lambda) - {q * q} = {poly} "
            rf"= {factored} = 0$, so $\lambda = {values}$. "
            rf"Check: they add up to the trace ${spectral.trace}$ and multiply to "
            rf"$\det H = {p * r - q * q}$."
        )
    h = spectral.rows
    minors = sum(h[i][i] * h[j][j] - h[i][j] ** 2 for i in range(3) for j in range(i + 1, 3))
    det = determinant(h)
    poly = poly_tex((1, -spectral.trace, minors, -det))
    return (
        r"The eigenvalues solve $\det(\lambda I - H) = \lambda^3 - (\operatorname{tr} H)\lambda^2 "
        r"+ (\text{sum of the principal } 2\times 2 \text{ minors})\lambda - \det H = 0$, here "
        f"${poly} = 0$. Integer roots divide $\\det H = {det}$; trying them gives "
        f"${poly} = {factored}$, so $\\lambda = {values}$ "
        f"(they add up to the trace ${spectral.trace}$)."
    )


def poly_tex(coefficients: tuple[int, ...], var: str = r"\lambda") -> str:
    """Return LaTeX for a polynomial in `var`, coefficients from the highest power down.

    >>> poly_tex((1, -7, 10))
    '\\\\lambda^{2} - 7 \\\\lambda + 10'
    >>> poly_tex((-1, 4))
    '- \\\\lambda + 4'
    """
    terms = []
    degree = len(coefficients) - 1
    for k, c in enumerate(coefficients):
        power = degree - k
        if c == 0:
            continue
        body = {0: "", 1: var}.get(power, f"{var}^{{{power}}}")
        size = str(abs(c)) if abs(c) != 1 or power == 0 else ""
        text = f"{size} {body}".strip()
        terms.append(("- " if c < 0 else "+ ") + text)
    if not terms:
        return "0"
    first = terms[0]
    return " ".join([first[2:] if first.startswith("+") else first, *terms[1:]])


def determinant(rows) -> int:
    """Return the determinant of a 2x2 or 3x3 integer matrix.

    >>> determinant(((2, 1, 0), (1, 2, 0), (0, 0, 3)))
    9
    """
    if len(rows) == 2:
        return rows[0][0] * rows[1][1] - rows[0][1] * rows[1][0]
    (a, b, c), (d, e, f), (g, h, i) = rows
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)


def number_forms(value: sympy.Rational) -> tuple[str, ...]:
    """Return equal ways to write an exact rational: canonical, unreduced, decimal.

    >>> number_forms(sympy.Rational(2, 7))
    ('2/7', '4/14', '0.2857')
    """
    if value.q == 1:
        return (str(value), f"{value.p}.0", f"{2 * value.p}/2")
    return (str(value), f"{2 * value.p}/{2 * value.q}", decimal_text(Fraction(value.p, value.q)))


def plainly_wrong(candidates, avoid):
    """Return the first candidate equal to nothing in `avoid` (the correct and mistaken answers).

    >>> plainly_wrong([1, 2], [1])
    2
    """
    for candidate in candidates:
        if all(candidate != other for other in avoid):
            return candidate
    raise ValueError("no plainly wrong candidate left")
