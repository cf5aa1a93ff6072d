"""Showing answers as math: canonical answer text and LaTeX previews as MathML."""

from __future__ import annotations

import sympy
from flask import Flask
from markupsafe import Markup

from question_bank.errors import ParseError
from question_bank.limits import TRUSTED_LIMITS
from question_bank.parser import parse
from question_bank.problem import Problem
from question_bank.render import latex_to_mathml, markdown_to_html
from question_bank.structures import Value, as_matrix, preview


def latex_html(latex: str | None, *, display: bool = False) -> Markup:
    """Return MathML for LaTeX produced by our own code (a preview)."""
    if not latex:
        return Markup("")
    try:
        return Markup(latex_to_mathml(latex, display=display))
    except Exception:  # latex2mathml rejects some sympy LaTeX; show the source
        return Markup("<code>{}</code>").format(latex)


def value_latex(value: Value, kind: str) -> str:
    """Return LaTeX for a parsed answer as the kind expects it: a matrix as a matrix."""
    if kind == "matrix" and (matrix := as_matrix(value)) is not None:
        return sympy.latex(sympy.Matrix([[entry.expr for entry in row] for row in matrix.rows]))
    return preview(value)


def answer_html(text: str, variables: tuple[str, ...], kind: str = "expr") -> Markup:
    """Return our own answer text (a solution) as display MathML.

    Learner text is never parsed here: pages show the preview the grading
    process stored with the attempt.
    """
    try:
        value = parse(text, variables, TRUSTED_LIMITS)
    except ParseError:
        return Markup("<code>{}</code>").format(text)
    return latex_html(value_latex(value, kind), display=True)


def solution_html(problem: Problem) -> Markup:
    """Return a problem's answer for display: the choice's text, or the math."""
    if problem.answer_kind == "choice":
        texts = dict(problem.choices)
        return Markup("<strong>{}</strong>").format(texts.get(problem.solution, problem.solution))
    return answer_html(problem.solution, problem.variables, problem.answer_kind)


def register(app: Flask) -> None:
    """Add the math filters to the app's templates."""
    app.add_template_filter(markdown_html, "markdown")
    app.add_template_filter(latex_html, "latex_math")
    app.add_template_filter(solution_html, "solution_math")


def markdown_html(text: str) -> Markup:
    """Return our own Markdown-with-LaTeX (prompts, feedback, explanations) as HTML."""
    return Markup(markdown_to_html(text))
