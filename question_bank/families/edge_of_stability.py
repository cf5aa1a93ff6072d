"""Sharpness against step size: what gradient descent does along the top eigenvector.

Locally f is quadratic, and the component of the error along the top
eigenvector is multiplied by 1 - eta lambda_max each step: monotone decay for
eta lambda_max < 1, one step to zero at 1, oscillating decay in (1, 2),
constant-amplitude oscillation at exactly 2, divergence beyond 2. Convexity
does not prevent the divergence.

Level 1: lambda_max and eta given as numbers, classify (choice).
Level 2: f(x, y) and eta given; the product eta lambda_max or the factor
1 - eta lambda_max (number).
Level 3: f in two or three variables and eta, often exactly at eta lambda_max =
1 or 2; classify (choice).
"""

from __future__ import annotations

import functools
import random
from fractions import Fraction

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
    id="edge_of_stability",
    title="Sharpness, step size and the edge of stability",
    skill="Predict from eta * lambda_max whether gradient descent converges or diverges",
    levels=(1, 2, 3),
    answer_kind="choice",
    part=3,
    prerequisites=("stable_step_size",),
    typical_seconds=90,
)
CHOICES = (
    ("monotone", "converges monotonically"),
    ("oscillating", "oscillates and converges"),
    ("one step", "converges in one step"),
    ("constant amplitude", "oscillates with constant amplitude"),
    ("diverging", "diverges"),
)
GD = r"$x_{k+1} = x_k - \eta \nabla f(x_k)$"
# Level 1: eta = m * 10^-k; level 2 and 3: eta = ratio / lambda_max.
MANTISSAS = (1, Fraction(3, 2), 2, Fraction(5, 2), 3, 4, 5, 6, 8)
RATIOS = tuple(Fraction(p, q) for p, q in ((1, 4), (1, 3), (1, 2), (2, 3), (3, 4), (4, 5),
    (9, 10), (6, 5), (5, 4), (4, 3), (3, 2), (8, 5), (5, 3), (7, 4), (9, 5), (19, 10), (21, 10),
    (9, 4), (12, 5), (5, 2), (8, 3), (3, 1), (1, 1), (2, 1)))  # fmt: skip


def classify(product: Fraction) -> str:
    """Return the label for the top-direction dynamics at eta * lambda_max = product.

    >>> [classify(Fraction(p, 2)) for p in (1, 2, 3, 4, 5)]
    ['monotone', 'one step', 'oscillating', 'constant amplitude', 'diverging']
    """
    if product < 1:
        return "monotone"
    if product == 1:
        return "one step"
    if product < 2:
        return "oscillating"
    return "constant amplitude" if product == 2 else "diverging"


def generate(rng: random.Random, level: int) -> Draft:
    if level == 1:
        return _from_numbers(rng)
    written = level == 2 or rng.random() < 0.5
    spectral = random_2x2(rng, even_diagonal=True) if written else random_3x3(rng)
    stated = state_quadratic(rng, spectral, written_out=written)
    high = spectral.lam_max
    if level == 3 and rng.random() < 0.45:
        ratio = rng.choice((Fraction(1), Fraction(2)))  # exactly on a threshold
    else:
        ratio = rng.choice(RATIOS)
    eta = ratio / high
    intro = f"Gradient descent {GD} with step $\\eta = {tex(eta)}$ is run on\n\n{stated.text}\n\n"
    steps = [hessian_explanation(stated), eigen_explanation(spectral)]
    params = {**stated.params(), "eta": str(eta)}
    if level == 3:
        return _choice_draft(
            intro + "What does gradient descent do along the **top** eigenvector of the Hessian "
            "(the sharpest direction)?",
            [*steps, _dynamics(ratio)],
            params,
            ratio,
        )
    question = rng.choice(("product", "factor"))
    ask = {
        "product": r"Compute $\eta\lambda_{\max}$, the number to compare with 2.",
        "factor": r"By what factor is the component of $x_k - x^{\ast}$ along the top "
        r"eigenvector of the Hessian multiplied at each step? (A negative factor means it "
        "flips sign.)",
    }[question]
    answer = ratio if question == "product" else 1 - ratio
    mistakes = functools.cache(lambda: _mistakes(question, spectral, eta, half=written))
    return Draft(
        prompt=intro + ask + " Give an exact number.",
        answer_kind="number",
        solution=str(answer),
        explanation=_numbered([*steps, _dynamics(ratio)]),
        params={**params, "question": question},
        variables=(),
        rules=tuple(
            MistakeRule.transform(t, FEEDBACK[t], _wrong(mistakes, t))
            for t in RULES_FOR[question]
            if written or t != "edge_of_stability.half_hessian"
        ),
        answer_hint="an exact number, such as a fraction p/q",
    )


