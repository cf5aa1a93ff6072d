"""All critical points of a polynomial, built so that they are rational.

Level 1: two variables, f = G(x) + H(y) (the equations separate).
Level 2: coupled equations in two variables (solve one, substitute into the
other), a sheared separable f, or three separable variables.
Level 3: as level 2 with a parameter a > 0 in the coordinates, and sometimes
a degenerate critical point (a double root of a partial derivative).
"""

from __future__ import annotations

import functools
import itertools
import random

import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule, RuleContext

from ._critical import A, Landscape, hessian_at, landscape, second_derivative_test
from ._polynomials import latex, read, symbol

TEMPLATE = Template(
    id="critical_points",
    title="Critical points of a polynomial",
    skill="Find all critical points of a polynomial by solving grad f = 0",
    levels=(1, 2, 3),
    answer_kind="points",
    part=1,
    prerequisites=("gradient",),
    typical_seconds=240,
)

FEEDBACK = {
    "critical_points.only_origin": (
        "Only the origin: $\\nabla f(0) = 0$ is not given, and even where it holds there may be "
        "other critical points. Solve $\\nabla f = 0$ completely."
    ),
    "critical_points.lost_zero_factor": (
        "The points with a zero coordinate are missing. Dividing an equation such as "
        "$2xy = 0$ or $3x^2 - 6x = 0$ by a variable throws away the solutions where that "
        "variable is $0$: factor instead, and follow every factor."
    ),
    "critical_points.sign_error": (
        "Every coordinate has the wrong sign: $x - 2 = 0$ gives $x = 2$, not $-2$. "
        "Check each point by substituting it into $\\nabla f$."
    ),
    "critical_points.cartesian_product": (
        "This combines every root of one equation with every root of the other, but the "
        "equations are coupled: a point is critical only if it solves both equations at once. "
        "Substitute each case of one equation into the other."
    ),
    "critical_points.missing_point": (
        "One critical point is missing. Follow every case of the factored equations "
        "(a double root still gives a critical point, even where f has no extremum)."
    ),
}


def generate(rng: random.Random, level: int) -> Draft:
    land = landscape(rng, level)
    names = tuple(str(v) for v in land.variables) + (("a",) if level == 3 else ())
    args = ", ".join(str(v) for v in land.variables)
    constant = " Here $a > 0$ is a constant." if level == 3 else ""
    exact = "expressions in $a$" if level == 3 else "integers or fractions"
    example = "(1, -2, 0)" if len(land.variables) == 3 else "(1, -2)"
    zero = "(0, 0, 0)" if len(land.variables) == 3 else "(0, 0)"
    prompt = (
        f"Find all critical points of\n\n$$f({args}) = {latex(land.f)}$$\n\n{constant}"
        f" Answer as a set of points in any order, such as $\\{{{zero}, {example}\\}}$, "
        f"with exact coordinates ({exact})."
    )
    return Draft(
        prompt=prompt,
        answer_kind="points",
        solution=to_text(set(land.points)),
        explanation=_explanation(land),
        params={
            "f": str(land.f),
            "variables": list(names),
            "points": [[str(c) for c in p] for p in land.points],
        },
        variables=names,
        rules=_rules(land.points),
        answer_hint="a set of points such as {" + zero + ", " + example + "}",
    )


def _explanation(land: Landscape) -> str:
    shown = ", ".join("(" + ", ".join(sympy.latex(c) for c in p) + ")" for p in land.points)
    return (
        "A critical point is a point where every partial derivative vanishes, "
        "$\\nabla f = 0$.\n\n"
        f"{land.steps}\n\nSo the critical points are $\\{{{shown}\\}}$. Check one: substituting "
        "a point into each partial derivative must give $0$."
    )


def _mistakes(points) -> dict[str, frozenset]:
    """Return, per tag, the point set a learner making that mistake writes (or none)."""
    expected = frozenset(points)
    n = len(points[0])
    found: dict[str, frozenset] = {
        "critical_points.only_origin": frozenset({(sympy.Integer(0),) * n}),
        "critical_points.lost_zero_factor": frozenset(
            p for p in expected if all(c != 0 for c in p)
        ),
        "critical_points.sign_error": _negated(expected),
        "critical_points.cartesian_product": _product(expected),
    }
    kept: dict[str, frozenset] = {}
    for tag, wrong in found.items():
        if wrong and wrong != expected and wrong not in kept.values():
            kept[tag] = wrong
    for point in sorted(expected, key=str, reverse=True):
        fewer = expected - {point}
        if fewer not in kept.values():
            kept["critical_points.missing_point"] = fewer
            break
    return kept


