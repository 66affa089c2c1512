"""`report`: a self-contained HTML page whose charts carry the archive's numbers."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from click.testing import CliRunner

from portal_crawler.archive.store import Archive
from portal_crawler.cli import main


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str]] = []
        self.marks: list[dict[str, str]] = []
        self.styles: list[str] = []
        self._table: str | None = None
        self._style = False
        self.figures: dict[str, str] = {}
        self.external: list[str] = []
        self._figure: str | None = None

    def handle_starttag(self, tag, attrs):
        data = dict(attrs)
        if tag == "svg":
            self.svgs.append(data)
        if tag == "table":
            self._table = data.get("data-chart")
        if tag == "tr" and self._table and "data-value" in data:
            self.marks.append({**data, "data-chart": self._table})
        self._style = tag == "style"
        if tag in ("script", "link", "img", "iframe") or (
                tag != "svg" and (data.get("src") or "").startswith("http")):
            self.external.append(tag)
        self._figure = data.get("data-figure")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._style:
            self.styles.append(data)
            self._style = False
        if self._figure:
            self.figures[self._figure] = data.strip()
            self._figure = None


def test_report_renders_charts_with_the_archives_numbers(crawled_archive, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(out), "--db", str(crawled_archive)])
    assert result.exit_code == 0, result.stderr
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert {"per-day-edition", "per-day-source", "coverage-per-run", "top-sections",
            "coverage"} <= {svg["data-chart"] for svg in page.svgs}
    assert page.external == []
    with Archive.open_reader(crawled_archive) as archive:
        articles = list(archive.iter_articles())
    assert page.figures["articles"] == str(len(articles))
    per_edition = Counter()
    for mark in page.marks:
        if mark["data-chart"] == "per-day-edition":
            per_edition[(mark["data-x"], mark["data-series"])] += int(mark["data-value"])
    expected = Counter((a.date_published[:10], a.language) for a in articles
                       if a.date_published)
    assert per_edition == expected
    per_source = sum(int(m["data-value"]) for m in page.marks
                     if m["data-chart"] == "per-day-source")
    assert per_source == sum(1 for a in articles if a.date_published)
    coverage = {m["data-series"]: m["data-value"] for m in page.marks
                if m["data-chart"] == "coverage-per-run"}
    assert coverage["headline"] == "100.0"


def test_report_charts_are_shown_at_their_own_size(crawled_archive, tmp_path):
    """Issue 11: the coverage grid was stretched 3-5x by `width:100%`. A chart's width and
    height (pt) match its viewBox, it fits the page's 1000 px column, and no rule scales an SVG
    up to the column's width."""
    out = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["report", str(out), "--db",
                                     str(crawled_archive)]).exit_code == 0
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert "max-width:1000px" in "".join(page.styles)
    for rule in re.findall(r"svg[^{]*\{([^}]*)\}", "".join(page.styles)):
        assert not re.search(r"(?<!max-)width:", rule), rule
    for svg in page.svgs:
        width, height = (float(svg[k].removesuffix("pt")) for k in ("width", "height"))
        assert svg["width"].endswith("pt") and svg["viewbox"] == f"0 0 {svg['width'][:-2]} " \
            f"{svg['height'][:-2]}"
        assert width * 4 / 3 <= 1000 and height * 4 / 3 <= 1000, svg["data-chart"]


def test_report_to_an_unwritable_place(crawled_archive, tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path / "no" / "r.html"),
                                       "--db", str(crawled_archive)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