def _from_numbers(rng: random.Random) -> Draft:
    # Pick the regime first (each equally likely), then eta * lambda_max inside it, at
    # least 0.1 from the thresholds 1 and 2, in steps of 0.05.
    low, high = rng.choice(((2, 18), (22, 38), (42, 70)))
    while True:
        eta = rng.choice(MANTISSAS) * Fraction(1, 10 ** rng.randint(1, 3))
        product = Fraction(rng.randint(low, high), 20)
        sharpness = product / eta
        if (sharpness * 10).denominator == 1 and sharpness <= 5000:
            break
    context = rng.choice((
        "During training, the largest eigenvalue of the loss Hessian at the current iterate "
        "(the sharpness) is",
        "A power-iteration estimate of the sharpness of the training loss gives",
        "Near a minimum the loss is well approximated by a quadratic with Hessian sharpness",
    ))  # fmt: skip
    prompt = (
        f"{context} $\\lambda_{{\\max}} = {_decimal(sharpness)}$, and gradient descent {GD} "
        f"uses the step size $\\eta = {_decimal(eta)}$. Treating the loss as quadratic, what "
        "does gradient descent do along the top eigenvector of the Hessian?"
    )
    explanation = (
        rf"Multiply: $\eta\lambda_{{\max}} = {_decimal(eta)} \times {_decimal(sharpness)} = "
        rf"{_decimal(product)}$. " + _rule(product, _decimal)
    )
    params = {"lambda_max": _decimal(sharpness), "eta": _decimal(eta)}
    return _choice_draft(prompt, [explanation], params, product)


def _decimal(value: Fraction) -> str:
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    if Fraction(text) != value:
        raise ValueError(f"{value} is not a short decimal")
    return text


def _rule(product: Fraction, write=tex) -> str:
    """Explain the top-direction factor 1 - eta lambda for this product."""
    factor = 1 - product
    what = {
        "monotone": "between 0 and 1: the component shrinks without changing sign, so GD "
        "converges monotonically along this direction",
        "one step": "exactly 0: the component vanishes after a single step",
        "oscillating": "between $-1$ and 0: the component flips sign every step but shrinks, "
        "so GD oscillates and converges",
        "constant amplitude": "exactly $-1$: the component flips sign every step with the same "
        "size, so GD oscillates with constant amplitude and never converges "
        r"($\eta = 2/\lambda_{\max}$ is the boundary, not a stable step)",
        "diverging": "below $-1$: the component flips sign and grows every step, so GD "
        "diverges, although the loss is convex",
    }[classify(product)]
    return (
        r"Along the top eigenvector the error is multiplied by $1 - \eta\lambda_{\max} = "
        rf"{write(factor)}$ each step, which is {what}. The thresholds are "
        r"$\eta\lambda_{\max} = 1$ (one step) and $\eta\lambda_{\max} = 2$ (the edge of stability)."
    )


def _dynamics(ratio: Fraction) -> str:
    return rf"So $\eta\lambda_{{\max}} = {tex(ratio)}$. " + _rule(ratio)


def _numbered(steps: list[str]) -> str:
    return "\n\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))


def _choice_draft(prompt: str, steps: list[str], params: dict, product: Fraction) -> Draft:
    listing = "\n".join(f"- {text}" for _, text in CHOICES)
    return Draft(
        prompt=f"{prompt}\n\n{listing}",
        answer_kind="choice",
        solution=classify(product),
        explanation=_numbered(steps) if len(steps) > 1 else steps[0],
        params=params,
        variables=(),
        choices=CHOICES,
        answer_hint="one of the phrases above",
    )


RULES_FOR = {
    "product": ("used_lambda_min", "half_hessian", "trace_as_sharpness", "factor_vs_product"),
    "factor": ("factor_sign", "factor_vs_product", "used_lambda_min", "half_hessian",
               "trace_as_sharpness"),
}  # fmt: skip
RULES_FOR = {q: tuple(f"edge_of_stability.{t}" for t in tags) for q, tags in RULES_FOR.items()}

