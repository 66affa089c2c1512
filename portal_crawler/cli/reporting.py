"""`report`: a self-contained HTML report of the archive."""

from __future__ import annotations

import click

from .analysis import filter_options, make_filters, reading
from .app import DB_OPTION, main
from .exporting import output_file


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, allow_dash=True))
@DB_OPTION
@filter_options
@click.option("--title", help="The report's title [default: the archive's file name].")
def report(out: str, db: str | None, lang: tuple[str, ...], since: str | None,
           until: str | None, source: tuple[str, ...], section: tuple[str, ...],
           title: str | None) -> None:
    """Write a self-contained HTML report with charts: articles per day per edition and per
    source, field coverage per run, top sections. No script, no CDN: it opens offline.

    Example: portal-crawler report report.html --since 2023-09-01
    """
    from ..report import render_report

    filters = make_filters(lang, since, until, source, section)
    with reading(db) as archive:
        page = render_report(archive, filters, title)
        with output_file(out) as stream:
            stream.write(page.encode("utf-8"))
    if out != "-":
        click.echo(f"report written to {out}", err=True)
