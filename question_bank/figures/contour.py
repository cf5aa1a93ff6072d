"""The contour plot of f(x, y) with its critical points marked.

Level sets teach what the Hessian says: nested ovals around a minimum or a
maximum, crossing hyperbola-like curves at a saddle, stretched or bent
curves where the Hessian is singular.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from question_bank.figures import svg_figure

# marker, colour and legend word per kind of point
_STYLE = {
    "minimum": ("o", "#1f77b4", "minimum"),
    "maximum": ("^", "#d62728", "maximum"),
    "saddle": ("X", "#2ca02c", "saddle"),
    "inconclusive": ("D", "#9467bd", "degenerate"),
    "point": ("o", "#000000", "critical point"),
}


@dataclass(frozen=True)
class Mark:
    """A point to mark: coordinates, its kind (a key of the style table) and a label."""

    x: float
    y: float
    kind: str = "point"
    label: str = ""


def contour_svg(
    f: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    marks: Sequence[Mark],
    *,
    title: str = "",
    half_width: float | None = None,
    grid: int = 121,
) -> str:
    """Return an SVG contour plot of f over a window around the marks.

    `variables` are the two plotted symbols; every other symbol of f must be
    substituted before. The window is centred on the marks and wide enough
    to show all of them, or `half_width` around their centre.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> svg = contour_svg(x**2 - y**2, (x, y), [Mark(0, 0, "saddle", "(0, 0)")])
    >>> svg.startswith("<svg") and "saddle" in svg
    True
    """
    xs, ys = _window(marks, half_width, grid)
    gx, gy = np.meshgrid(xs, ys)
    values = _evaluate(f, variables, gx, gy)
    levels = _levels(values, [_evaluate(f, variables, m.x, m.y) for m in marks])
    with svg_figure(5.0, 4.4) as (_, ax, out):
        if levels is not None:
            lines = ax.contour(gx, gy, values, levels=levels, cmap="viridis", linewidths=0.9)
            ax.clabel(lines, levels=lines.levels[::3], fontsize=7, fmt="%.3g")
        seen: set[str] = set()
        for mark in marks:
            marker, colour, word = _STYLE.get(mark.kind, _STYLE["point"])
            ax.plot(
                [mark.x], [mark.y], linestyle="none", marker=marker, color=colour,
                markersize=8, label=None if word in seen else word,
            )  # fmt: skip
            seen.add(word)
            if mark.label:
                ax.annotate(
                    mark.label, (mark.x, mark.y), textcoords="offset points",
                    xytext=(6, 6), fontsize=8,
                )  # fmt: skip
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_xlabel(f"${variables[0]}$")
        ax.set_ylabel(f"${variables[1]}$")
        if title:
            ax.set_title(title, fontsize=10)
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return out[0]


def _window(marks: Sequence[Mark], half_width: float | None, grid: int = 121):
    px = [m.x for m in marks] or [0.0]
    py = [m.y for m in marks] or [0.0]
    cx, cy = (min(px) + max(px)) / 2, (min(py) + max(py)) / 2
    if half_width is None:
        half_width = max(max(px) - min(px), max(py) - min(py)) * 0.7 + 1.0
    return (
        np.linspace(cx - half_width, cx + half_width, grid),
        np.linspace(cy - half_width, cy + half_width, grid),
    )


def _evaluate(f, variables, gx, gy):
    function = sympy.lambdify(tuple(variables), f, "numpy")
    with np.errstate(all="ignore"):
        values = np.asarray(function(gx, gy), dtype=float)
    return np.broadcast_to(values, np.shape(gx)).astype(float)


def _levels(values: np.ndarray, critical: list) -> np.ndarray | None:
    # Quantile levels follow the shape of f; the values at the marked points add
    # the level sets through them (the crossing curves at a saddle).
    finite = values[np.isfinite(values)]
    if finite.size == 0 or np.ptp(finite) == 0:
        return None
    levels = np.quantile(finite, np.linspace(0.02, 0.98, 15))
    extra = [float(v) for v in critical if np.isfinite(v) and finite.min() < v < finite.max()]
    levels = np.unique(np.round(np.concatenate([levels, extra]), 12))
    return levels if levels.size >= 2 else None