FEEDBACK = {
    "edge_of_stability.used_lambda_min": (
        "This uses $\\lambda_{\\min}$. Stability is decided by the sharpest direction: use the "
        "**largest** eigenvalue of the Hessian."
    ),
    "edge_of_stability.half_hessian": (
        "This uses half the curvature: the coefficient of $x^2$ is half of "
        "$\\partial^2 f/\\partial x^2$. Read the Hessian's diagonal as twice the coefficients "
        "of the squares."
    ),
    "edge_of_stability.trace_as_sharpness": (
        "This uses the trace of the Hessian (the sum of its eigenvalues) in place of "
        "$\\lambda_{\\max}$."
    ),
    "edge_of_stability.factor_vs_product": (
        "This mixes up $\\eta\\lambda_{\\max}$ and the per-step factor "
        "$1 - \\eta\\lambda_{\\max}$: the error update $e - \\eta H e = (I - \\eta H) e$ "
        "multiplies the top component by $1 - \\eta\\lambda_{\\max}$."
    ),
    "edge_of_stability.factor_sign": (
        "The sign is reversed: the update subtracts $\\eta \\lambda$ times the component, so "
        "the factor is $1 - \\eta\\lambda_{\\max}$, not $\\eta\\lambda_{\\max} - 1$. The sign "
        "matters: a negative factor is what makes the iterates oscillate."
    ),
}


def _mistakes(question: str, spectral: Spectral, eta: Fraction, *, half: bool) -> dict:
    """Return, per mistake tag, the value a learner making that mistake gives."""
    low, high = spectral.lam_min, spectral.lam_max
    as_asked = (lambda p: p) if question == "product" else (lambda p: 1 - p)
    values = {
        "used_lambda_min": as_asked(eta * low),
        "half_hessian": as_asked(eta * high / 2) if half else None,
        "trace_as_sharpness": as_asked(eta * spectral.trace),
        "factor_vs_product": 1 - eta * high if question == "product" else eta * high,
        "factor_sign": eta * high - 1 if question == "factor" else None,
    }
    return {f"edge_of_stability.{t}": rational(v) for t, v in values.items() if v is not None}


def _wrong(mistakes, tag: str):
    return lambda expected: mistakes().get(tag, expected)


def samples(problem: Problem) -> Samples:
    if problem.answer_kind == "choice":
        right = problem.solution
        text = dict(CHOICES)[right]
        return Samples(
            correct=(right, text, text.capitalize() + ".", right.upper()),
            incorrect=tuple((label, f"choice.{label}") for label, _ in CHOICES if label != right),
            invalid=("", "it depends", "converges"),
        )
    spectral = _spectral(problem)
    question, eta = problem.params["question"], Fraction(problem.params["eta"])
    product = eta * spectral.lam_max
    answer = rational(product if question == "product" else 1 - product)
    values = _mistakes(question, spectral, eta, half=spectral.size == 2)
    # In the order the grader tries the rules: the first match names a shared mistake.
    ordered = {rule.tag: values[rule.tag] for rule in problem.rules if rule.tag in values}
    kept = distinct_mistakes(ordered, answer)
    wrong = plainly_wrong([answer + 5, answer + 7, answer * 9 + 4], [answer, *kept.values()])
    return Samples(
        correct=number_forms(answer),
        incorrect=tuple((to_text(v), t) for t, v in kept.items()) + ((to_text(wrong), ""),),
        invalid=("", "eta", "2 -"),
    )


def _spectral(problem: Problem) -> Spectral:
    return Spectral.of(problem.params["A"])


def figure(problem: Problem) -> str:
    """The GD path for the problem's step: converging, oscillating or diverging."""
    from question_bank.figures.descent import descent_svg

    eta = Fraction(problem.params["eta"])
    if "A" in problem.params:
        spectral = _spectral(problem)
        rows, high = problem.params["A"], spectral.lam_max
        b = problem.params["b"] if spectral.size == 2 else None
    else:
        # Only lambda_max is known: draw it with a flatter second direction for illustration.
        high = Fraction(problem.params["lambda_max"])
        rows, b = [[float(high) / 4, 0.0], [0.0, float(high)]], None
    product = eta * high
    write = tex if "A" in problem.params else _decimal
    return descent_svg(
        rows,
        [(float(eta), rf"$\eta\lambda_{{\max}} = {write(product)}$: {classify(product)}")],
        b=b,
        title=rf"Gradient descent with $\eta = {write(eta)}$",
    )
