"""Shared pieces for the landscape families: saddles, exact numbers, numeric rules.

Integer symmetric matrices whose eigenvalues we want exactly, eigenvectors
with integer entries, decimals written the way a prompt shows them, and
mistake rules that compare numerically (a direction up to scale, a number
up to rounding) where an exact transform cannot say what the learner meant.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import combinations

import sympy

from question_bank.rules import MistakeRule, RuleContext

Matrix = list[list[int]]


# -- exact numbers ------------------------------------------------------------


def rational(value: Fraction | int) -> sympy.Rational:
    """Return a sympy Rational for a Fraction.

    >>> rational(Fraction(3, 4))
    3/4
    """
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def decimal_text(value: Fraction | int) -> str:
    """Write a terminating fraction as a decimal, otherwise as a/b.

    >>> decimal_text(Fraction(1, 20)), decimal_text(Fraction(-3, 2)), decimal_text(4)
    ('0.05', '-1.5', '4')
    >>> decimal_text(Fraction(1, 3))
    '1/3'
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    d, twos, fives = value.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    text = f"{abs(value.numerator) * 10**places // value.denominator:0{places + 1}d}"
    sign = "-" if value < 0 else ""
    return f"{sign}{text[:-places]}.{text[-places:]}"


def number_tex(value: Fraction | int) -> str:
    """Return LaTeX for a rational: a decimal when it terminates, else a fraction.

    >>> print(number_tex(Fraction(1, 8)), number_tex(Fraction(1, 24)))
    0.125 \\frac{1}{24}
    """
    text = decimal_text(value)
    return tex(value) if "/" in text else text


def tex(value: Fraction | int | sympy.Expr) -> str:
    """Return LaTeX for a rational (as a fraction) or a sympy expression.

    >>> print(tex(Fraction(-3, 4)), tex(7), tex(sympy.Rational(1, 2)))
    -\\frac{3}{4} 7 \\frac{1}{2}
    """
    if isinstance(value, sympy.Rational):
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, (int, Fraction)):
        value = Fraction(value)
        if value.denominator == 1:
            return str(value.numerator)
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return sympy.latex(value)


def polynomial_tex(coefficients: Sequence[Fraction | int], variable: str = "t") -> str:
    """Return LaTeX for a polynomial given its coefficients, highest power first.

    >>> print(polynomial_tex([1, -3, 0, Fraction(1, 2)]))
    t^{3} - 3 t^{2} + \\frac{1}{2}
    """
    degree = len(coefficients) - 1
    parts: list[str] = []
    for k, c in enumerate(coefficients):
        c = Fraction(c)
        power = degree - k
        if c == 0:
            continue
        sign = "-" if c < 0 else "+"
        size = abs(c)
        body = "" if size == 1 and power else tex(size)
        if power:
            body += (" " if body else "") + variable + (f"^{{{power}}}" if power > 1 else "")
        parts.append(f"{sign} {body}")
    if not parts:
        return "0"
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def matrix_tex(rows) -> str:
    """Return a bmatrix for nested lists or a sympy Matrix (a column for a flat list).

    >>> print(matrix_tex([[1, 2], [3, 4]]))
    \\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}
    """
    if isinstance(rows, sympy.MatrixBase):
        rows = rows.tolist()
    rows = [r if isinstance(r, (list, tuple)) else [r] for r in rows]
    body = " \\\\ ".join(" & ".join(tex(e) for e in row) for row in rows)
    return f"\\begin{{bmatrix}}{body}\\end{{bmatrix}}"


# -- integer symmetric matrices ---------------------------------------------


def determinant(m: Sequence[Sequence[int]]) -> int:
    """Return the determinant of a 2x2 or 3x3 matrix (exact for ints and Fractions).

    >>> determinant([[1, 2], [3, 4]])
    -2
    """
    if len(m) == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return (
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    )


