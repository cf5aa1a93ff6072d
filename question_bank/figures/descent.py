"""Gradient descent on a quadratic: contour lines and the iterates for given step sizes.

On f(x) = 1/2 (x - x*)^T A (x - x*) + const the error obeys
e_{k+1} = (I - eta A) e_k, so along an eigenvector with eigenvalue lambda it is
multiplied by 1 - eta lambda each step: monotone decay for eta lambda < 1,
oscillating decay for 1 < eta lambda < 2, constant amplitude at 2, growth
beyond. In two variables the figure uses the problem's own coordinates; with
more it shows the plane of the flattest and sharpest eigenvectors, where the
quadratic is 1/2 (lambda_min u^2 + lambda_max v^2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import svg_figure

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
_MAX_STEPS = 40
_ESCAPE = 6.0  # stop a diverging path once it is this far out (the axes clip it anyway)


def descent_svg(
    rows: Sequence[Sequence[float]],
    steps: Sequence[tuple[float, str]],
    *,
    b: Sequence[float] | None = None,
    title: str = "",
) -> str:
    """Return an SVG of the contours of 1/2 x^T A x - b^T x and GD paths for each (eta, label).

    >>> svg = descent_svg([[2, 1], [1, 2]], [(0.3, "eta = 0.3")])
    >>> svg.startswith("<svg") and "eta = 0.3" in svg
    True
    """
    a = np.array(rows, dtype=float)
    eigenvalues, vectors = np.linalg.eigh(a)
    if a.shape[0] == 2:
        # Work in the problem's coordinates, centred on the minimiser.
        centre = np.linalg.solve(a, np.array(b, dtype=float)) if b is not None else np.zeros(2)
        curvature, basis = a, vectors
        axis_names = ("$x$", "$y$")
    else:
        centre = np.zeros(2)
        curvature = np.diag([eigenvalues[0], eigenvalues[-1]])
        basis = np.eye(2)
        axis_names = (
            r"along the flattest eigenvector ($\lambda_{\min}$)",
            r"along the sharpest eigenvector ($\lambda_{\max}$)",
        )
    # Start mostly along the flat direction, with some of the sharp one.
    start = 0.9 * basis[:, 0] + 0.45 * basis[:, 1]
    half = 1.3
    grid = np.linspace(-half, half, 121)
    gx, gy = np.meshgrid(grid, grid)
    values = 0.5 * (
        curvature[0, 0] * gx * gx + 2 * curvature[0, 1] * gx * gy + curvature[1, 1] * gy * gy
    )
    top = float(values.max())
    levels = top * np.array([0.004, 0.02, 0.06, 0.13, 0.23, 0.36, 0.52, 0.72])
    with svg_figure(4.4, 4.2 + 0.2 * len(steps)) as (_, ax, out):
        ax.contour(
            gx + centre[0], gy + centre[1], values, levels=levels, colors="#999999", linewidths=0.7
        )
        for (eta, label), colour in zip(steps, _COLOURS, strict=False):
            path = _path(curvature, eta, start) + centre
            ax.plot(
                path[:, 0], path[:, 1], "-o", color=colour, markersize=3, linewidth=1.2, label=label
            )
        ax.plot([centre[0]], [centre[1]], marker="*", color="black", markersize=9, linestyle="")
        ax.plot(
            [centre[0] + start[0]],
            [centre[1] + start[1]],
            marker="s",
            color="black",
            markersize=5,
            linestyle="",
            fillstyle="none",
        )
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
        ax.set_aspect("equal")
        ax.set_xlabel(axis_names[0], fontsize=8)
        ax.set_ylabel(axis_names[1], fontsize=8)
        ax.tick_params(labelsize=7)
        if title:
            ax.set_title(title, fontsize=9)
        if steps:
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    return out[0]


def _path(curvature: np.ndarray, eta: float, start: np.ndarray) -> np.ndarray:
    """Return the GD iterates e_k = (I - eta A)^k e_0, cut once they leave the window."""
    step = np.eye(2) - eta * curvature
    points = [start]
    for _ in range(_MAX_STEPS):
        points.append(step @ points[-1])
        if np.abs(points[-1]).max() > _ESCAPE:
            break
    return np.array(points)
