"""Polynomials built around known critical points, and the second-derivative test.

Shared by critical_points, classify_critical_point and degenerate_critical_point.
A `Landscape` is a polynomial together with the full list of its critical
points and a worked "how to solve the gradient system" for its construction:
we never solve a system, we build f so that its solutions are known.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy

from ._polynomials import X, Y, Z, latex, symbol

A = symbol("a")
ONE = sympy.Integer(1)


@dataclass(frozen=True)
class Landscape:
    """A polynomial with all its (real) critical points and how to find them."""

    f: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    points: tuple[tuple[sympy.Expr, ...], ...]
    steps: str  # Markdown: solving the gradient system for this construction
    coupled: bool  # the critical set is not a product of per-coordinate sets


# -- one-variable pieces: G(t) with known roots of G' -----------------------


# Each piece returns (G, critical values, G' as an unexpanded product for display).


def _cubic(rng: random.Random, t: sympy.Symbol, scale: sympy.Expr) -> tuple:
    """Return c (t^3 - 3/2 (r1 + r2) s t^2 + 3 r1 r2 s^2 t), whose derivative is 3c(t-r1 s)(t-r2 s).

    >>> g, roots, g_prime = _cubic(random.Random(0), X, sympy.Integer(1))
    >>> [sympy.diff(g, X).subs(X, r) for r in roots], sympy.expand(g_prime - sympy.diff(g, X))
    ([0, 0], 0)
    """
    r1, r2 = sorted(rng.sample(range(-3, 4), 2))
    c = rng.choice([1, -1]) if (r1 + r2) % 2 == 0 else rng.choice([2, -2])
    g = c * (t**3 - sympy.Rational(3, 2) * (r1 + r2) * scale * t**2 + 3 * r1 * r2 * scale**2 * t)
    g_prime = sympy.Mul(3 * c, t - r1 * scale, t - r2 * scale, evaluate=False)
    return sympy.expand(g), [r1 * scale, r2 * scale], g_prime


def _square(rng: random.Random, t: sympy.Symbol, scale: sympy.Expr) -> tuple:
    """Return c (t - r s)^2: one critical value r s."""
    r = rng.randint(-3, 3)
    c = rng.choice([1, 2, 3, -1, -2, -3])
    return (
        sympy.expand(c * (t - r * scale) ** 2),
        [r * scale],
        sympy.Mul(2 * c, t - r * scale, evaluate=False),
    )


def _inflection(rng: random.Random, t: sympy.Symbol, scale: sympy.Expr) -> tuple:
    """Return c (t - r s)^3: a double root of G', still one critical value."""
    r = rng.randint(-2, 2)
    c = rng.choice([1, -1, 2])
    return (
        sympy.expand(c * (t - r * scale) ** 3),
        [r * scale],
        sympy.Mul(3 * c, (t - r * scale) ** 2, evaluate=False),
    )


def _factored(expr: sympy.Expr) -> str:
    return sympy.latex(expr)


def _values(roots) -> str:
    return ", ".join(sympy.latex(r) for r in roots)


def separable(
    rng: random.Random,
    variables: tuple[sympy.Symbol, ...],
    *,
    scale: sympy.Expr = ONE,
    inflection: bool = False,
    shear: bool = False,
) -> Landscape:
    """Return f = G1(x1) + G2(x2) (+ G3(x3)), optionally with x1 replaced by x1 + k x2.

    At least one piece is a cubic with two critical values, so there are
    several critical points; all combinations of the values are critical.

    >>> land = separable(random.Random(3), (X, Y))
    >>> all(sympy.diff(land.f, v).subs(dict(zip((X, Y), p))) == 0
    ...     for p in land.points for v in (X, Y))
    True
    """
    n = len(variables)
    kinds = ["cubic"] + [rng.choice(["cubic", "square"]) for _ in range(n - 1)]
    if n == 3 and kinds.count("cubic") == 3:
        kinds[2] = "square"  # at most four points in three variables
    if inflection:
        kinds[-1] = "inflection"
    rng.shuffle(kinds)
    build = {"cubic": _cubic, "square": _square, "inflection": _inflection}
    pieces = [build[k](rng, v, scale) for k, v in zip(kinds, variables, strict=True)]
    f = sympy.Add(*(g for g, _, _ in pieces))
    roots = [r for _, r, _ in pieces]
    steps = [
        f"- $\\partial f/\\partial {v} = {_factored(g_prime)}$ involves only ${v}$: "
        f"it vanishes for ${v} \\in \\{{{_values(r)}\\}}$."
        + (
            " This is a double root: it still gives critical points, even though f does not "
            f"turn around in ${v}$ there."
            if kind == "inflection"
            else ""
        )
        for v, (_, r, g_prime), kind in zip(variables, pieces, kinds, strict=True)
    ]
    text = (
        "Each partial derivative depends on one variable only, so solve them separately:\n\n"
        + "\n".join(steps)
        + "\n\nEvery combination of these values is a critical point."
    )
    points = list(itertools.product(*roots))
    if shear and n == 2:
        return _sheared(rng, variables, f, pieces, points)
    return Landscape(sympy.expand(f), variables, _sorted(points), text, coupled=False)


