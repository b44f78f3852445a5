"""Plots of a run as inline SVG, drawn with matplotlib (Agg, no display, no global pyplot state).

Each plot is a string of `<svg>` markup ready to inline in the report. Output is
deterministic: a fixed `svg.hashsalt` per plot (so element ids are stable and differ
between plots sharing one page), no date in the metadata, and text kept as `<text>`
elements (`svg.fonttype = "none"`), which keeps the files small and the labels searchable.
An empty plot is drawn with "nothing to show" instead of failing.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

# Colours per reason, shared by plots and highlighted spans (Tableau 10, colour-blind aware).
REASON_COLOURS: dict[str, str] = {
    "boilerplate": "#e45756",
    "repeat": "#f58518",
    "embed": "#4c78a8",
    "credit": "#72b7b2",
    "metadata": "#b279a2",
    "language_span": "#54a24b",
    "empty": "#bab0ac",
    "too_short": "#9d755d",
    "too_large": "#ff9da6",
    "language": "#54a24b",
    "quality": "#eeca3b",
    "duplicate": "#4c78a8",
}
DEFAULT_COLOUR = "#79706e"
KEPT_COLOUR = "#4c78a8"
DROPPED_COLOUR = "#e45756"
NOTHING = "nothing to show"
_WIDTH_INCHES = 6.4
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def colour_of(reason: str) -> str:
    """The colour of a reason in every plot and highlight."""
    return REASON_COLOURS.get(reason, DEFAULT_COLOUR)


def _style(extra: dict[str, Any] | None = None) -> Any:
    """matplotlib's rc_context with the report's settings (typed loosely: its stub wants literals)."""
    import matplotlib

    settings: Any = {**_RC, **(extra or {})}
    return matplotlib.rc_context(settings)


def _label(text: str, limit: int = 45) -> str:
    # A "$" pair would switch matplotlib to mathtext; user text must be drawn literally.
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _figure(rows: int) -> Any:
    from matplotlib.figure import Figure

    height = max(1.6, min(8.0, 0.8 + 0.28 * rows))
    return Figure(figsize=(_WIDTH_INCHES, height))


def _to_svg(figure: Any, name: str) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    with _style({"svg.hashsalt": f"corpusclean-{name}"}), warnings.catch_warnings():
        # Emoji in a label have no glyph in the bundled font; the SVG keeps them as text,
        # which the browser draws with its own fonts.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE to inline it
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    return svg.replace("<svg", f'<svg role="img" aria-label="{name}" class="plot-svg"', 1)


def _nothing(name: str, title: str) -> str:
    figure = _figure(2)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title, loc="left")
    axes.text(0.5, 0.5, NOTHING, ha="center", va="center", color="#888888", fontsize=11)
    return _to_svg(figure, name)


def bar_chart(
    name: str,
    title: str,
    counts: Mapping[str, int | float],
    *,
    xlabel: str,
    colours: Mapping[str, str] | None = None,
    limit: int = 15,
) -> str:
    """A horizontal bar chart of the `limit` largest counts, largest on top."""

    items = sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))[:limit]
    if not items:
        return _nothing(name, title)
    with _style():
        figure = _figure(len(items))
        axes = figure.add_subplot()
        labels = [_label(k) for k, _ in reversed(items)]
        values = [v for _, v in reversed(items)]
        colour_list = [(colours or {}).get(k, KEPT_COLOUR) for k, _ in reversed(items)]
        bars = axes.barh(range(len(items)), values, color=colour_list)
        axes.set_yticks(range(len(items)), labels)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8)
        axes.set_xlabel(xlabel)
        axes.set_title(title, loc="left")
        axes.margins(x=0.15)
        _integer_ticks(axes.xaxis)
        return _to_svg(figure, name)


def grouped_bars(
    name: str,
    title: str,
    series: Mapping[str, Mapping[str, int]],
    *,
    xlabel: str,
    colours: Sequence[str] = (KEPT_COLOUR, DROPPED_COLOUR),
    limit: int = 15,
) -> str:
    """Stacked horizontal bars: one bar per key, one segment per series (e.g. kept and dropped)."""

    totals: dict[str, int] = {}
    for counts in series.values():
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    keys = [k for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if v][:limit]
    if not keys:
        return _nothing(name, title)
    with _style():
        figure = _figure(len(keys))
        axes = figure.add_subplot()
        keys = list(reversed(keys))
        left = [0] * len(keys)
        for (label, counts), colour in zip(series.items(), colours, strict=False):
            values = [counts.get(k, 0) for k in keys]
            axes.barh(range(len(keys)), values, left=left, color=colour, label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(range(len(keys)), [_label(k) for k in keys])
        axes.set_xlabel(xlabel)
        axes.set_title(title, loc="left")
        axes.legend(frameon=False, loc="lower right")
        _integer_ticks(axes.xaxis)
        return _to_svg(figure, name)


def histogram(
    name: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    xlabel: str,
    ylabel: str = "documents",
    colours: Sequence[str] = (KEPT_COLOUR, DROPPED_COLOUR),
) -> str:
    """Side-by-side vertical bars, one group per bin label, one bar per series."""

    if not any(any(counts) for counts in series.values()):
        return _nothing(name, title)
    with _style():
        figure = _figure(6)
        axes = figure.add_subplot()
        width = 0.8 / max(1, len(series))
        for index, ((label, counts), colour) in enumerate(zip(series.items(), colours, strict=False)):
            positions = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
            axes.bar(positions, list(counts), width=width, color=colour, label=label)
        axes.set_xticks(range(len(labels)), list(labels), rotation=45, ha="right")
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.set_title(title, loc="left")
        _integer_ticks(axes.yaxis)
        if len(series) > 1:
            axes.legend(frameon=False)
        return _to_svg(figure, name)


def _integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def bin_labels(edges: Sequence[int]) -> list[str]:
    """Labels of bins given by their left edges (the last bin is open): `0–99`, `100k+`."""
    labels = []
    for index, edge in enumerate(edges):
        if index + 1 < len(edges):
            upper = edges[index + 1] - 1
            labels.append(_short(edge) if upper == edge else f"{_short(edge)}–{_short(upper)}")
        else:
            labels.append(f"{_short(edge)}+")
    return labels


def _short(value: int) -> str:
    return f"{value:,}"