def null_vector(m: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """Return a primitive integer vector v with m v = 0, for m of rank n - 1.

    >>> null_vector([[1, 1], [1, 1]])
    (1, -1)
    >>> null_vector([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    (0, 0, 1)
    """
    if len(m) == 2:
        for row in m:
            if row[0] or row[1]:
                return primitive((row[1], -row[0]))
        raise ValueError("zero matrix has no unique null direction")
    for i, j in combinations(range(3), 2):
        a, b = m[i], m[j]
        cross = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
        if any(cross):
            return primitive(cross)
    raise ValueError("matrix has rank below n - 1")


def primitive(v: Sequence[int | Fraction]) -> tuple[int, ...]:
    """Scale a rational vector to coprime integers whose first non-zero entry is positive.

    >>> primitive((0, -4, 6))
    (0, 2, -3)
    """
    fractions = [Fraction(x) for x in v]
    lcm = math.lcm(*(f.denominator for f in fractions))
    ints = [int(f * lcm) for f in fractions]
    g = math.gcd(*ints) or 1
    ints = [x // g for x in ints]
    first = next((x for x in ints if x), 1)
    return tuple(-x if first < 0 else x for x in ints)


def mat_vec(h: Sequence[Sequence], v: Sequence) -> list:
    """Return h v for nested lists.

    >>> mat_vec([[1, 2], [3, 4]], [1, 1])
    [3, 7]
    """
    return [sum(a * b for a, b in zip(row, v, strict=True)) for row in h]


def random_saddle_hessian(
    rng: random.Random,
    n: int,
    *,
    even_diagonal: bool = True,
    allow_zero: bool = False,
    max_entry: int = 4,
) -> tuple[Matrix, int, tuple[int, ...]]:
    """Return (H, lambda, v): a strict saddle's Hessian with one negative eigenvalue.

    H is integer and symmetric, its only negative eigenvalue lambda is a simple
    integer, v is its primitive integer eigenvector with at least two non-zero
    entries (so reading curvature off the diagonal is wrong), and no
    eigenvalue is zero unless `allow_zero` (then exactly one is, for n = 3).

    >>> h, lam, v = random_saddle_hessian(random.Random(3), 2)
    >>> lam < 0 and mat_vec(h, v) == [lam * x for x in v]
    True
    """
    while True:
        h = [[0] * n for _ in range(n)]
        for i in range(n):
            d = rng.randint(-max_entry, max_entry)
            h[i][i] = 2 * d if even_diagonal else d
            for j in range(i + 1, n):
                h[i][j] = h[j][i] = rng.randint(-max_entry, max_entry)
        found = _negative_eigenpair(h, allow_zero=allow_zero)
        if found is not None:
            return h, found[0], found[1]


def _negative_eigenpair(h: Matrix, *, allow_zero: bool) -> tuple[int, tuple[int, ...]] | None:
    n = len(h)
    det, trace = determinant(h), sum(h[i][i] for i in range(n))
    if n == 2 and det >= 0:  # det < 0: eigenvalues of opposite signs
        return None
    if n == 3 and det > 0 or (det == 0) != (allow_zero and n == 3):
        return None
    negatives = _negative_integer_roots(h, det, trace)
    if len(negatives) != 1:
        return None
    lam = negatives[0]
    if n == 3:
        # The other two eigenvalues have sum s and product q (det = lam * q):
        # both positive when s > 0 and q > 0; one zero and one positive when q = 0.
        s, q = trace - lam, Fraction(det, lam)
        if s <= 0 or q < 0:
            return None
    shifted = [[h[i][j] - (lam if i == j else 0) for j in range(n)] for i in range(n)]
    v = null_vector(shifted)
    if sum(1 for x in v if x) < 2 or max(abs(x) for x in v) > 6:
        return None
    return lam, v


def _negative_integer_roots(h: Matrix, det: int, trace: int) -> list[int]:
    # det(t I - h) = t^n - trace t^(n-1) + ... ; an integer root divides the
    # last non-zero coefficient, so only its divisors are tried.
    n = len(h)
    if n == 2:
        coefficients = [1, -trace, det]
    else:
        coefficients = [1, -trace, _principal_minor_sum(h), -det]
    while coefficients[-1] == 0:
        coefficients.pop()  # a zero root: divide by t
    last = abs(coefficients[-1])
    roots = []
    for d in range(1, min(last, 60) + 1):
        if last % d == 0:
            t, value = -d, 0
            for c in coefficients:
                value = value * t + c
            if value == 0:
                roots.append(t)
    return roots


def _principal_minor_sum(h: Matrix) -> int:
    return sum(h[i][i] * h[j][j] - h[i][j] * h[j][i] for i, j in combinations(range(3), 2))


def quadratic_about(h: Matrix, center: Sequence[int], variables) -> sympy.Expr:
    """Return (1/2) (x - c)^T H (x - c), expanded (built from its coefficients, fast).

    >>> x, y = sympy.symbols("x y")
    >>> quadratic_about([[2, 1], [1, -2]], (1, 0), (x, y))
    x**2 + x*y - 2*x - y**2 - y + 1
    """
    n = len(h)
    terms: dict[tuple[int, ...], Fraction] = {}

    def add(exponents: list[int], coefficient: Fraction) -> None:
        key = tuple(exponents)
        terms[key] = terms.get(key, Fraction(0)) + coefficient

    hc = mat_vec(h, center)
    for i in range(n):
        for j in range(n):
            exponents = [0] * n
            exponents[i] += 1
            exponents[j] += 1
            add(exponents, Fraction(h[i][j], 2))
        add([1 if k == i else 0 for k in range(n)], Fraction(-hc[i]))
    add([0] * n, Fraction(sum(c * x for c, x in zip(center, hc, strict=True)), 2))
    poly = {k: rational(v) for k, v in terms.items() if v}
    return sympy.Poly.from_dict(poly, *variables).as_expr()


# -- numeric rules --------------------------------------------------------------


def _floats(matrix) -> list[float] | None:
    try:
        return [float(e) for e in matrix]
    except (TypeError, ValueError):
        return None


def parallel_to(a, b: Sequence[float], *, tolerance: float = 5e-3) -> bool:
    """Return whether the non-zero vector a points along b (either sign), numerically.

    The default tolerance (sine of the angle below 0.5%) accepts entries
    rounded to three significant figures; the parser reads decimals as exact
    fractions, so a rounded unit vector is only nearly parallel.

    >>> parallel_to(sympy.ImmutableMatrix([2, -4]), [1, -2])
    True
    >>> parallel_to([0.316, -0.949], [1, -3]), parallel_to([1, 0], [1, -3])
    (True, False)
    """
    values = _floats(a)
    if values is None:
        return False
    na, nb = math.hypot(*values), math.hypot(*b)
    if na == 0 or nb == 0:
        return False
    minors = [values[i] * b[j] - values[j] * b[i] for i, j in combinations(range(len(b)), 2)]
    return math.hypot(*minors) <= tolerance * na * nb


def direction_rule(tag: str, feedback: str, test: Callable[[list[float]], bool]) -> MistakeRule:
    """Return a rule matching a numeric vector answer for which `test(values)` holds."""

    def matches(context: RuleContext) -> bool:
        values = _floats(context.answer)
        return values is not None and test(values)

    return MistakeRule(tag, feedback, matches, ("vector",))


def number_rule(tag: str, feedback: str, candidates: Callable[[], list[float]]) -> MistakeRule:
    """Return a rule matching a number answer equal to one of the candidates.

    A whole-number answer must equal a candidate exactly; any other answer is
    taken as a rounded decimal and may be within 0.5% of a candidate.
    """

    def matches(context: RuleContext) -> bool:
        try:
            value = float(context.answer)
            expected = float(context.expected)
        except (TypeError, ValueError):
            return False
        whole = bool(context.answer.is_integer)
        for c in candidates():
            if math.isclose(c, expected, rel_tol=1e-9):
                continue
            if whole and value == c:
                return True
            if not whole and math.isclose(value, c, rel_tol=5e-3, abs_tol=1e-12):
                return True
        return False

    return MistakeRule(tag, feedback, matches, ("number",))
