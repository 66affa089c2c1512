"""The report's charts, drawn by matplotlib and inlined as SVG: no script, no CDN, no file.

Each chart is drawn at the size it is shown (at most the page's 1000 px), so its text keeps
its size; days sit on a time axis, so a gap of months looks like one. Every bar is an SVG group
whose id is `chart/x/series`, and the numbers behind each chart follow it as a table.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from datetime import date
from html import escape

import matplotlib
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

# 72 points to the inch: a 9.6 x 3 in figure is 691 x 216 pt, i.e. 921 x 288 px.
WIDTH_IN = 9.6
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295")
STYLE = {
    "svg.fonttype": "none",  # text stays text: the browser's fonts, every script, searchable
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.image_inline": True,
}


def _svg(figure: Figure, chart: str) -> str:
    """The figure as an inline <svg> element, its ids salted by `chart` so that two charts on
    one page never share a clip-path id."""
    buffer = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": chart}), warnings.catch_warnings():
        # Text is left to the browser's fonts (every script); matplotlib's own font only
        # measures it for the layout, and lacks CJK or Thai glyphs.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    return text.replace("<svg ", f'<svg class="chart" data-chart="{escape(chart)}" role="img" ',
                        1)


def _figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width_in, height_in), layout="constrained")


def _numbers(chart: str, rows: Sequence[tuple[str, str, float | int | None]],
             headers: tuple[str, str, str]) -> str:
    """The chart's numbers as a table, folded away under it."""
    cells = "".join(
        f'<tr data-x="{escape(x)}" data-series="{escape(s)}" '
        f'data-value="{"" if v is None else v}"><td>{escape(x)}</td><td>{escape(s)}</td>'
        f'<td class="n">{"–" if v is None else f"{v:g}"}</td></tr>' for x, s, v in rows)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (f'<details><summary>numbers</summary><table class="numbers" '
            f'data-chart="{escape(chart)}"><tr>{head}</tr>{cells}</table></details>')


def _series_order(table: dict[str, dict[str, int]]) -> list[str]:
    return sorted({s for row in table.values() for s in row}, key=lambda s: (s == "other", s))


def stacked_bars(table: dict[str, dict[str, int]], chart: str) -> str:
    """Articles per day (`table` is {YYYY-MM-DD: {series: n}}), stacked by series, on a time
    axis."""
    if not table:
        return '<p class="empty">No dated articles.</p>'
    days = sorted(table)
    series = _series_order(table)
    figure = _figure(3.0)
    with matplotlib.rc_context(STYLE):
        axes = figure.add_subplot()
        x = [date.fromisoformat(day) for day in days]
        bottom = [0] * len(days)
        for n, name in enumerate(series):
            values = [table[day].get(name, 0) for day in days]
            # A day's bar is 0.8 day wide; its outline keeps it visible over a span of years.
            color = PALETTE[n % len(PALETTE)]
            bars = axes.bar(x, values, width=0.8, bottom=bottom, label=name, color=color,
                            edgecolor=color, linewidth=1)
            for day, value, bar in zip(days, values, bars, strict=True):
                bar.set_gid(f"{chart}/{day}/{name}" if value else None)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        locator = AutoDateLocator(maxticks=10)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.set_ylabel("articles")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                    fontsize=8)
    rows = [(day, name, table[day][name]) for day in days for name in series
            if table[day].get(name)]
    return _svg(figure, chart) + _numbers(chart, rows, ("day", "series", "articles"))


def horizontal_bars(rows: list[tuple[str, float]], chart: str, unit: str) -> str:
    """One labelled bar per row, in the given order from the top."""
    if not rows:
        return '<p class="empty">Nothing to show.</p>'
    figure = _figure(0.6 + 0.24 * len(rows))
    with matplotlib.rc_context(STYLE):
        axes = figure.add_subplot()
        labels = [label if len(label) <= 40 else label[:39] + "…" for label, _ in rows]
        positions = range(len(rows))
        bars = axes.barh(positions, [v for _, v in rows], height=0.7, color=PALETTE[0])
        for (label, value), bar in zip(rows, bars, strict=True):
            bar.set_gid(f"{chart}/{label}/")
            axes.annotate(f"{value:g}", (value, bar.get_y() + bar.get_height() / 2),
                          xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        axes.set_xlabel(unit)
        axes.margins(x=0.08)
    numbers = [(label, "", value) for label, value in rows]
    return _svg(figure, chart) + _numbers(chart, numbers, ("", "", unit))


def heatmap(columns: list[str], rows: list[str], values: dict[tuple[str, str], float],
            chart: str) -> str:
    """Percentages (0-100), rows x columns, darker is higher; one column per crawl run."""
    if not columns or not rows:
        return '<p class="empty">Nothing to show.</p>'
    # Cells of about 0.45 x 0.22 in, whatever the number of runs: never stretched to the page.
    width = min(WIDTH_IN, 1.6 + 0.45 * len(columns))
    figure = _figure(0.7 + 0.22 * len(rows), width)
    grid = [[values.get((row, column)) for column in columns] for row in rows]
    with matplotlib.rc_context(STYLE):
        axes = figure.add_subplot()
        masked = [[float("nan") if v is None else v for v in line] for line in grid]
        axes.imshow(masked, cmap="Blues", vmin=0, vmax=100, aspect="auto",
                    interpolation="nearest")
        for i, line in enumerate(grid):
            for j, value in enumerate(line):
                shown = "–" if value is None else f"{value:.0f}"
                axes.text(j, i, shown, ha="center", va="center", fontsize=7,
                          color="white" if (value or 0) > 60 else "#222",
                          gid=f"{chart}/{columns[j]}/{rows[i]}")
        axes.set_xticks(range(len(columns)), columns)
        axes.set_yticks(range(len(rows)), rows)
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
    numbers = [(column, row, values.get((row, column))) for row in rows for column in columns]
    return _svg(figure, chart) + _numbers(chart, numbers, ("run", "field", "%"))
