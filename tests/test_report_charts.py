"""The report's charts: days on a time axis, and charts drawn at the size they are shown.

Oracles: calendar arithmetic (bar positions against the days between dates) and the SVG
specification (a `viewBox` as wide as the `width` draws text at its own size)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from portal_crawler.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    return ET.fromstring(html[html.index("<svg"):html.index("</svg>") + len("</svg>")])


def bar_centre(root: ET.Element, gid: str) -> float:
    group = root.find(f".//{SVG}g[@id='{gid}']")
    assert group is not None, gid
    xs = [float(x) for x in re.findall(r"[ML] ([\d.]+) ", group.find(f"{SVG}path").get("d"))]
    return (min(xs) + max(xs)) / 2


def test_days_sit_on_a_time_axis():
    """2023-09-16 is one day from 2023-09-17 and 148 days from 2024-02-11 (issue 11)."""
    days = ["2023-09-16", "2023-09-17", "2024-02-11"]
    root = svg_of(charts.stacked_bars({days[0]: {"vi": 2}, days[1]: {"vi": 1, "en": 4},
                                       days[2]: {"en": 3}}, "t"))
    x = [bar_centre(root, gid) for gid in ("t/2023-09-16/vi", "t/2023-09-17/vi",
                                           "t/2024-02-11/en")]
    assert bar_centre(root, "t/2023-09-17/en") == pytest.approx(x[1])  # stacked, same day
    gaps = [(date.fromisoformat(d) - date.fromisoformat(days[0])).days for d in days]
    assert (x[2] - x[0]) / (x[1] - x[0]) == pytest.approx(gaps[2] / gaps[1], rel=0.01)


def stated_size(root: ET.Element) -> tuple[float, float, list[float]]:
    """width and height in px (1 pt = 4/3 px) and the viewBox."""
    def px(value: str) -> float:
        number = float(re.match(r"[\d.]+", value).group())
        return number * 4 / 3 if value.endswith("pt") else number
    box = [float(v) for v in root.get("viewBox").split()]
    return px(root.get("width")), px(root.get("height")), box


@pytest.mark.parametrize("runs", [1, 3, 30])
def test_the_coverage_grid_is_drawn_at_its_size(runs):
    """Not stretched to the page: text at its own size whatever the number of runs."""
    columns = [f"#{n}" for n in range(1, runs + 1)]
    fields = ["headline", "lead", "body", "date_published", "authors", "images"]
    values = {(f, c): 50.0 for f in fields for c in columns}
    root = svg_of(charts.heatmap(columns, fields, values, "coverage-per-run"))
    width, height, box = stated_size(root)
    assert width <= 1000  # the page's column: shown at its own size, never scaled up
    # The viewBox has the stated aspect, in points: 1 unit is 1 pt, so text is as set.
    assert box[2] * 4 / 3 == pytest.approx(width) and box[3] * 4 / 3 == pytest.approx(height)
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", ET.tostring(root, "unicode"))]
    assert sizes and max(sizes) <= 10
    # About 0.22 in (16 pt) a row, not the page's width shared among six rows.
    assert box[3] / len(fields) < 30
