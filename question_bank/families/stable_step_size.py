"""The largest stable step of gradient descent on a quadratic: sup eta = 2 / lambda_max.

On f = 1/2 x^T A x - b^T x the error e_k = x_k - x* obeys e_{k+1} = (I - eta A) e_k,
so GD converges from every start iff |1 - eta lambda| < 1 for every eigenvalue,
i.e. 0 < eta < 2 / lambda_max. At eta = 2 / lambda_max exactly the factor along
the top eigenvector is -1: constant-amplitude oscillation, no convergence.

Level 1: f(x, y) written out; level 2: three variables, f given by (A, b);
level 3: which of several listed steps is the largest that converges (a
choice, with the borderline step 2 / lambda_max among the options).
"""

from __future__ import annotations

import functools
import random
from fractions import Fraction

import sympy

from question_bank.canonical import to_text
from question_bank.problem import Draft, Problem, Samples, Template
from question_bank.rules import MistakeRule

from ._polynomials import distinct_mistakes
from ._quadratics import (
    Spectral,
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
    id="stable_step_size",
    title="The largest stable step size",
    skill="Find the step sizes for which gradient descent converges on a quadratic",
    levels=(1, 2, 3),
    answer_kind="number",
    part=3,
    prerequisites=("hessian_spectrum",),
    typical_seconds=150,
)
GD = r"$x_{k+1} = x_k - \eta \nabla f(x_k)$"
LETTERS = "ABCDEF"
RATIOS = tuple(Fraction(p, q) for p, q in ((3, 2), (5, 3), (7, 4), (9, 5), (19, 10)))


def generate(rng: random.Random, level: int) -> Draft:
    if level == 1 or (level == 3 and rng.random() < 0.5):
        spectral = random_2x2(rng, even_diagonal=True)
    else:
        spectral = random_3x3(rng)
    stated = state_quadratic(rng, spectral, written_out=spectral.size == 2)
    intro = f"Gradient descent {GD} with a constant step $\\eta > 0$ is run on\n\n{stated.text}\n\n"
    steps = [hessian_explanation(stated), eigen_explanation(spectral), _why(spectral)]
    explanation = "\n\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    bound = Fraction(2, spectral.lam_max)
    if level == 3:
        return _choice(rng, spectral, stated, intro, explanation)
    mistakes = functools.cache(lambda: _mistakes(spectral, half=stated.written_out))
    return Draft(
        prompt=intro + "Find the supremum of the step sizes $\\eta$ for which gradient descent "
        "converges to the minimiser from **every** starting point. Give an exact number.",
        answer_kind="number",
        solution=str(bound),
        explanation=explanation,
        params=stated.params(),
        variables=(),
        rules=tuple(
            MistakeRule.transform(tag, FEEDBACK[tag], _wrong(mistakes, tag))
            for tag in FEEDBACK
            if stated.written_out or tag != "stable_step_size.half_hessian"
        ),
        answer_hint="an exact number, such as a fraction p/q",
    )


def _why(spectral: Spectral) -> str:
    big = spectral.lam_max
    return (
        r"The error $e_k = x_k - x^{\ast}$ obeys $e_{k+1} = (I - \eta H) e_k$: along the "
        r"eigenvector of $\lambda$ it is multiplied by $1 - \eta\lambda$ at every step. GD "
        r"converges from every start iff $|1 - \eta\lambda| < 1$, i.e. $0 < \eta < 2/\lambda$, "
        r"for **every** eigenvalue; the sharpest direction binds first, so "
        rf"$\eta < 2/\lambda_{{\max}} = 2/{big} = {tex(Fraction(2, big))}$. "
        r"At $\eta = 2/\lambda_{\max}$ itself the factor is $-1$: the top component flips sign "
        "forever with constant size, so the supremum is not itself a convergent step."
    )


def _choice(rng, spectral: Spectral, stated, intro: str, explanation: str) -> Draft:
    low, high = spectral.lam_min, spectral.lam_max
    # The right option has eta * lambda_max strictly between the optimal step's and 2.
    optimal = Fraction(2, low + high)
    ratios = [r for r in RATIOS if r / high > optimal]
    below = {"safe": Fraction(1, high), "optimal": optimal}
    above = {
        "too_big": Fraction(2, low),
        "double_optimal": 2 * optimal,
        "triple": Fraction(3, high),
    }
    # One or two options on each side, so the answer's rank among the options varies.
    chosen = rng.sample(sorted(below), rng.randint(1, 2)) + rng.sample(sorted(above), 2)
    options = {k: {**below, **above}[k] for k in chosen}
    options["largest"] = rng.choice(ratios) / high if ratios else Fraction(4, 2 * high + 1)
    options["borderline"] = Fraction(2, high)
    if rng.random() < 0.5:
        options.pop(chosen[-1])  # sometimes only one diverging option
    distinct: dict[Fraction, str] = {}
    for kind, value in options.items():
        distinct.setdefault(value, kind)
    kinds = list(distinct.values())
    options = {k: options[k] for k in kinds}
    rng.shuffle(kinds)
    letters = dict(zip(kinds, LETTERS, strict=False))
    listing = "\n".join(
        f"- **{letters[k]}**: $\\eta = {tex(options[k])}$" for k in sorted(kinds, key=letters.get)
    )
    why = {
        "safe": r"converges ($\eta\lambda_{\max} = 1$: the top direction is solved in one step), "
        "but it is not the largest",
        "optimal": r"converges (it is the step $2/(\lambda_{\min} + \lambda_{\max})$ with the "
        "best rate), but it is not the largest",
        "largest": r"converges: $1 < \eta\lambda_{\max} < 2$, so the top component "
        "oscillates but shrinks; it is the largest such option",
        "borderline": r"does **not** converge: $\eta\lambda_{\max} = 2$ exactly, so the top "
        "component oscillates with constant amplitude",
        "too_big": r"diverges: $\eta\lambda_{\max} > 2$ (it is $2/\lambda_{\min}$, the bound "
        "for the flattest direction only)",
        "double_optimal": r"diverges: $\eta\lambda_{\max} > 2$ (it is twice the optimal step "
        r"$2/(\lambda_{\min} + \lambda_{\max})$)",
        "triple": r"diverges: $\eta\lambda_{\max} = 3 > 2$",
    }
    verdicts = "\n".join(
        f"- **{letters[k]}** ($\\eta\\lambda_{{\\max}} = {tex(options[k] * high)}$) {why[k]}."
        for k in sorted(kinds, key=letters.get)
    )
    return Draft(
        prompt=intro + "Which of these step sizes is the **largest** one for which gradient "
        f"descent converges to the minimiser from every starting point?\n\n{listing}\n\n"
        "Answer with the letter.",
        answer_kind="choice",
        solution=letters["largest"],
        explanation=f"{explanation}\n\nSo, option by option:\n\n{verdicts}",
        params={**stated.params(), "etas": {letters[k]: str(v) for k, v in options.items()}},
        variables=(),
        choices=tuple((letters[k], str(options[k])) for k in sorted(kinds, key=letters.get)),
        answer_hint=f"a letter {LETTERS[0]}–{LETTERS[len(kinds) - 1]}",
    )


