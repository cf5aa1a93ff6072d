"""Markdown with LaTeX math to HTML with MathML, for prompts, explanations and lessons.

Math is cut out before Markdown runs (so `_` and `*` inside it stay math),
converted with latex2mathml, and put back. The text is ours, never a learner's.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading

import markdown
from latex2mathml.converter import convert

# $$display$$ first, then $inline$; a backslash-escaped \$ is a dollar sign.
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(?!\s)(.+?)(?<![\s\\])\$", re.DOTALL)


def latex_to_mathml(latex: str, *, display: bool = False) -> str:
    """Return MathML for one LaTeX formula.

    >>> latex_to_mathml("x^2").startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    True
    """
    return convert(latex.strip(), display="block" if display else "inline")


_LOCAL = threading.local()


def _converter() -> markdown.Markdown:
    """Return this thread's Markdown converter (building one costs more than converting)."""
    if not hasattr(_LOCAL, "converter"):
        _LOCAL.converter = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
    return _LOCAL.converter


@functools.lru_cache(maxsize=1024)
def markdown_to_html(text: str) -> str:
    """Return HTML for Markdown text whose `$...$` and `$$...$$` spans are LaTeX.

    >>> markdown_to_html("Let $x = 1$.").startswith("<p>Let <math")
    True
    """
    salt = secrets.token_hex(4)
    formulas: dict[str, str] = {}

    def stash(match: re.Match[str]) -> str:
        display, inline = match.group(1), match.group(2)
        key = f"MATH{salt}X{len(formulas)}X"
        if display is not None:
            formulas[key] = latex_to_mathml(display, display=True)
            return f"\n\n{key}\n\n"
        formulas[key] = latex_to_mathml(inline)
        return key

    body = _MATH.sub(stash, text).replace("\\$", "$")
    html = _converter().reset().convert(body)
    for key, mathml in formulas.items():
        html = html.replace(f"<p>{key}</p>", mathml).replace(key, mathml)
    return html
