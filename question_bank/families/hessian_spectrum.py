"""The spectrum of a Hessian: its eigenvalues, the sharpness lambda_max, the condition number.

Level 1: a quadratic f(x, y) with integer coefficients (constant Hessian).
Level 2: a quadratic in three variables, given by its matrix.
Level 3: a cubic f(x, y) and a point; the Hessian there may be singular or
indefinite (zero or negative eigenvalues). The condition number is asked
only when the Hessian is positive definite, where it is defined.
"""

from __future__ import annotations

import functools
import random
from fractions import Fraction

import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._polynomials import X, Y, distinct_mistakes, latex
from ._quadratics import (
    Spectral,
    bmatrix,
    eigen_explanation,
    hessian_explanation,
    number_forms,
    plainly_wrong,
    random_2x2,
    random_3x3,
    rational,
    state_quadratic,
    tex,
)

TEMPLATE = Template(
    id="hessian_spectrum",
    title="Eigenvalues, sharpness and condition number of a Hessian",
    skill="Find the eigenvalues of a Hessian, its sharpness and its condition number",
    levels=(1, 2, 3),
    answer_kind="vector",
    part=2,
    prerequisites=("hessian",),
    typical_seconds=150,
)

ASK = {
    "eigenvalues": (
        "Find the eigenvalues of the Hessian{where}. Answer as a vector in **increasing** order, "
        "with exact values."
    ),
    "sharpness": (
        r"Find the sharpness $\lambda_{{\max}}$, the largest eigenvalue of the Hessian{where}. "
        "Give an exact number."
    ),
    "smallest": (
        r"Find the smallest eigenvalue $\lambda_{{\min}}$ of the Hessian{where}. "
        "Give an exact number."
    ),
    "condition": (
        r"Find the condition number $\kappa = \lambda_{{\max}} / \lambda_{{\min}}$ of the "
        "Hessian{where}. Give an exact value (a fraction is fine) or a decimal to 3 significant "
        "figures."
    ),
}
POINTS = [(a, b) for a in (-1, 0, 1, 2) for b in (-1, 0, 1, 2)]
# Format only, never a value: a hint beside the answer box must not be the answer.
HINTS = {
    "eigenvalues": "exact numbers in increasing order, such as ({})",
    "sharpness": "an exact number",
    "smallest": "an exact number (it may be zero or negative)",
    "condition": "a fraction p/q, or a decimal to 3 significant figures",
}


def generate(rng: random.Random, level: int) -> Draft:
    if level == 3:
        return _at_a_point(rng)
    spectral = random_2x2(rng, even_diagonal=True) if level == 1 else random_3x3(rng)
    stated = state_quadratic(rng, spectral, written_out=level == 1)
    question = rng.choice(("eigenvalues", "sharpness", "condition"))
    intro = "Let\n\n" + stated.text + "\n\n"
    steps = [hessian_explanation(stated), eigen_explanation(spectral)]
    mistakes = functools.cache(lambda: _mistakes(question, spectral, half=stated.written_out))
    return _draft(question, spectral, intro, "", steps, stated.params(), stated.names, mistakes)


