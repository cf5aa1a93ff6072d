"""A direction of negative curvature at a strict saddle: the way out of a plateau.

Level 1: a quadratic in two variables; level 2: a quadratic in three; level 3:
cubic terms on top (the Hessian must be evaluated at the saddle), and in three
variables sometimes a zero eigenvalue beside the negative one (degenerate, but
still a strict saddle). The negative eigenvalue is always simple, so the answer
is one line through the origin: any non-zero multiple is accepted
(`equivalence="direction"`).
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._landscapes import (
    determinant,
    direction_rule,
    mat_vec,
    matrix_tex,
    parallel_to,
    polynomial_tex,
    quadratic_about,
    random_saddle_hessian,
    tex,
)
from ._polynomials import X, Y, Z, latex, read

TEMPLATE = Template(
    id="saddle_escape_direction",
    title="Escaping a saddle: the direction of negative curvature",
    skill="Find an eigenvector of the Hessian with a negative eigenvalue at a strict saddle",
    levels=(1, 2, 3),
    answer_kind="vector",
    part=2,
    prerequisites=("hessian", "hessian_spectrum"),
    typical_seconds=180,
)


def generate(rng: random.Random, level: int) -> Draft:
    n = 2 if level == 1 else 3 if level == 2 else rng.choice((2, 3))
    variables = (X, Y, Z)[:n]
    degenerate = level == 3 and n == 3 and rng.random() < 0.5
    h, lam, v = random_saddle_hessian(rng, n, allow_zero=degenerate, max_entry=3)
    reach = 3 if level == 1 else 2
    center = tuple(rng.randint(-reach, reach) for _ in range(n))
    f = quadratic_about(h, center, variables) + rng.randint(-5, 5)
    if level == 3:
        f = sympy.expand(f + _cubic_terms(rng, variables, center))
    names = [str(s) for s in variables]
    point = ", ".join(str(c) for c in center)
    prompt = (
        f"The function\n\n$$f({', '.join(names)}) = {latex(f)}$$\n\nhas a strict saddle at "
        f"$({point})$. Find a direction of negative curvature there: an eigenvector of the "
        "Hessian $\\nabla^2 f$ at the saddle whose eigenvalue is negative. "
        f"Answer as a vector $({', '.join('v_' + s for s in names)})$; any non-zero multiple "
        "is accepted."
    )
    return Draft(
        prompt=prompt,
        answer_kind="vector",
        solution=to_text(tuple(sympy.Integer(x) for x in v)),
        explanation=_explanation(f, variables, center, h, lam, v, cubic_terms=level == 3),
        params={"f": str(f), "variables": names, "point": list(center), "A": h},
        variables=tuple(names),
        rules=_rules(h, v, flat=degenerate),
        answer_hint=f"a non-zero vector of {n} numbers, such as ({', '.join('pqr'[:n])})",
        equivalence="direction",
    )


def _cubic_terms(rng: random.Random, variables, center) -> sympy.Expr:
    """Return 1 or 2 cubic monomials in (x - c): they leave the Hessian at c unchanged."""
    shifted = [v - c for v, c in zip(variables, center, strict=True)]
    total = sympy.Integer(0)
    for _ in range(rng.randint(1, 2)):
        i, j, k = (rng.randrange(len(shifted)) for _ in range(3))
        total += rng.choice((-2, -1, 1, 2)) * shifted[i] * shifted[j] * shifted[k]
    return total


def _explanation(f, variables, center, h, lam, v, *, cubic_terms: bool) -> str:
    n = len(h)
    matrix = matrix_tex(h)
    trace, det = sum(h[i][i] for i in range(n)), determinant(h)
    if n == 2:
        mu = trace - lam
        spectrum = (
            f"$\\det(H - tI) = {polynomial_tex([1, -trace, det])} = "
            f"({polynomial_tex([1, -lam])})({polynomial_tex([1, -mu])})$, so the "
            f"eigenvalues are ${lam}$ and ${mu}$: one negative, one positive, a strict saddle."
        )
    else:
        s, q = trace - lam, Fraction(det, lam)
        quadratic = polynomial_tex([1, -s, q])
        rest = (
            f"its roots have sum ${s} > 0$ and product ${tex(q)} > 0$, so both are positive"
            if q != 0
            else f"its roots are $0$ and ${s}$: a zero eigenvalue (degenerate), yet the negative "
            "one still makes this a strict saddle"
        )
        spectrum = (
            f"$\\det(H - tI) = -({polynomial_tex([1, -lam])})({quadratic})$. The quadratic "
            f"factor gives the other two eigenvalues; {rest}. So ${lam}$ is the only negative "
            "eigenvalue."
        )
    shifted = matrix_tex(sympy.Matrix(h) - lam * sympy.eye(n))
    vec = matrix_tex(list(v))
    hv = ", ".join(str(x) for x in mat_vec(h, v))
    where = ", ".join(str(c) for c in center)
    cubic = ""
    if cubic_terms:
        general = matrix_tex(sympy.hessian(f, variables))
        cubic = (
            "$f$ is not quadratic, so its Hessian depends on the point: first the second "
            f"partial derivatives,\n\n$$\\nabla^2 f = {general}$$\n\nthen substitute the saddle. "
        )
    return (
        f"{cubic}The Hessian at $({where})$ is\n\n$$H = {matrix}$$\n\n{spectrum}\n\n"
        f"An eigenvector for $\\lambda = {lam}$ solves $(H - \\lambda I)v = 0$:\n\n"
        f"$${shifted} v = 0$$\n\n"
        f"which gives $v = {vec}$. Check: $Hv = ({hv}) = {lam}\\,v$. Moving from the saddle "
        f"along $\\pm v$, $f$ decreases like $\\frac{{1}}{{2}}({lam})s^2$: this is the way out. "
        "The diagonal entries alone are not the curvatures of eigen-directions when there are "
        "cross terms, and the gradient is zero at the saddle, so it points nowhere."
    )


FEEDBACK = {
    "saddle_escape_direction.positive_eigenvector": (
        "This is an eigenvector of the Hessian, but its eigenvalue is positive: along it $f$ "
        "curves upward, so gradient descent is pulled back to the saddle. Take the eigenvector "
        "of the negative eigenvalue."
    ),
    "saddle_escape_direction.flat_direction": (
        "This vector is in the null space of the Hessian: its eigenvalue is $0$, zero "
        "curvature, not negative. The escape direction is the eigenvector of the negative "
        "eigenvalue."
    ),
    "saddle_escape_direction.coordinate_axis": (
        "A coordinate axis chosen from the diagonal of the Hessian: $H_{ii}$ is the curvature "
        "along that axis only, and with non-zero cross terms the eigenvectors are not the axes. "
        "Solve $(H - \\lambda I)v = 0$ for the negative eigenvalue $\\lambda$."
    ),
    "saddle_escape_direction.not_eigenvector": (
        "$f$ does curve downward along this vector ($v^T H v < 0$), but it is not an eigenvector: "
        "$Hv$ is not parallel to $v$. The direction asked for is the eigenvector of the negative "
        "eigenvalue, the direction of most negative curvature."
    ),
}


def _rules(h, v, *, flat: bool) -> tuple[MistakeRule, ...]:
    hess = np.array(h, dtype=float)
    n = len(h)
    axis = int(np.argmin(np.diag(hess)))

    def eigen(values: list[float]) -> float | None:
        """Return the Rayleigh quotient when `values` is an eigenvector, else None."""
        a = np.array(values)
        if not np.any(a):
            return None
        image = hess @ a
        if not np.any(np.abs(image) > 1e-12):
            return 0.0
        return float(a @ image / (a @ a)) if parallel_to(image, a) else None

    def positive(values):
        mu = eigen(values)
        return mu is not None and mu > 1e-9

    def null(values):
        a = np.array(values)
        return bool(np.any(a)) and float(np.abs(hess @ a).max()) <= 5e-3 * float(np.abs(a).max())

    def on_axis(values):
        return parallel_to(sympy.ImmutableMatrix(values), [float(i == axis) for i in range(n)])

    def not_eigen(values):
        a = np.array(values)
        return bool(np.any(a)) and float(a @ hess @ a) < 0 and eigen(values) is None

    tests = {
        "saddle_escape_direction.positive_eigenvector": positive,
        "saddle_escape_direction.flat_direction": null,
        "saddle_escape_direction.coordinate_axis": on_axis,
        "saddle_escape_direction.not_eigenvector": not_eigen,
    }
    if not flat:  # only a singular Hessian has a null direction to confuse
        del tests["saddle_escape_direction.flat_direction"]
    return tuple(direction_rule(tag, FEEDBACK[tag], test) for tag, test in tests.items())


def samples(problem: Problem) -> Samples:
    h = problem.params["A"]
    n = len(h)
    v = [int(x) for x in read(problem.solution, tuple(problem.variables))]
    hess = np.array(h, dtype=float)
    values, vectors = np.linalg.eigh(hess)
    unit = np.array(v) / np.linalg.norm(v)
    rounded_unit = "(" + ", ".join(f"{x:.3f}" for x in unit) + ")"
    # Each wrong answer is built to make one mistake; its tag comes from that
    # construction, never from asking the grader.
    top = f"({-v[1]}, {v[0]})" if n == 2 else _decimal(vectors[:, -1])
    incorrect = [(top, "saddle_escape_direction.positive_eigenvector")]
    axis = int(np.argmin(np.diag(hess)))
    if not _is_eigenvector(hess, np.eye(n)[axis]):  # an eigen-axis is another slip
        incorrect.append((_axis(n, axis), "saddle_escape_direction.coordinate_axis"))
    if abs(values[1]) < 1e-9 and n == 3:
        incorrect.append((_decimal(vectors[:, 1]), "saddle_escape_direction.flat_direction"))
    perturbed = _perturbed(hess, v)
    if perturbed is not None:
        incorrect.append((perturbed, "saddle_escape_direction.not_eigenvector"))
    upward = _upward(hess, vectors)
    if upward is not None:
        incorrect.append((upward, ""))
    incorrect.append(("(" + ", ".join(["0"] * n) + ")", "direction.zero_vector"))
    neg = ", ".join(str(-x) for x in v)
    return Samples(
        correct=(problem.solution, f"({neg})", f"[{', '.join(str(2 * x) for x in v)}]",
                 f"({', '.join(f'{x}/3' for x in v)})", f"({', '.join(str(x / 2) for x in v)})",
                 rounded_unit),
        incorrect=tuple(incorrect),
        invalid=("", "(1, 2", "v", "(" + ", ".join(["1"] * (n + 1)) + ")"),
    )  # fmt: skip


def _is_eigenvector(hess: np.ndarray, a: np.ndarray) -> bool:
    image = hess @ a
    return bool(np.allclose(image, (a @ image) / (a @ a) * a, atol=1e-9))


def _upward(hess: np.ndarray, vectors: np.ndarray) -> str | None:
    """Return a vector along which f curves up that is neither an eigenvector nor an axis:
    a wrong answer no mistake rule describes."""
    for weight in (3, 5, 8):
        a = weight * vectors[:, -1] + vectors[:, 0]
        if a @ hess @ a > 0 and not _is_eigenvector(hess, a) and np.count_nonzero(
            np.abs(a) > 1e-9
        ) > 1:
            return "(" + ", ".join(f"{x:.6f}" for x in a) + ")"
    return None


def _decimal(vector) -> str:
    return "(" + ", ".join(f"{round(float(x), 6) + 0.0:.6f}" for x in vector) + ")"


def _axis(n: int, i: int) -> str:
    return "(" + ", ".join("1" if k == i else "0" for k in range(n)) + ")"


def _perturbed(hess, v) -> str | None:
    """Return a vector of negative curvature that is not an eigenvector, if a small one exists."""
    base = np.array(v)
    for k in range(len(v)):
        for scale in (3, 5, 8):
            a = scale * base + np.eye(len(v), dtype=int)[k]
            image = hess @ a
            if a @ image < 0 and not parallel_to(sympy.ImmutableMatrix(image.tolist()), a):
                return "(" + ", ".join(str(int(x)) for x in a) + ")"
    return None
