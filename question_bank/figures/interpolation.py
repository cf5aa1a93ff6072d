"""The loss along the straight line between two minima, with the barrier marked."""

from __future__ import annotations

from collections.abc import Sequence

from question_bank.figures import svg_figure


def interpolation_figure(
    ts: Sequence[float],
    losses: Sequence[float],
    *,
    peak: tuple[float, float],
    ends: tuple[float, float],
) -> str:
    """Return an SVG of L((1 - t) theta_A + t theta_B) for t in [0, 1].

    `peak` is (t*, L at t*), `ends` is (L(theta_A), L(theta_B)); the barrier
    is drawn from the higher endpoint up to the peak.

    >>> svg = interpolation_figure([0, 0.5, 1], [0, 2, 1], peak=(0.5, 2), ends=(0, 1))
    >>> svg.startswith("<svg") and "barrier" in svg
    True
    """
    t_peak, l_peak = peak
    higher = max(ends)
    with svg_figure(5.0, 3.4) as (_, ax, out):
        ax.plot(ts, losses, color="#1f5fa8", linewidth=2, label="loss on the line")
        ax.plot([0, 1], list(ends), "o", color="#2a7d2a", markersize=7, label="minima")
        ax.annotate(r"$\theta_A$", (0, ends[0]), textcoords="offset points", xytext=(6, -14))
        ax.annotate(r"$\theta_B$", (1, ends[1]), textcoords="offset points", xytext=(-18, -14))
        ax.axhline(higher, color="#888888", linestyle="--", linewidth=1)
        ax.plot([t_peak], [l_peak], "o", color="#b03a2e", markersize=6, label="peak")
        ax.annotate(
            "",
            xy=(t_peak, l_peak),
            xytext=(t_peak, higher),
            arrowprops={"arrowstyle": "<->", "color": "#b03a2e", "linewidth": 1.5},
        )
        ax.annotate(
            "barrier",
            (t_peak, (l_peak + higher) / 2),
            textcoords="offset points",
            xytext=(8, 0),
            color="#b03a2e",
        )
        ax.set_xlim(-0.03, 1.03)
        ax.set_xlabel("t  (position on the straight path)")
        ax.set_ylabel(r"$L((1-t)\,\theta_A + t\,\theta_B)$")
        ax.legend(loc="best", fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    return out[0]