def _negated(points: frozenset) -> frozenset:
    return frozenset(tuple(sympy.expand(-c) for c in p) for p in points)


def _product(points: frozenset) -> frozenset:
    axes = [set(p[i] for p in points) for i in range(len(next(iter(points))))]
    return frozenset(itertools.product(*axes))


def _rules(points) -> tuple[MistakeRule, ...]:
    # Only the slips that give an answer of their own on this problem are declared.
    declared = _mistakes(points)
    rules = []
    for tag in declared:
        if tag == "critical_points.missing_point":
            rules.append(MistakeRule(tag, FEEDBACK[tag], _one_missing, kinds=("points",)))
        else:
            rules.append(MistakeRule.transform(tag, FEEDBACK[tag], _TRANSFORMS[tag], ("points",)))
    return tuple(rules)


def _one_missing(context: RuleContext) -> bool:
    answer, expected = context.answer, context.expected
    return answer < expected and len(answer) == len(expected) - 1


def _origin(expected: frozenset) -> frozenset:
    return frozenset({(sympy.Integer(0),) * len(next(iter(expected)))})


_TRANSFORMS = {
    "critical_points.only_origin": _origin,
    "critical_points.lost_zero_factor": lambda e: frozenset(p for p in e if all(c != 0 for c in p)),
    "critical_points.sign_error": _negated,
    "critical_points.cartesian_product": _product,
}


def samples(problem: Problem) -> Samples:
    names = tuple(problem.params["variables"])
    points = tuple(tuple(read(c, names) for c in p) for p in problem.params["points"])
    listed = "[" + ", ".join(to_text(p) for p in reversed(points)) + "]"
    implicit = problem.solution.replace("**", "^").replace("*", " ")
    wrongs = _mistakes(points)
    first = points[0]
    plain = frozenset({(first[0] + 7, *first[1:]), *points[1:]})
    return Samples(
        correct=(problem.solution, listed, implicit),
        incorrect=tuple((to_text(set(w)), tag) for tag, w in wrongs.items())
        + ((to_text(set(plain)), ""),),
        invalid=("", "{(1, 2", "(((", "{" + to_text(first) + ", (1, 2, 3, 4)}"),
    )


def figure(problem: Problem) -> str:
    from question_bank.figures.contour import contour_svg

    return contour_svg(*_plane(problem), title=_title(problem))


@functools.cache
def _classified(f_text: str, names: tuple[str, ...], points: tuple) -> tuple:
    f = read(f_text, names)
    variables = tuple(symbol(v) for v in names if v != "a")
    kinds = []
    for p in points:
        point = tuple(read(c, names) for c in p)
        kinds.append(second_derivative_test(hessian_at(f, variables, point).subs(A, 1)))
    return f, variables, tuple(kinds)


def _plane(problem: Problem):
    # Three variables: the slice z = z0 through the first point. A parameter: a = 1.
    from question_bank.figures.contour import Mark

    names = tuple(problem.params["variables"])
    points = tuple(tuple(p) for p in problem.params["points"])
    f, variables, kinds = _classified(problem.params["f"], names, points)
    f = f.subs(A, 1)
    numeric = [tuple(float(read(c, names).subs(A, 1)) for c in p) for p in points]
    if len(variables) == 3:
        z0 = numeric[0][2]
        f = f.subs(variables[2], z0)
        chosen = [(p, k) for p, k in zip(numeric, kinds, strict=True) if p[2] == z0]
    else:
        chosen = list(zip(numeric, kinds, strict=True))
    marks = [Mark(p[0], p[1], k, f"({p[0]:g}, {p[1]:g})") for p, k in chosen]
    return f, variables[:2], marks


def _title(problem: Problem) -> str:
    parts = []
    if len(problem.params["points"][0]) == 3:
        parts.append("slice z = " + str(problem.params["points"][0][2]))
    if "a" in problem.params["variables"]:
        parts.append("drawn for a = 1")
    return "Contours of f" + (" (" + ", ".join(parts) + ")" if parts else "")