def _sheared(rng, variables, f, pieces, points) -> Landscape:
    # Substitute x -> x + k y: f(x, y) = G(x + k y) + H(y). The gradient is
    # (G'(u), k G'(u) + H'(y)) with u = x + k y, so G'(u) = 0 and H'(y) = 0.
    x, y = variables
    k = rng.choice([1, -1, 2, -2])
    u = x + k * y
    g, g_roots, g_prime = pieces[0]
    _, h_roots, h_prime = pieces[1]
    f = sympy.expand(f.subs(x, u))
    g_prime = sympy.Mul(*(arg.subs(x, u) for arg in g_prime.args), evaluate=False)
    text = (
        f"Write $u = {latex(u)}$, so that $f = G(u) + H(y)$ with $G(u) = "
        f"{latex(g.subs(x, symbol('u')))}$.\n\n"
        f"- $\\partial f/\\partial x = G'(u) = {_factored(g_prime)}$, which vanishes for "
        f"$u \\in \\{{{_values(g_roots)}\\}}$.\n"
        f"- $\\partial f/\\partial y {'-' if k > 0 else '+'} {abs(k) if abs(k) != 1 else ''}"
        f"\\,\\partial f/\\partial x = H'(y) = {_factored(h_prime)}$, which vanishes for "
        f"$y \\in \\{{{_values(h_roots)}\\}}$.\n\n"
        f"Each pair $(u, y)$ gives the point $x = {latex(symbol('u') - k * y)}$."
    )
    moved = [(sympy.expand(p[0] - k * p[1]), p[1]) for p in points]
    return Landscape(f, variables, _sorted(moved), text, coupled=True)


# -- coupled systems in two variables ----------------------------------------


