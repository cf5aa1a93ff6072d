"""Small SVG charts drawn by the app: no script, no external asset, readable by screen readers."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 200, 28


def bar_chart(
    bars: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    line: list[float | None] | None = None,
    line_label: str = "",
) -> Markup:
    """Return an SVG bar chart; `line` (values 0..1) is drawn over it on its own scale.

    >>> str(bar_chart([("Mon", 2), ("Tue", 0)], title="Reviews")).startswith("<svg")
    True
    """
    top = max([value for _, value in bars] + [1])
    slot = (WIDTH - 2 * PAD) / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-{_slug(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{_slug(title)}">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis"/>',
        f'<text x="{PAD - 4}" y="{PAD}" class="tick" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{PAD - 4}" y="{HEIGHT - PAD}" class="tick" text-anchor="end">0</text>',
    ]
    every = max(1, len(bars) // 10)
    for i, (label, value) in enumerate(bars):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + i * slot + slot * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{HEIGHT - PAD - height:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{x + slot * 0.35:.1f}" y="{HEIGHT - PAD + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if line:
        parts.append(_line(line, slot, line_label))
    parts.append("</svg>")
    return Markup("".join(parts))


def _line(values: list[float | None], slot: float, label: str) -> str:
    points = [
        f"{PAD + i * slot + slot / 2:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * v:.1f}"
        for i, v in enumerate(values)
        if v is not None
    ]
    if not points:
        return ""
    dots = "".join(
        f'<circle class="dot" cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3"/>' for p in points
    )
    return (
        f'<polyline class="line" points="{" ".join(points)}" fill="none">'
        f"<title>{escape(label)}</title></polyline>{dots}"
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower())
