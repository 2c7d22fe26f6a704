"""Charts drawn server-side as inline SVG, each with a title and a description that say what
it shows in words (the pages also carry the numbers as tables)."""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 180, 28
# Colour-blind-safe (Okabe-Ito), in a fixed order so a type keeps its colour across builds.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000")


def _svg(chart_id: str, title: str, description: str, body: str) -> Markup:
    return Markup(  # noqa: S704 - every text in it goes through escape()
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>{body}</svg>'
    )


def pass_rate(points: list[tuple[str, float]]) -> Markup:
    """A line of each run's pass rate, oldest left."""
    title = "Pass rate per run"
    if not points:
        return _svg("pass-rate", title, "No run with test results yet.", "")
    rates = [rate for _, rate in points]
    description = (
        f"{len(points)} runs, oldest first: latest {rates[-1]:.0%}, lowest {min(rates):.0%}, "
        f"highest {max(rates):.0%}."
    )
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    xy = [
        (PAD + i * step, HEIGHT - PAD - rate * (HEIGHT - 2 * PAD)) for i, rate in enumerate(rates)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    grid = "".join(
        f'<line class="grid" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y:.1f}" y2="{y:.1f}"/>'
        f'<text class="axis" x="2" y="{y + 4:.1f}">{label}</text>'
        for label, y in (("100%", PAD), ("50%", HEIGHT / 2), ("0%", HEIGHT - PAD))
    )
    dots = "".join(
        f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"><title>{escape(key)}: '
        f"{rate:.0%}</title></circle>"
        for (x, y), (key, rate) in zip(xy, points, strict=True)
    )
    body = f'{grid}<polyline class="line" fill="none" points="{line}"/>{dots}'
    return _svg("pass-rate", title, description, body)


def colours(types: list[str]) -> dict[str, str]:
    return {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(sorted(types))}


def failure_classes(days: list[tuple[str, Counter[str]]]) -> Markup:
    """Stacked bars: failed runs per error type per day."""
    title = "Failed runs by error type per day"
    if not days:
        return _svg("classes", title, "No runs yet.", "")
    types = sorted({t for _, counts in days for t in counts})
    palette = colours(types)
    top = max((sum(c.values()) for _, c in days), default=0) or 1
    totals = Counter[str]()
    for _, counts in days:
        totals.update(counts)
    description = f"{len(days)} days from {days[0][0]} to {days[-1][0]}: " + (
        ", ".join(f"{t} {n}" for t, n in totals.most_common()) or "no failures"
    )
    slot = min((WIDTH - 2 * PAD) / len(days), 60.0)
    bars = []
    for i, (day, counts) in enumerate(days):
        y: float = HEIGHT - PAD
        for kind in types:
            height = counts[kind] / top * (HEIGHT - 2 * PAD)
            if not height:
                continue
            y -= height
            bars.append(
                f'<rect x="{PAD + i * slot + 2:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" '
                f'height="{height:.1f}" fill="{palette[kind]}"><title>{day}: {escape(kind)} '
                f"{counts[kind]}</title></rect>"
            )
        bars.append(
            f'<text class="axis" x="{PAD + i * slot + slot / 2:.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="middle">{day[5:]}</text>'
        )
    return _svg("classes", title, description, "".join(bars))