def coupled(rng: random.Random, *, scale: sympy.Expr = ONE) -> Landscape:
    """Return a two-variable f whose gradient equations must be solved together.

    >>> land = coupled(random.Random(5))
    >>> all(sympy.diff(land.f, v).subs(dict(zip((X, Y), p))) == 0
    ...     for p in land.points for v in (X, Y))
    True
    """
    p, q = rng.randint(-3, 3), rng.randint(-3, 3)
    u, v = X - p, Y - q
    shift = _shift_note(p, q)
    kind = rng.choice(["triangle", "cubic_pair", "fold"])
    s = scale
    if kind == "triangle":
        # f = c u v (3 m s - u - v): f_u = c v (3ms - 2u - v), f_v = c u (3ms - u - 2v).
        c, m = rng.choice([1, -1, 2, -2, 3, -3]), rng.choice([1, -1, 2, -2])
        f = c * u * v * (3 * m * s - u - v)
        fx = sympy.Mul(c, v, sympy.expand(3 * m * s - 2 * u - v), evaluate=False)
        fy = sympy.Mul(c, u, sympy.expand(3 * m * s - u - 2 * v), evaluate=False)
        local = [(0, 0), (3 * m * s, 0), (0, 3 * m * s), (m * s, m * s)]
        cases = (
            f"Both products vanish when: $v = 0$ and $u = 0$ or $u = {sympy.latex(3 * m * s)}$;"
            f" or $u = 0$ and $v = {sympy.latex(3 * m * s)}$; or neither $u$ nor $v$ is zero, "
            f"and then $2u + v = u + 2v = {sympy.latex(3 * m * s)}$ gives "
            f"$u = v = {sympy.latex(m * s)}$."
        )
    elif kind == "cubic_pair":
        # f = c (u^3 + v^3 - 3 m s u v): u^2 = m s v and v^2 = m s u, so u^4 = (ms)^3 u.
        c, m = rng.choice([1, -1, 2, -2]), rng.choice([1, -1, 2, -2, 3, -3])
        f = c * (u**3 + v**3 - 3 * m * s * u * v)
        fx = sympy.Mul(3 * c, sympy.expand(u**2 - m * s * v), evaluate=False)
        fy = sympy.Mul(3 * c, sympy.expand(v**2 - m * s * u), evaluate=False)
        local = [(0, 0), (m * s, m * s)]
        ms = sympy.latex(m * s)
        cases = (
            f"The equations say $u^2 = ({ms})\\,v$ and $v^2 = ({ms})\\,u$. Substituting "
            f"$v = u^2/({ms})$ into the second gives $u^4 = ({ms})^3 u$, so $u = 0$ or "
            f"$u^3 = ({ms})^3$, whose only real root is $u = {ms}$; then $v = u^2/({ms})$."
        )
    else:
        # f = c (v (u^2 - m^2 s^2) + d v^2): f_u = 2 c u v, f_v = c (u^2 - m^2 s^2 + 2 d v).
        c, m, d = rng.choice([1, -1, 2, -2]), rng.choice([1, 2, 3]), rng.choice([1, -1, 2, -2])
        f = c * (v * (u**2 - m**2 * s**2) + d * v**2)
        fx = sympy.Mul(2 * c, u, v, evaluate=False)
        fy = sympy.Mul(c, sympy.expand(u**2 - m**2 * s**2 + 2 * d * v), evaluate=False)
        top = sympy.Rational(m**2, 2 * d) * s**2
        local = [(m * s, 0), (-m * s, 0), (0, top)]
        cases = (
            f"The first equation is $uv = 0$, so there are two cases: $v = 0$, and "
            f"then the second gives $u^2 = {sympy.latex(m**2 * s**2)}$, so "
            f"$u = \\pm {sympy.latex(m * s)}$; or $u = 0$, and then "
            f"${sympy.latex(2 * d)} v = {sympy.latex(m**2 * s**2)}$, so $v = {sympy.latex(top)}$."
        )
    f = sympy.expand(f)
    text = (
        f"{shift}Set both partial derivatives to zero:\n\n"
        f"$$\\partial f/\\partial x = {_factored(fx)} = 0, \\qquad "
        f"\\partial f/\\partial y = {_factored(fy)} = 0.$$\n\n{cases}\n\n"
        "Solving one equation and substituting into the other is what finds the points; "
        "combining the roots of each equation separately would give points that are not "
        "critical."
    )
    points = [(sympy.expand(a + p), sympy.expand(b + q)) for a, b in local]
    return Landscape(f, (X, Y), _sorted(points), text, coupled=True)


def _shift_note(p: int, q: int) -> str:
    u = latex(X - p)
    v = latex(Y - q)
    if p == q == 0:
        return "Write $u = x$ and $v = y$ below. "
    return (
        f"The polynomial is built around $(u, v) = ({u}, {v})$: write it in those shifted "
        "coordinates (the partial derivatives in $u, v$ equal those in $x, y$). "
    )


def _sorted(points) -> tuple[tuple[sympy.Expr, ...], ...]:
    unique = {tuple(sympy.expand(c) for c in point) for point in points}
    return tuple(sorted(unique, key=str))


def landscape(rng: random.Random, level: int) -> Landscape:
    """Return a landscape for a level: 1 separable, 2 coupled or 3-D, 3 with parameter a > 0."""
    if level == 1:
        return separable(rng, (X, Y))
    if level == 2:
        if rng.random() < 0.35:
            return separable(rng, (X, Y, Z))
        return coupled(rng) if rng.random() < 0.7 else separable(rng, (X, Y), shear=True)
    choice = rng.random()
    if choice < 0.5:
        return coupled(rng, scale=A)
    return separable(rng, (X, Y), scale=A, inflection=choice < 0.65, shear=choice > 0.8)


# -- the second-derivative test ----------------------------------------------


def inertia(matrix) -> tuple[int, int, int]:
    """Return how many eigenvalues of a symmetric rational matrix are (>0, <0, =0).

    The characteristic polynomial of a symmetric matrix has only real roots,
    so Descartes' rule of signs counts its positive roots exactly.

    >>> inertia(sympy.Matrix([[2, 3], [3, 2]]))
    (1, 1, 0)
    >>> inertia(sympy.Matrix([[1, 1], [1, 1]]))
    (1, 0, 1)
    """
    coeffs = _charpoly(matrix)
    n = len(coeffs) - 1
    zeros = 0
    while coeffs and coeffs[-1] == 0:
        coeffs.pop()
        zeros += 1
    positive = _sign_changes(coeffs)
    flipped = [c * (-1) ** (n - i) for i, c in enumerate(coeffs)]
    return positive, _sign_changes(flipped), zeros


