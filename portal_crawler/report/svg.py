"""Small inline SVG charts: no script, no CDN, readable in any browser or offline.

Every mark carries its numbers as data-* attributes and a <title> tooltip, so the figures can
be checked (and are, by the tests) without measuring pixels."""

from __future__ import annotations

from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def colors(series: list[str]) -> dict[str, str]:
    return {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(series)}


def legend(series: list[str], palette: dict[str, str]) -> str:
    items = "".join(
        f'<span class="key"><i style="background:{palette[s]}"></i>{escape(s)}</span>'
        for s in series)
    return f'<div class="legend">{items}</div>'


def stacked_bars(table: dict[str, dict[str, int]], chart: str, *, width: int = 960,
                 height: int = 260) -> str:
    """One bar per day (x), stacked by series; `table` is {day: {series: n}}."""
    days = sorted(table)
    series = sorted({s for row in table.values() for s in row},
                    key=lambda s: (s == "other", s))
    palette = colors(series)
    if not days:
        return '<p class="empty">No dated articles.</p>'
    top = max(sum(row.values()) for row in table.values()) or 1
    left, bottom, plot_h = 40, 30, height - 40
    plot_w = width - left - 10
    step = plot_w / len(days)
    bar = max(step * 0.8, 1)
    marks = []
    for n, day in enumerate(days):
        x = left + n * step + (step - bar) / 2
        y = height - bottom
        for name in series:
            value = table[day].get(name, 0)
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            marks.append(
                f'<rect class="mark" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{palette[name]}" data-chart="{_attr(chart)}" data-x="{_attr(day)}" '
                f'data-series="{_attr(name)}" data-value="{value}">'
                f"<title>{escape(day)} · {escape(name)}: {value}</title></rect>")
    labels = []
    every = max(1, len(days) // 10)
    for n, day in enumerate(days):
        if n % every == 0:
            x = left + n * step + step / 2
            labels.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">'
                          f"{escape(day)}</text>")
    axis = (f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
            f'y2="{height - bottom}" class="axis"/>'
            f'<text x="{left - 6}" y="{height - bottom - plot_h + 4}" text-anchor="end">{top}'
            f'</text><text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>')
    svg = (f'<svg class="chart" data-chart="{_attr(chart)}" viewBox="0 0 {width} {height}" '
           f'role="img" xmlns="http://www.w3.org/2000/svg">{axis}{"".join(marks)}'
           f'{"".join(labels)}</svg>')
    return svg + legend(series, palette)


def horizontal_bars(rows: list[tuple[str, int]], chart: str, *, width: int = 960) -> str:
    """One labelled bar per row, longest first."""
    if not rows:
        return '<p class="empty">Nothing to show.</p>'
    top = max(n for _, n in rows) or 1
    label_w, row_h = 260, 22
    height = row_h * len(rows) + 10
    marks = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        w = (width - label_w - 60) * value / top
        marks.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label[:40])}</text>'
            f'<rect class="mark" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{PALETTE[0]}" data-chart="{_attr(chart)}" data-x="{_attr(label)}" '
            f'data-value="{value}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{value}</text>')
    return (f'<svg class="chart" data-chart="{_attr(chart)}" viewBox="0 0 {width} {height}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">{"".join(marks)}</svg>')


def heatmap(columns: list[str], rows: list[str], values: dict[tuple[str, str], float],
            chart: str, *, cell: int = 46) -> str:
    """Percentages (0-100) as a grid: rows x columns, darker is higher."""
    if not columns or not rows:
        return '<p class="empty">Nothing to show.</p>'
    label_w, head_h = 150, 24
    width = label_w + cell * len(columns) + 10
    height = head_h + 20 * len(rows) + 10
    parts = [f'<text x="{label_w + cell * j + cell / 2}" y="16" text-anchor="middle">'
             f"{escape(c)}</text>" for j, c in enumerate(columns)]
    for i, row in enumerate(rows):
        y = head_h + i * 20
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
                     f"{escape(row)}</text>")
        for j, column in enumerate(columns):
            value = values.get((row, column))
            shade = 0.08 + 0.9 * (value or 0) / 100
            fill = f"rgba(78,121,167,{shade:.2f})" if value is not None else "#eee"
            shown = "–" if value is None else f"{value:g}"
            x = label_w + cell * j
            parts.append(
                f'<rect class="mark" x="{x}" y="{y}" width="{cell - 2}" height="18" '
                f'fill="{fill}" data-chart="{_attr(chart)}" data-x="{_attr(column)}" '
                f'data-series="{_attr(row)}" data-value="{"" if value is None else value}">'
                f"<title>{escape(column)} · {escape(row)}: {shown}%</title></rect>"
                f'<text x="{x + cell / 2 - 1}" y="{y + 13}" text-anchor="middle" '
                f'class="cell">{shown}</text>')
    return (f'<svg class="chart" data-chart="{_attr(chart)}" viewBox="0 0 {width} {height}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')