def _at_a_point(rng: random.Random) -> Draft:
    """A cubic whose Hessian at a given point has integer (maybe zero or negative) eigenvalues."""
    shape = rng.choice(("singular", "indefinite", "any"))
    while True:
        target = random_2x2(rng, diagonal=(-10, 10), even_diagonal=True, lowest=-12, highest=12)
        low, high = target.eigenvalues
        if shape == "singular" and 0 not in (low, high):
            continue
        if shape == "indefinite" and not low < 0 < high:
            continue
        point = rng.choice([p for p in POINTS if p != (0, 0)])
        c = [rng.randint(-2, 2) for _ in range(4)]
        cubic = c[0] * X**3 + c[1] * X**2 * Y + c[2] * X * Y**2 + c[3] * Y**3
        # The cubic's Hessian at the point; the quadratic part supplies the rest.
        px, py = point
        hc = ((6 * c[0] * px + 2 * c[1] * py, 2 * c[1] * px + 2 * c[2] * py),
              (2 * c[1] * px + 2 * c[2] * py, 2 * c[2] * px + 6 * c[3] * py))  # fmt: skip
        rest = [[target.rows[i][j] - hc[i][j] for j in range(2)] for i in range(2)]
        if sum(1 for v in c if v) < 2 or hc == ((0, 0), (0, 0)):
            continue
        if max(abs(v) for row in rest for v in row) <= 12:
            break
    linear = rng.randint(-4, 4) * X + rng.randint(-4, 4) * Y
    f = cubic + (rest[0][0] // 2) * X**2 + rest[0][1] * X * Y + (rest[1][1] // 2) * Y**2 + linear
    question = rng.choice(("eigenvalues", "smallest", "sharpness") + (("condition",) * (low > 0)))
    intro = f"Let\n\n$$f(x, y) = {latex(f)}$$\n\n"
    where = f" of $f$ at the point $({px}, {py})$"
    # Second derivatives of the cubic part plus the constant ones of the quadratic part.
    fxx = 6 * c[0] * X + 2 * c[1] * Y + rest[0][0]
    fxy = 2 * c[1] * X + 2 * c[2] * Y + rest[0][1]
    fyy = 2 * c[2] * X + 6 * c[3] * Y + rest[1][1]
    steps = [
        rf"Differentiate twice: $f_{{xx}} = {latex(fxx)}$, $f_{{xy}} = {latex(fxy)}$, "
        rf"$f_{{yy}} = {latex(fyy)}$. At $({px}, {py})$ this gives "
        rf"$H = {bmatrix(target.rows)}$.",
        eigen_explanation(target),
    ]
    origin = tuple(tuple(row) for row in rest)
    params = {"f": str(f), "variables": ["x", "y"], "point": [px, py],
              "A": [list(row) for row in target.rows]}  # fmt: skip
    mistakes = functools.cache(lambda: _mistakes(question, target, at_origin=origin))
    return _draft(question, target, intro, where, steps, params, ("x", "y"), mistakes)


def _draft(question, spectral: Spectral, intro, where, steps, params, names, mistakes) -> Draft:
    answer = _answer(question, spectral)
    where = where or " $H$ of $f$"
    finish = _finish(question, spectral)
    explanation = "\n\n".join([*(f"{i}. {s}" for i, s in enumerate(steps, 1)), finish])
    rules = tuple(
        MistakeRule.transform(tag, FEEDBACK[tag], _wrong(mistakes, tag))
        for tag in RULES_FOR[question]
        if tag in _declared(params)
    )
    return Draft(
        prompt=intro + ASK[question].format(where=where),
        answer_kind="vector" if question == "eigenvalues" else "number",
        solution=_text(answer),
        explanation=explanation,
        params={**params, "question": question},
        variables=(),
        rules=rules,
        answer_hint=HINTS[question].format(", ".join("pqr"[: spectral.size])),
    )


def _finish(question: str, spectral: Spectral) -> str:
    low, high = spectral.lam_min, spectral.lam_max
    if question == "eigenvalues":
        values = ", ".join(str(v) for v in spectral.eigenvalues)
        return f"In increasing order the answer is $({values})$."
    if question == "sharpness":
        return rf"The sharpness is the largest eigenvalue: $\lambda_{{\max}} = {high}$."
    if question == "smallest":
        note = {0: " The Hessian is singular there: a flat direction.",
                -1: " It is negative: a direction of negative curvature."}  # fmt: skip
        return rf"The smallest eigenvalue is $\lambda_{{\min}} = {low}$." + note.get(
            (low > 0) - (low < 0), ""
        )
    kappa = tex(Fraction(high, low))
    return (
        r"Both eigenvalues are positive, so $\kappa = \lambda_{\max} / \lambda_{\min} = "
        rf"{high} / {low} = {kappa}$. A large $\kappa$ means a long narrow valley."
    )


def _declared(params) -> set[str]:
    # Reading H off the coefficients is a step only for a written-out quadratic; evaluating
    # at the origin is a slip only when a point is given.
    tags = set(FEEDBACK)
    if "point" in params:
        tags.discard("hessian_spectrum.half_hessian")
    else:
        tags.discard("hessian_spectrum.hessian_at_origin")
        if len(params["A"]) == 3:
            tags.discard("hessian_spectrum.half_hessian")
    return tags


def _answer(question: str, spectral: Spectral):
    low, high = spectral.lam_min, spectral.lam_max
    return {
        "eigenvalues": spectral.eigenvalues,
        "sharpness": high,
        "smallest": low,
        "condition": Fraction(high, low) if low > 0 else None,
    }[question]


def _text(value) -> str:
    if isinstance(value, tuple):
        return to_text(tuple(rational(v) for v in value))
    return to_text(rational(value))


RULES_FOR = {
    "eigenvalues": ("diagonal_entries", "decreasing_order", "half_hessian", "hessian_at_origin"),
    "sharpness": ("diagonal_entries", "wrong_end", "trace_or_determinant", "half_hessian",
                  "hessian_at_origin"),
    "smallest": ("diagonal_entries", "wrong_end", "trace_or_determinant", "hessian_at_origin"),
    "condition": ("inverted_condition_number", "diagonal_entries", "difference_not_ratio"),
}  # fmt: skip
RULES_FOR = {q: tuple(f"hessian_spectrum.{t}" for t in tags) for q, tags in RULES_FOR.items()}

FEEDBACK = {
    "hessian_spectrum.diagonal_entries": (
        "This comes from the diagonal entries of $H$. They are the curvatures along the "
        "coordinate axes; the eigenvalues are the curvatures along the eigenvectors, and the "
        "off-diagonal entries change them. Solve $\\det(H - \\lambda I) = 0$."
    ),
    "hessian_spectrum.decreasing_order": (
        "Those are the eigenvalues, but in decreasing order: list them smallest first."
    ),
    "hessian_spectrum.half_hessian": (
        "This is half the right value: the coefficient of $x^2$ is half of "
        "$\\partial^2 f / \\partial x^2$ (the derivative of $c x^2$ is $2cx$, then $2c$). "
        "Read the Hessian's diagonal as twice the coefficients of the squares."
    ),
    "hessian_spectrum.hessian_at_origin": (
        "This is the spectrum of the Hessian at the origin (the quadratic part of $f$ alone). "
        "The cubic terms contribute to the Hessian too: evaluate the second derivatives at "
        "the given point."
    ),
    "hessian_spectrum.wrong_end": (
        "This is the eigenvalue at the other end of the spectrum: $\\lambda_{\\max}$ is the "
        "largest eigenvalue, $\\lambda_{\\min}$ the smallest."
    ),
    "hessian_spectrum.trace_or_determinant": (
        "This is the trace (for $\\lambda_{\\max}$) or the determinant (for $\\lambda_{\\min}$), "
        "not an eigenvalue: the trace is the **sum** of the eigenvalues and the determinant "
        "their **product**."
    ),
    "hessian_spectrum.inverted_condition_number": (
        "This is $1/\\kappa$: the condition number puts the largest eigenvalue on top, "
        "$\\kappa = \\lambda_{\\max}/\\lambda_{\\min} \\ge 1$."
    ),
    "hessian_spectrum.difference_not_ratio": (
        "This is $\\lambda_{\\max} - \\lambda_{\\min}$; the condition number is the **ratio** "
        "$\\lambda_{\\max}/\\lambda_{\\min}$."
    ),
}


def _mistakes(question: str, spectral: Spectral, *, half: bool = False, at_origin=None) -> dict:
    """Return, per mistake tag, the answer a learner making that mistake gives (sympy)."""
    eig = [rational(v) for v in spectral.eigenvalues]
    diag = sorted(rational(v) for v in spectral.diagonal)
    origin = _spectrum_2x2(at_origin) if at_origin else None
    det = eig[0] * eig[1] if len(eig) == 2 else sympy.prod(eig)
    by_question = {
        "eigenvalues": {
            "diagonal_entries": tuple(diag),
            "decreasing_order": tuple(reversed(eig)),
            "half_hessian": tuple(v / 2 for v in eig) if half else None,
            "hessian_at_origin": tuple(origin) if origin else None,
        },
        "sharpness": {
            "diagonal_entries": diag[-1],
            "wrong_end": eig[0],
            "trace_or_determinant": sum(eig),
            "half_hessian": eig[-1] / 2 if half else None,
            "hessian_at_origin": origin[-1] if origin else None,
        },
        "smallest": {
            "diagonal_entries": diag[0],
            "wrong_end": eig[-1],
            "trace_or_determinant": det,
            "hessian_at_origin": origin[0] if origin else None,
        },
        "condition": {
            "inverted_condition_number": eig[0] / eig[-1],
            "diagonal_entries": diag[-1] / diag[0] if diag[0] > 0 else None,
            "difference_not_ratio": eig[-1] - eig[0],
        },
    }[question]
    return {f"hessian_spectrum.{tag}": v for tag, v in by_question.items() if v is not None}


def _spectrum_2x2(rows) -> list[sympy.Expr]:
    (p, q), (_, r) = rows
    root = sympy.sqrt(sympy.Integer((p - r) ** 2 + 4 * q * q))
    return [(p + r - root) / 2, (p + r + root) / 2]


def _wrong(mistakes, tag: str):
    def wrong(expected):
        value = mistakes().get(tag)
        if value is None:
            return expected  # not a mistake on this problem: the rule never fires
        return sympy.ImmutableMatrix(list(value)) if isinstance(value, tuple) else value

    return wrong


def samples(problem: Problem) -> Samples:
    question = problem.params["question"]
    values = _problem_mistakes(problem)
    # In the order the grader tries the rules: the first match names a shared mistake.
    values = {rule.tag: values[rule.tag] for rule in problem.rules if rule.tag in values}
    if question == "eigenvalues":
        eig = tuple(rational(v) for v in _eigenvalues(problem))
        correct = (problem.solution, "[" + " ".join(map(str, eig)) + "]", ", ".join(map(str, eig)))
        kept = distinct_mistakes(values, eig)
        wrong = plainly_wrong([(eig[0] - 1, *eig[1:-1], eig[-1] + 1)], [eig, *kept.values()])
        invalid = ("", "(1, 2", "lambda")
    else:
        answer = rational(_answer(question, _spectral(problem)))
        correct = number_forms(answer)
        kept = distinct_mistakes(values, answer)
        wrong = plainly_wrong([answer + 1, answer + 3, answer * 5], [answer, *kept.values()])
        invalid = ("", "x", "(1, 2")
    return Samples(
        correct=correct,
        incorrect=tuple((_text(v), tag) for tag, v in kept.items()) + ((_text(wrong), ""),),
        invalid=invalid,
    )


def _spectral(problem: Problem) -> Spectral:
    rows = tuple(tuple(row) for row in problem.params["A"])
    return Spectral(rows, _eigenvalues(problem))


def _eigenvalues(problem: Problem) -> tuple[int, ...]:
    rows = problem.params["A"]
    roots = sympy.Matrix(rows).eigenvals()
    return tuple(sorted(int(v) for v in roots))


def _problem_mistakes(problem: Problem) -> dict:
    params = problem.params
    spectral = _spectral(problem)
    if "point" in params:
        # H at the origin: the quadratic part of f.
        f = sympy.Poly(sympy.expand(_read_f(problem)), X, Y)
        origin = ((2 * f.coeff_monomial(X**2), f.coeff_monomial(X * Y)),
                  (f.coeff_monomial(X * Y), 2 * f.coeff_monomial(Y**2)))  # fmt: skip
        return _mistakes(params["question"], spectral, at_origin=origin)
    return _mistakes(params["question"], spectral, half=len(params["A"]) == 2)


def _read_f(problem: Problem):
    from ._polynomials import read

    return read(problem.params["f"], tuple(problem.params["variables"]))