def _charpoly(matrix) -> list:
    # Coefficients of det(t I - M), highest power first; exact rationals.
    n = matrix.shape[0]
    m = [[_fraction(matrix[i, j]) for j in range(n)] for i in range(n)]
    if n == 1:
        return [1, -m[0][0]]
    if n == 2:
        return [1, -(m[0][0] + m[1][1]), m[0][0] * m[1][1] - m[0][1] * m[1][0]]
    if n == 3:
        trace = m[0][0] + m[1][1] + m[2][2]
        minors = sum(m[i][i] * m[j][j] - m[i][j] * m[j][i] for i, j in ((0, 1), (0, 2), (1, 2)))
        det = (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )
        return [1, -trace, minors, -det]
    return [sympy.Rational(c) for c in sympy.Matrix(matrix).charpoly().all_coeffs()]


def _fraction(value) -> Fraction:
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    raise TypeError(f"not a rational number: {value!r}")


def _sign_changes(coeffs) -> int:
    signs = [c > 0 for c in coeffs if c != 0]
    return sum(a != b for a, b in itertools.pairwise(signs))


def second_derivative_test(matrix: sympy.Matrix) -> str:
    """Return what the test concludes: minimum, maximum, saddle or inconclusive.

    A zero eigenvalue leaves the test undecided unless eigenvalues of both
    signs already make the point a saddle.

    >>> second_derivative_test(sympy.Matrix([[2, 0], [0, -1]]))
    'saddle'
    >>> second_derivative_test(sympy.Matrix([[2, 0], [0, 0]]))
    'inconclusive'
    """
    positive, negative, zeros = inertia(matrix)
    if positive and negative:
        return "saddle"
    if zeros:
        return "inconclusive"
    return "minimum" if positive else "maximum"


def hessian_at(f: sympy.Expr | sympy.Poly, variables, point) -> sympy.ImmutableMatrix:
    """Return the Hessian of f (an expression or a Poly in the variables) at a point.

    >>> hessian_at(X**2 * Y, (X, Y), (1, 2))
    Matrix([
    [4, 2],
    [2, 0]])
    """
    n = len(variables)
    rational = all(isinstance(c, int) or getattr(c, "is_Rational", False) for c in point)
    if isinstance(f, sympy.Poly):
        poly, f = f, f.as_expr()
    else:
        poly = None
    if not rational or not f.free_symbols <= set(variables):
        at = dict(zip(variables, point, strict=True))
        first = [sympy.diff(f, v) for v in variables]
        return sympy.ImmutableMatrix(
            n, n, lambda i, j: sympy.expand(sympy.diff(first[i], variables[j]).subs(at))
        )
    # Integer or rational point: differentiate the terms directly (fast).
    values = [Fraction(int(sympy.numer(c)), int(sympy.denom(c))) for c in point]
    h = [[Fraction(0)] * n for _ in range(n)]
    if poly is None or tuple(poly.gens) != tuple(variables):
        poly = sympy.Poly(f, *variables)
    for exponents, coefficient in poly.terms():
        c = Fraction(int(sympy.numer(coefficient)), int(sympy.denom(coefficient)))
        for i in range(n):
            for j in range(i, n):
                e = list(exponents)
                factor = e[i]
                e[i] -= 1
                factor *= e[j]
                e[j] -= 1
                if factor == 0:
                    continue
                term = c * factor
                for value, power in zip(values, e, strict=True):
                    term *= value**power
                h[i][j] += term
    entry = [[sympy.Rational(v.numerator, v.denominator) for v in row] for row in h]
    return sympy.ImmutableMatrix(n, n, lambda i, j: entry[min(i, j)][max(i, j)])


def bmatrix(matrix) -> str:
    """Return LaTeX for a sympy matrix, its entries as sympy prints them.

    >>> bmatrix(sympy.Matrix([[2, -1], [-1, 0]]))
    '\\\\begin{bmatrix} 2 & -1 \\\\\\\\ -1 & 0 \\\\end{bmatrix}'
    """
    rows = " \\\\ ".join(
        " & ".join(str(matrix[i, j]) for j in range(matrix.shape[1]))
        for i in range(matrix.shape[0])
    )
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"
