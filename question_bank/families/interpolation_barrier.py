"""The loss barrier on the straight line between two minima (linear mode connectivity).

The barrier is max_t L((1 - t) theta_A + t theta_B) - max(L(theta_A), L(theta_B)).
Losses are built as L = P(s) + (terms that vanish on the segment), where s is
an affine coordinate running from A to B along the segment and
P'(s) = 12 (s - A)(s - M)(s - B): minima at s = A and s = B, the peak at
s = M, so the maximum is at the rational t* = (M - A) / (B - A).

Level 1: L(x, y) = P(x) + c (y - beta x - y0)^2; level 2: three variables,
L = P(s) + two squared linear forms, s an affine form; level 3: either the
same in two variables with longer paths (t* near an end), or a ring
(x^2 + y^2 - R)^2 whose minima form a circle: connected along the arc with no
barrier, yet the straight line between two of them climbs over the middle.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import sympy

from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._landscapes import decimal_text, rational, tex
from ._polynomials import X, Y, Z, distinct_mistakes, latex, read, symbol

TEMPLATE = Template(
    id="interpolation_barrier",
    title="Mode connectivity: the barrier on the straight path between minima",
    skill="Compute the loss barrier along the linear interpolation between two minima",
    levels=(1, 2, 3),
    answer_kind="number",
    part=2,
    prerequisites=("critical_points",),
    typical_seconds=240,
)
S = symbol("s")
CIRCLES = {5: 1, 10: 1, 13: 2, 25: 3}  # R -> scale divisor keeping barriers moderate


def generate(rng: random.Random, level: int) -> Draft:
    if level == 3 and rng.random() < 0.4:
        built = _ring(rng)
    else:
        built = (_level_one, _well, _well)[level - 1](rng, level)
    f, shown, variables, theta_a, theta_b, path, facts = built
    barrier = facts["peak"] - max(facts["ends"])
    names = [str(v) for v in variables]
    a_text, b_text = _point(theta_a), _point(theta_b)
    prompt = (
        f"The loss\n\n$$L({', '.join(names)}) = {shown}$$\n\nhas local minima at "
        f"$\\theta_A = {a_text}$ and $\\theta_B = {b_text}$. On the straight path "
        "$\\theta(t) = (1 - t)\\,\\theta_A + t\\,\\theta_B$, $t \\in [0, 1]$, the loss "
        "barrier is\n\n"
        "$$B = \\max_{t \\in [0, 1]} L(\\theta(t)) - \\max\\big(L(\\theta_A), L(\\theta_B)\\big).$$"
        "\n\nFind $B$ exactly (an integer or a fraction)."
    )
    return Draft(
        prompt=prompt,
        answer_kind="number",
        solution=str(rational(barrier)),
        explanation=_explanation(path, facts, barrier, a_text, b_text),
        params={
            "f": str(f),
            "variables": names,
            "points": [list(theta_a), list(theta_b)],
            "t_peak": str(facts["t"]),
        },
        variables=tuple(names),
        rules=_rules(facts, barrier),
        answer_hint="an exact number, such as a fraction p/q",
    )


def _point(theta) -> str:
    return "(" + ", ".join(str(c) for c in theta) + ")"


def _well_polynomial(a: int, m: int, b: int) -> sympy.Expr:
    """Return P(s) with P' = 12 (s - a)(s - m)(s - b), P(0) = 0.

    >>> _well_polynomial(0, 1, 3)
    3*s**4 - 16*s**3 + 18*s**2
    """
    e1, e2, e3 = a + m + b, a * m + a * b + m * b, a * m * b
    return 3 * S**4 - 4 * e1 * S**3 + 6 * e2 * S**2 - 12 * e3 * S


def _well_facts(rng: random.Random, *, longest: int):
    """Pick A < M < B and the path direction; return (P, A, M, B, s_start, s_end, facts)."""
    while True:
        d = rng.randint(3, longest)
        a = rng.randint(-2, 1)
        m = a + rng.randint(1, d - 1)
        b = a + d
        if 2 * m != a + b or rng.random() < 0.15:  # the peak at t = 1/2 now and then
            break
    p = _well_polynomial(a, m, b)
    start, end = (a, b) if rng.random() < 0.5 else (b, a)

    def value(s: int) -> Fraction:
        return Fraction(int(p.subs(S, s)))

    mid = Fraction(start + end, 2)
    mid_value = 3 * mid**4 - 4 * (a + m + b) * mid**3 + 6 * (a * m + a * b + m * b) * mid**2
    mid_value -= 12 * a * m * b * mid
    facts = {
        "ends": (value(start), value(end)),
        "peak": value(m),
        "t": Fraction(m - start, end - start),
        "mid": mid_value,
    }
    return p, a, m, b, start, end, facts


def _level_one(rng: random.Random, level: int):
    p, a, m, b, start, end, facts = _well_facts(rng, longest=4)
    c, beta, y0 = rng.randint(1, 3), rng.randint(-2, 2), rng.randint(-2, 2)
    shift = rng.randint(-3, 3)
    facts = _shifted(facts, shift)
    f = p.subs(S, X) + c * (Y - beta * X - y0) ** 2 + shift
    shown = latex(p.subs(S, X) + shift) + " + " + _square(c, Y - beta * X - y0)
    theta_a, theta_b = (start, beta * start + y0), (end, beta * end + y0)
    path = {
        "kind": "well",
        "s": "x",
        "s_of_t": f"x = {start} + ({end - start})t",
        "vanish": f"${latex(Y - beta * X - y0)}$",
        "p": latex(p.subs(S, X)),
        "a": a, "m": m, "b": b, "start": start, "end": end, "shift": shift,
    }  # fmt: skip
    return f, shown, (X, Y), theta_a, theta_b, path, facts


def _well(rng: random.Random, level: int):
    n = 3 if level == 2 else 2
    variables = (X, Y, Z)[:n]
    p, a, m, b, start, end, facts = _well_facts(rng, longest=4 if level == 2 else 5)
    while True:
        w = [rng.randint(-2, 2) for _ in range(n)]
        normals = [[rng.randint(-2, 2) for _ in range(n)] for _ in range(n - 1)]
        d = _orthogonal(normals)
        if d is None:
            continue
        dot = sum(x * y for x, y in zip(w, d, strict=True))
        if dot and (end - start) % dot == 0 and abs((end - start) // dot) == 1:
            d = [x * ((end - start) // dot) for x in d]  # now w . d = end - start
            break
    theta_a = tuple(rng.randint(-2, 2) for _ in range(n))
    theta_b = tuple(x + y for x, y in zip(theta_a, d, strict=True))
    offset = sum(x * y for x, y in zip(w, theta_a, strict=True)) - start
    s_form = sum(x * v for x, v in zip(w, variables, strict=True)) - offset
    forms = [
        sum(x * v for x, v in zip(nrm, variables, strict=True))
        - sum(x * y for x, y in zip(nrm, theta_a, strict=True))
        for nrm in normals
    ]
    shift = rng.randint(-3, 3)
    facts = _shifted(facts, shift)
    c = rng.randint(1, 2)
    f = p.subs(S, s_form) + c * sum(form**2 for form in forms) + shift
    squares = " + ".join(_square(c, form) for form in forms)
    shown = f"{latex(p + shift)} + {squares}, \\quad s = {latex(s_form)}"
    path = {
        "kind": "well",
        "s": "s",
        "s_of_t": f"s = {start} + ({end - start})t",
        "vanish": ", ".join(f"${latex(form)}$" for form in forms),
        "p": latex(p),
        "a": a, "m": m, "b": b, "start": start, "end": end, "shift": shift,
    }  # fmt: skip
    return f, shown, variables, theta_a, theta_b, path, facts


def _orthogonal(normals):
    """Return a small non-zero integer vector orthogonal to every normal (independent), or None."""
    if len(normals) == 1:
        (u,) = normals
        d = [-u[1], u[0]]
    else:
        u, v = normals
        d = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
    if not any(d) or max(abs(x) for x in d) > 3:
        return None
    return d


def _ring(rng: random.Random):
    radius_sq = rng.choice(sorted(CIRCLES))
    points = [(x, y) for x in range(-5, 6) for y in range(-5, 6) if x * x + y * y == radius_sq]
    theta_a, theta_b = rng.choice(list(combinations(points, 2)))
    if rng.random() < 0.5:
        theta_a, theta_b = theta_b, theta_a
    cx, cy = rng.randint(-2, 2), rng.randint(-2, 2)
    theta_a = (theta_a[0] + cx, theta_a[1] + cy)
    theta_b = (theta_b[0] + cx, theta_b[1] + cy)
    scale = CIRCLES[radius_sq]
    shift = rng.randint(0, 3)
    ring = (X - cx) ** 2 + (Y - cy) ** 2 - radius_sq
    f = ring**2 / scale + shift
    shown = sympy.latex(f)
    # |theta(t) - c|^2 is convex in t and equals R at both ends, so L is largest
    # where it is smallest: at t = 1/2, |mid - c|^2 = (R + u.v) / 2.
    u = (theta_a[0] - cx, theta_a[1] - cy)
    v = (theta_b[0] - cx, theta_b[1] - cy)
    dot = u[0] * v[0] + u[1] * v[1]
    mid_sq = Fraction(radius_sq + dot, 2)
    peak = (radius_sq - mid_sq) ** 2 / scale + shift
    facts = {"ends": (Fraction(shift), Fraction(shift)), "peak": peak, "t": Fraction(1, 2),
             "mid": peak}  # fmt: skip
    path = {"kind": "ring", "R": radius_sq, "center": (cx, cy), "mid_sq": mid_sq, "scale": scale,
            "shift": shift}  # fmt: skip
    return f, shown, (X, Y), theta_a, theta_b, path, facts


def _shifted(facts, shift: int):
    return {
        "ends": tuple(e + shift for e in facts["ends"]),
        "peak": facts["peak"] + shift,
        "t": facts["t"],
        "mid": facts["mid"] + shift,
    }


def _coefficient(c: int) -> str:
    return "" if c == 1 else str(c)


def _square(c: int, form) -> str:
    return f"{_coefficient(c)}\\left({latex(form)}\\right)^{{2}}"


def _explanation(path, facts, barrier, a_text, b_text) -> str:
    la, lb = facts["ends"]
    higher = max(la, lb)
    if path["kind"] == "ring":
        cx, cy = path["center"]
        return (
            f"Every point with $({_minus('x', cx)})^2 + ({_minus('y', cy)})^2 = {path['R']}$ is a "
            "minimum, so $\\theta_A$ and $\\theta_B$ are joined by an arc of the circle with no "
            "barrier at all. "
            "The straight line cuts the chord instead. Along it "
            "$q(t) = |\\theta(t) - c|^2$ is a convex quadratic in $t$, equal to "
            f"${path['R']}$ at both ends, so it is smallest at $t = \\frac{{1}}{{2}}$, where the "
            f"midpoint has $q = {tex(path['mid_sq'])}$. The loss grows as $q$ moves away from "
            f"${path['R']}$, so the peak is at $t = \\frac{{1}}{{2}}$: "
            f"$L = {tex(facts['peak'])}$.\n\nBoth endpoints have $L = {tex(la)}$, so "
            f"$B = {tex(facts['peak'])} - {_paren(la)} = {tex(barrier)}$. Two minima can be "
            "connected by a curve of low loss even when the straight line between them is not."
        )
    s, a, m, b = path["s"], path["a"], path["m"], path["b"]
    start, end = path["start"], path["end"]
    t_peak = facts["t"]
    forms = path["vanish"]
    verb = "stays" if forms.count("$") == 2 else "all stay"
    factors = "".join(f"({_minus(s, root)})" for root in (a, m, b))
    along = latex(start + (end - start) * symbol("t"))
    return (
        f"On the segment, {forms} {verb} $0$ (both endpoints make it zero and it is linear in "
        f"$\\theta$), and ${s} = {along}$ runs from ${start}$ to ${end}$. So "
        f"$L(\\theta(t)) = {_plus(f'P({s})', path['shift'])}$ with $P({s}) = {path['p']}$.\n\n"
        f"$P'({s}) = 12{factors}$: the minima $\\theta_A$, $\\theta_B$ are the roots ${start}$ "
        f"and ${end}$, and between them $P$ rises to a single peak at ${s} = {m}$, that is "
        f"$t^* = {tex(t_peak)}$.\n\n"
        f"Values: $L(\\theta_A) = {tex(la)}$, $L(\\theta_B) = {tex(lb)}$, and the peak "
        f"$L(\\theta(t^*)) = {tex(facts['peak'])}$. The barrier is measured from the higher "
        f"endpoint: $B = {tex(facts['peak'])} - {_paren(higher)} = {tex(barrier)}$.\n\n"
        f"(At the midpoint $t = \\frac{{1}}{{2}}$ the loss is only ${tex(facts['mid'])}$"
        + (": the peak is elsewhere.)" if t_peak != Fraction(1, 2) else ", the peak itself.)")
    )


def _minus(name: str, value: int) -> str:
    return name if value == 0 else f"{name} - {value}" if value > 0 else f"{name} + {-value}"


def _plus(text: str, value: int) -> str:
    return text if value == 0 else f"{text} + {value}" if value > 0 else f"{text} - {-value}"


def _paren(value) -> str:
    return f"\\left({tex(value)}\\right)" if value < 0 else tex(value)


FEEDBACK = {
    "interpolation_barrier.max_loss": (
        "That is the highest loss on the path. The barrier is measured from the minima: subtract "
        "$\\max(L(\\theta_A), L(\\theta_B))$."
    ),
    "interpolation_barrier.midpoint_only": (
        "You evaluated the loss at the midpoint $t = \\frac{1}{2}$ only. The peak of the path can "
        "be elsewhere: maximise $L(\\theta(t))$ over $t$ (set its derivative to zero)."
    ),
    "interpolation_barrier.average_endpoints": (
        "You subtracted the average of the two endpoint losses. The definition subtracts the "
        "larger one, $\\max(L(\\theta_A), L(\\theta_B))$."
    ),
    "interpolation_barrier.lower_endpoint": (
        "You measured the barrier from the lower minimum. The definition here subtracts the "
        "higher endpoint loss, $\\max(L(\\theta_A), L(\\theta_B))$."
    ),
    "interpolation_barrier.peak_location": (
        "That is where the peak is ($t^*$), not how high it is: evaluate $L(\\theta(t^*))$ and "
        "subtract the higher endpoint loss."
    ),
}


def _mistakes(facts) -> dict[str, sympy.Rational]:
    la, lb = facts["ends"]
    higher = max(la, lb)
    return {
        "interpolation_barrier.max_loss": rational(facts["peak"]),
        "interpolation_barrier.midpoint_only": rational(facts["mid"] - higher),
        "interpolation_barrier.average_endpoints": rational(facts["peak"] - (la + lb) / 2),
        "interpolation_barrier.lower_endpoint": rational(facts["peak"] - min(la, lb)),
        "interpolation_barrier.peak_location": rational(facts["t"]),
    }


def _rules(facts, barrier) -> tuple[MistakeRule, ...]:
    mistakes = _mistakes(facts)  # five rationals: cheap enough to compute at once
    return tuple(
        MistakeRule.transform(tag, FEEDBACK[tag], lambda expected, w=mistakes[tag]: w)
        for tag in FEEDBACK
    )


def samples(problem: Problem) -> Samples:
    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    variables = [symbol(v) for v in names]
    theta_a, theta_b = problem.params["points"]
    t_peak = Fraction(problem.params["t_peak"])
    ends = [Fraction(str(f.subs(dict(zip(variables, p, strict=True))))) for p in (theta_a, theta_b)]
    mid = [Fraction(x + y, 2) for x, y in zip(theta_a, theta_b, strict=True)]
    at_peak = [(1 - t_peak) * x + t_peak * y for x, y in zip(theta_a, theta_b, strict=True)]

    def value(point):
        at = {v: rational(c) for v, c in zip(variables, point, strict=True)}
        return Fraction(str(f.subs(at)))

    facts = {"ends": tuple(ends), "peak": value(at_peak), "t": t_peak, "mid": value(mid)}
    barrier = Fraction(problem.solution)
    mistakes = distinct_mistakes(_mistakes(facts), rational(barrier))
    plain = next(
        str(c)
        for c in (barrier + 5, barrier + 9, barrier * 3 + 1)
        if rational(c) not in mistakes.values()
    )
    return Samples(
        correct=(problem.solution, decimal_text(barrier) if "/" not in decimal_text(barrier)
                 else f"{barrier.numerator}/{barrier.denominator}",
                 f"{2 * barrier.numerator}/{2 * barrier.denominator}"),
        incorrect=tuple((str(w), tag) for tag, w in mistakes.items()) + ((plain, ""),),
        invalid=("", "B", "(((", "1/"),
    )  # fmt: skip


def figure(problem: Problem) -> str:
    """Draw the loss along the path, the minima at both ends and the barrier."""
    import numpy as np

    from question_bank.figures.interpolation import interpolation_figure

    names = tuple(problem.params["variables"])
    f = read(problem.params["f"], names)
    t = symbol("t")
    theta_a, theta_b = problem.params["points"]
    along = {symbol(v): a + (b - a) * t for v, a, b in zip(names, theta_a, theta_b, strict=True)}
    # The loss on the path is a polynomial in t: evaluate it with polyval, no code generation.
    coefficients = [float(c) for c in sympy.Poly(f.subs(along), t).all_coeffs()]
    ts = np.linspace(0.0, 1.0, 401)
    losses = np.polyval(coefficients, ts)
    t_peak = float(Fraction(problem.params["t_peak"]))
    ends = (float(np.polyval(coefficients, 0.0)), float(np.polyval(coefficients, 1.0)))
    peak = (t_peak, float(np.polyval(coefficients, t_peak)))
    return interpolation_figure(ts, losses, peak=peak, ends=ends)
