"""Figures as self-contained SVG text, drawn with matplotlib on request.

matplotlib is imported lazily (it costs most of a second) and always with the
non-interactive Agg backend; text stays text in the SVG (no embedded fonts,
nothing fetched), so a page can inline the figure and it still works offline.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# pyplot keeps global state; one figure is drawn at a time per process.
_LOCK = threading.Lock()


@contextmanager
def svg_figure(width: float = 5.0, height: float = 4.0) -> Iterator[tuple[Any, Any, list[str]]]:
    """Yield (figure, axes, out): draw on the axes; `out[0]` holds the SVG afterwards.

    >>> with svg_figure() as (fig, ax, out):
    ...     _ = ax.plot([0, 1], [0, 1])
    >>> out[0].startswith("<svg")
    True
    """
    with _LOCK:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure

        matplotlib.rcParams["svg.fonttype"] = "none"
        matplotlib.rcParams["svg.hashsalt"] = "quizengine"  # stable ids across runs
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_subplot()
        out: list[str] = []
        yield fig, ax, out
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        out.append(_strip_prolog(buffer.getvalue()))


def _strip_prolog(svg: str) -> str:
    """Drop the XML declaration and DOCTYPE so the SVG can be inlined in HTML."""
    start = svg.find("<svg")
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg[start:], flags=re.DOTALL)
    return re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
