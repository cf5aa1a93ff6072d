"""The best constant step of gradient descent on a quadratic, and its contraction factor.

With step eta the error along the eigenvector of lambda is multiplied by
1 - eta lambda, so the worst case over directions is
rho(eta) = max(|1 - eta lambda_min|, |1 - eta lambda_max|). It is smallest where
the two balance: eta* = 2 / (lambda_min + lambda_max), with
rho(eta*) = (kappa - 1) / (kappa + 1), kappa = lambda_max / lambda_min.

Level 1: f(x, y) written out, asked for eta* or rho(eta*); level 2: three
variables, f given by (A, b); level 3: rho(eta) for a given step, which may
be far from optimal, or at or beyond the stability limit (rho >= 1).
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
    id="optimal_step_size",
    title="The optimal step size and its contraction factor",
    skill="Find the best constant step of gradient descent and its rate of convergence",
    levels=(1, 2, 3),
    answer_kind="number",
    part=3,
    prerequisites=("stable_step_size",),
    typical_seconds=150,
)
GD = r"$x_{k+1} = x_k - \eta \nabla f(x_k)$"
RHO = (
    r"the contraction factor $\rho$: the smallest number with "
    r"$\|x_{k+1} - x^{\ast}\| \le \rho\, \|x_k - x^{\ast}\|$ for every $x_k$"
)
# eta * lambda_max for the given step at level 3: below, at and beyond the limit 2.
STEP_RATIOS = tuple(Fraction(p, q) for p, q in ((1, 2), (3, 4), (1, 1), (5, 4), (3, 2), (7, 4),
                                                (2, 1), (9, 4), (5, 2)))  # fmt: skip


def generate(rng: random.Random, level: int) -> Draft:
    written = level == 1 or (level == 3 and rng.random() < 0.5)
    spectral = random_2x2(rng, even_diagonal=True) if written else random_3x3(rng)
    stated = state_quadratic(rng, spectral, written_out=written)
    low, high = spectral.lam_min, spectral.lam_max
    best = Fraction(2, low + high)
    if level == 3:
        eta = best if rng.random() < 0.15 else rng.choice(STEP_RATIOS) / high
        question = "rate_at"
    else:
        eta = best
        question = rng.choice(("step", "rate"))
    answer = _answer(question, spectral, eta)
    ask = {
        "step": "Find the constant step $\\eta^{\\ast}$ that minimises the worst-case "
        "contraction factor of gradient descent. Give an exact number.",
        "rate": f"Gradient descent uses the optimal constant step $\\eta^{{\\ast}}$. Find {RHO}. "
        "Give an exact number.",
        "rate_at": f"Gradient descent uses the step $\\eta = {tex(eta)}$. Find {RHO} "
        "(a value $\\ge 1$ means no guaranteed convergence). Give an exact number.",
    }[question]
    prompt = f"Gradient descent {GD} is run on\n\n{stated.text}\n\n{ask}"
    why = _why(spectral, eta, question)
    steps = [hessian_explanation(stated), eigen_explanation(spectral), why]
    mistakes = functools.cache(lambda: _mistakes(question, spectral, eta, half=written))
    tags = [t for t in RULES_FOR[question] if written or t != "optimal_step_size.half_hessian"]
    return Draft(
        prompt=prompt,
        answer_kind="number",
        solution=str(answer),
        explanation="\n\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)),
        params={**stated.params(), "question": question, "eta": str(eta)},
        variables=(),
        rules=tuple(MistakeRule.transform(t, FEEDBACK[t], _wrong(mistakes, t)) for t in tags),
        answer_hint="an exact number, such as a fraction p/q",
    )


def _answer(question: str, spectral: Spectral, eta: Fraction) -> Fraction:
    low, high = spectral.lam_min, spectral.lam_max
    if question == "step":
        return Fraction(2, low + high)
    return max(abs(1 - eta * low), abs(1 - eta * high))


def _why(spectral: Spectral, eta: Fraction, question: str) -> str:
    low, high = spectral.lam_min, spectral.lam_max
    best = Fraction(2, low + high)
    text = (
        r"With step $\eta$ the error along the eigenvector of $\lambda$ is multiplied by "
        r"$1 - \eta\lambda$ each step, so $\rho(\eta) = \max_i |1 - \eta\lambda_i| = "
        r"\max(|1 - \eta\lambda_{\min}|, |1 - \eta\lambda_{\max}|)$ (the middle eigenvalues "
        "never bind). "
    )
    if question == "rate_at":
        a, b = 1 - eta * low, 1 - eta * high
        rho = max(abs(a), abs(b))
        verdict = (
            "GD converges." if rho < 1 else
            "GD does not converge: along the top eigenvector the error never shrinks."
        )  # fmt: skip
        return text + (
            rf"Here $1 - \eta\lambda_{{\min}} = 1 - {tex(eta)} \cdot {low} = {tex(a)}$ and "
            rf"$1 - \eta\lambda_{{\max}} = 1 - {tex(eta)} \cdot {high} = {tex(b)}$, so "
            rf"$\rho = \max({tex(abs(a))}, {tex(abs(b))}) = {tex(rho)}$. {verdict} For "
            rf"comparison, the optimal step $\eta^{{\ast}} = 2/(\lambda_{{\min}} + "
            rf"\lambda_{{\max}}) = {tex(best)}$ gives "
            rf"$\rho = {tex(Fraction(high - low, high + low))}$."
        )
    kappa = Fraction(high, low)
    return text + (
        r"The first term shrinks and the second eventually grows as $\eta$ increases; the "
        r"maximum is smallest where they balance, $1 - \eta\lambda_{\min} = "
        r"-(1 - \eta\lambda_{\max})$: "
        rf"$\eta^{{\ast}} = \frac{{2}}{{\lambda_{{\min}} + \lambda_{{\max}}}} = "
        rf"\frac{{2}}{{{low} + {high}}} = {tex(best)}$. "
        rf"Then $\rho = 1 - \eta^{{\ast}}\lambda_{{\min}} = \frac{{\lambda_{{\max}} - "
        rf"\lambda_{{\min}}}}{{\lambda_{{\max}} + \lambda_{{\min}}}} = "
        rf"\frac{{\kappa - 1}}{{\kappa + 1}} = {tex(Fraction(high - low, high + low))}$ "
        rf"with $\kappa = {tex(kappa)}$."
    )


RULES_FOR = {
    "step": ("one_over_lambda_max", "stability_limit", "missing_factor_two", "half_hessian"),
    "rate": ("one_minus_inverse_kappa", "inverted_rate", "momentum_rate"),
    "rate_at": ("optimal_rate_anyway", "top_direction_only", "flat_direction_only",
                "signed_factor"),
}  # fmt: skip
RULES_FOR = {q: tuple(f"optimal_step_size.{t}" for t in tags) for q, tags in RULES_FOR.items()}

FEEDBACK = {
    "optimal_step_size.one_over_lambda_max": (
        "This is $1/\\lambda_{\\max}$, a common safe choice but not the optimum: the flat "
        "direction then shrinks only by the factor $1 - \\lambda_{\\min}/\\lambda_{\\max}$ "
        "per step. Balance the two extreme directions: $\\eta^{\\ast} = 2/(\\lambda_{\\min} + "
        "\\lambda_{\\max})$."
    ),
    "optimal_step_size.stability_limit": (
        "This is $2/\\lambda_{\\max}$, the stability limit, where the top direction stops "
        "converging ($\\rho = 1$). The best step is smaller: $2/(\\lambda_{\\min} + "
        "\\lambda_{\\max})$."
    ),
    "optimal_step_size.missing_factor_two": (
        "This is $1/(\\lambda_{\\min} + \\lambda_{\\max})$, half the optimum: the balance "
        "$1 - \\eta\\lambda_{\\min} = -(1 - \\eta\\lambda_{\\max})$ gives "
        "$\\eta (\\lambda_{\\min} + \\lambda_{\\max}) = 2$."
    ),
    "optimal_step_size.half_hessian": (
        "This step is twice too large: the curvatures were read off as the coefficients of "
        "the squares, which are half the Hessian's diagonal."
    ),
    "optimal_step_size.one_minus_inverse_kappa": (
        "This is $(\\kappa - 1)/\\kappa = 1 - 1/\\kappa$, the factor for the step "
        "$1/\\lambda_{\\max}$. The optimal step does better: $(\\kappa - 1)/(\\kappa + 1)$."
    ),
    "optimal_step_size.inverted_rate": (
        "This is $(\\kappa + 1)/(\\kappa - 1) > 1$, upside down: a contraction factor is below "
        "1. It is $(\\kappa - 1)/(\\kappa + 1)$."
    ),
    "optimal_step_size.momentum_rate": (
        "This is $(\\sqrt{\\kappa} - 1)/(\\sqrt{\\kappa} + 1)$, the rate of heavy-ball momentum "
        "(per step, asymptotically). Plain gradient descent with a constant step only achieves "
        "$(\\kappa - 1)/(\\kappa + 1)$."
    ),
    "optimal_step_size.optimal_rate_anyway": (
        "This is $(\\kappa - 1)/(\\kappa + 1)$, the factor of the **optimal** step. For the "
        "given step compute $\\max(|1 - \\eta\\lambda_{\\min}|, |1 - \\eta\\lambda_{\\max}|)$."
    ),
    "optimal_step_size.top_direction_only": (
        "This is $|1 - \\eta\\lambda_{\\max}|$ alone; the flattest direction may contract more "
        "slowly. Take the larger of $|1 - \\eta\\lambda_{\\min}|$ and "
        "$|1 - \\eta\\lambda_{\\max}|$."
    ),
    "optimal_step_size.flat_direction_only": (
        "This is $|1 - \\eta\\lambda_{\\min}|$ alone; the sharpest direction may contract more "
        "slowly (or not at all). Take the larger of the two."
    ),
    "optimal_step_size.signed_factor": (
        "This is $1 - \\eta\\lambda_{\\max}$ with its sign: a negative factor means the error "
        "flips sign each step, but its size shrinks by $|1 - \\eta\\lambda|$. A contraction "
        "factor is a size, so take absolute values."
    ),
}


def _mistakes(question: str, spectral: Spectral, eta: Fraction, *, half: bool) -> dict:
    """Return, per mistake tag, the value a learner making that mistake gives."""
    low, high = spectral.lam_min, spectral.lam_max
    kappa = sympy.Rational(high, low)
    top, flat = 1 - eta * high, 1 - eta * low
    values = {
        "step": {
            "one_over_lambda_max": Fraction(1, high),
            "stability_limit": Fraction(2, high),
            "missing_factor_two": Fraction(1, low + high),
            "half_hessian": Fraction(4, low + high) if half else None,
        },
        "rate": {
            "one_minus_inverse_kappa": (kappa - 1) / kappa,
            "inverted_rate": (kappa + 1) / (kappa - 1),
            "momentum_rate": (sympy.sqrt(kappa) - 1) / (sympy.sqrt(kappa) + 1),
        },
        "rate_at": {
            "optimal_rate_anyway": (kappa - 1) / (kappa + 1),
            "top_direction_only": abs(top),
            "flat_direction_only": abs(flat),
            "signed_factor": top if abs(top) >= abs(flat) else flat,
        },
    }[question]
    return {f"optimal_step_size.{t}": rational(v) for t, v in values.items() if v is not None}


def _wrong(mistakes, tag: str):
    return lambda expected: mistakes().get(tag, expected)


def samples(problem: Problem) -> Samples:
    spectral = _spectral(problem)
    question, eta = problem.params["question"], Fraction(problem.params["eta"])
    answer = rational(_answer(question, spectral, eta))
    values = _mistakes(question, spectral, eta, half=spectral.size == 2)
    # In the order the grader tries the rules: the first match names a shared mistake.
    ordered = {rule.tag: values[rule.tag] for rule in problem.rules if rule.tag in values}
    kept = distinct_mistakes(ordered, answer)
    wrong = plainly_wrong([answer + 2, answer + 5, answer * 7 + 3], [answer, *kept.values()])
    return Samples(
        correct=number_forms(answer),
        incorrect=tuple((to_text(v), t) for t, v in kept.items()) + ((to_text(wrong), ""),),
        invalid=("", "kappa", "1/(2"),
    )


def _spectral(problem: Problem) -> Spectral:
    return Spectral.of(problem.params["A"])


def figure(problem: Problem) -> str:
    """GD with the optimal step against 1/lambda_max (or the problem's own step)."""
    from question_bank.figures.descent import descent_svg

    spectral = _spectral(problem)
    low, high = spectral.lam_min, spectral.lam_max
    best = 2 / (low + high)
    eta = float(Fraction(problem.params["eta"]))
    other = (
        (1 / high, r"$\eta = 1/\lambda_{\max}$")
        if problem.params["question"] != "rate_at" or abs(eta - best) < 1e-12
        else (eta, rf"$\eta = {tex(Fraction(problem.params['eta']))}$ (given)")
    )
    return descent_svg(
        problem.params["A"],
        [(best, r"$\eta^{\ast} = 2/(\lambda_{\min} + \lambda_{\max})$"), other],
        b=problem.params["b"] if spectral.size == 2 else None,
        title=rf"$\lambda_{{\min}} = {low}$, $\lambda_{{\max}} = {high}$",
    )