FEEDBACK = {
    "stable_step_size.one_over_lambda": (
        "That is $1/\\lambda_{\\max}$: a safe step, but not the limit. Along the top "
        "eigenvector the factor $1 - \\eta\\lambda_{\\max}$ only has to stay above $-1$, so steps "
        "up to $2/\\lambda_{\\max}$ still converge (with oscillation)."
    ),
    "stable_step_size.used_lambda_min": (
        "This is $2/\\lambda_{\\min}$. Every direction must contract, and the sharpest one fails "
        "first: with $\\eta = 2/\\lambda_{\\min}$ GD diverges along the top eigenvector. Use "
        "$\\lambda_{\\max}$."
    ),
    "stable_step_size.inverted": (
        "This is $\\lambda_{\\max}/2$, upside down: the bound is $2/\\lambda_{\\max}$ "
        "(the sharper the curvature, the smaller the stable step)."
    ),
    "stable_step_size.half_hessian": (
        "This is $4/\\lambda_{\\max}$: the curvatures were read off as the coefficients of the "
        "squares, which are half the Hessian's diagonal ($\\partial^2 (c x^2)/\\partial x^2 = 2c$)."
    ),
    "stable_step_size.diagonal_entries": (
        "This uses the largest diagonal entry of the Hessian, not its largest eigenvalue. The "
        "off-diagonal entries push $\\lambda_{\\max}$ above every diagonal entry, so this step "
        "is too large."
    ),
}


def _mistakes(spectral: Spectral, *, half: bool) -> dict[str, sympy.Expr]:
    """Return, per mistake tag, the step a learner making that mistake gives."""
    low, high = spectral.lam_min, spectral.lam_max
    mistakes = {
        "stable_step_size.one_over_lambda": Fraction(1, high),
        "stable_step_size.used_lambda_min": Fraction(2, low),
        "stable_step_size.inverted": Fraction(high, 2),
        "stable_step_size.half_hessian": Fraction(4, high) if half else None,
        "stable_step_size.diagonal_entries": Fraction(2, max(spectral.diagonal)),
    }
    return {tag: rational(v) for tag, v in mistakes.items() if v is not None}


def _wrong(mistakes, tag: str):
    return lambda expected: mistakes().get(tag, expected)


def samples(problem: Problem) -> Samples:
    spectral = _spectral(problem)
    if problem.answer_kind == "choice":
        right = problem.solution
        others = [label for label, _ in problem.choices if label != right]
        text = dict(problem.choices)[right]
        return Samples(
            correct=(right, right.lower(), f"({right})", text),
            incorrect=tuple((label, f"choice.{label}") for label in others),
            invalid=("", "Z", "the largest one"),
        )
    answer = rational(Fraction(2, spectral.lam_max))
    values = _mistakes(spectral, half=spectral.size == 2)
    # In the order the grader tries the rules: the first match names a shared mistake.
    ordered = {rule.tag: values[rule.tag] for rule in problem.rules if rule.tag in values}
    kept = distinct_mistakes(ordered, answer)
    wrong = plainly_wrong([answer * 3, answer * 5, answer + 7], [answer, *kept.values()])
    return Samples(
        correct=number_forms(answer),
        incorrect=tuple((to_text(v), t) for t, v in kept.items()) + ((to_text(wrong), ""),),
        invalid=("", "eta", "2/"),
    )


def _spectral(problem: Problem) -> Spectral:
    return Spectral.of(problem.params["A"])


def figure(problem: Problem) -> str:
    """GD paths just below, at and just above the bound 2 / lambda_max."""
    from question_bank.figures.descent import descent_svg

    spectral = _spectral(problem)
    bound = 2 / spectral.lam_max
    b = problem.params["b"] if spectral.size == 2 else None
    return descent_svg(
        problem.params["A"],
        [
            (0.9 * bound, r"$\eta = 0.9 \cdot 2/\lambda_{\max}$: converges"),
            (bound, r"$\eta = 2/\lambda_{\max}$: bounces forever"),
            (1.1 * bound, r"$\eta = 1.1 \cdot 2/\lambda_{\max}$: diverges"),
        ],
        b=b,
        title=rf"Gradient descent, $2/\lambda_{{\max}} = {tex(Fraction(2, spectral.lam_max))}$",
    )
