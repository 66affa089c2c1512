"""A self-contained HTML report of an archive: figures and inline SVG charts (drawn by
matplotlib), no script, no CDN.

`render_report(archive)` returns the page; `portal-crawler report OUT.html` writes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from ..archive import queries
from ..archive.store import Archive
from . import charts

__all__ = ["render_report"]

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#222}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table.figures{border-collapse:collapse}table.figures td,table.figures th{padding:2px 12px;
text-align:left}table.figures td.n{text-align:right;font-variant-numeric:tabular-nums}
svg.chart{display:block;max-width:100%;height:auto}details{margin:.2rem 0 1rem;color:#555}
table.numbers{border-collapse:collapse;font-size:12px}table.numbers td{padding:0 10px}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.empty{color:#777}footer{margin-top:2rem;color:#777;font-size:12px}
"""


def _figures(summary: dict) -> str:
    rows = [
        ("articles", summary["articles"]),
        ("editions", len(summary["language"])),
        ("sources", summary["sources"]),
        ("sections", summary["sections"]),
        ("days with articles", len([d for d in summary["day"] if d != "(none)"])),
        ("articles without a date", summary["day"].get("(none)", 0)),
        ("withdrawn articles", summary["status"].get("withdrawn", 0)),
        ("earlier versions", summary["tables"]["article_versions"]),
        ("images", summary["tables"]["images"]),
        ("raw pages", summary["tables"]["pages"]),
        ("crawl runs", summary["tables"]["crawl_runs"]),
        ("failures", summary["tables"]["failures"]),
    ]
    cells = "".join(f'<tr><th>{escape(label)}</th><td class="n" data-figure="{escape(label)}">'
                    f"{value}</td></tr>" for label, value in rows)
    return f'<table class="figures">{cells}</table>'


def render_report(archive: Archive, filters: queries.Filters | None = None,
                  title: str | None = None) -> str:
    filters = filters or queries.Filters()
    summary = queries.stats(archive, filters, top=15)
    summary["sources"] = len(queries.counts_by(archive, "a.source", filters))
    summary["sections"] = len(queries.counts_by(archive, "a.section", filters))
    by_edition = queries.per_day(archive, "language", filters)
    by_source = queries.per_day(archive, "source", filters, top=8)
    runs = list(reversed(queries.runs(archive, limit=30)))
    fields = list(queries.COVERAGE_FIELDS)
    coverage = {(name, f"#{run['id']}"): run["coverage"][name]
                for run in runs for name in fields if name in run["coverage"]}
    sections = [(s, n) for s, n in queries.counts_by(archive, "a.section", filters, 15)]
    title = title or f"portal-crawler archive {archive.path.name}"
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(str(archive.path))} · generated {generated}</p>",
        "<h2>Figures</h2>", _figures(summary),
        "<h2>Articles per day per edition</h2>",
        charts.stacked_bars(by_edition, "per-day-edition"),
        "<h2>Articles per day per source</h2>",
        charts.stacked_bars(by_source, "per-day-source"),
        "<h2>Field coverage per crawl run (% of the run's articles)</h2>",
        charts.heatmap([f"#{run['id']}" for run in runs], fields, coverage, "coverage-per-run"),
        "<h2>Field coverage of the archive (% of articles)</h2>",
        charts.horizontal_bars([(k, round(v, 1)) for k, v in summary["coverage"].items()],
                               "coverage", "% of articles"),
        "<h2>Top sections</h2>",
        charts.horizontal_bars(sections, "top-sections", "articles"),
        "<footer>Made by portal-crawler report; self-contained, no scripts.</footer>",
    ]
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
