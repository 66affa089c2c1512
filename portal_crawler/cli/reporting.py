"""`report`: a self-contained HTML report of the archive."""

from __future__ import annotations

import click

from ..exports.output import open_output
from .analysis import archive_files, filter_options, make_filters, one_line_errors, reading
from .app import DB_OPTION, main


@main.command()
@click.argument("out", metavar="OUT")
@DB_OPTION
@filter_options
@click.option("--title", help="The report's title [default: the archive's file name].")
def report(out: str, db: str | None, lang: tuple[str, ...], since: str | None,
           until: str | None, source: tuple[str, ...], section: tuple[str, ...],
           title: str | None) -> None:
    """Write a self-contained HTML report with charts: articles per day per edition and per
    source, field coverage per run, top sections. No script, no CDN: it opens offline.

    OUT is a file (replaced only once complete), - for standard output, or a device, FIFO
    or symlink, written through.

    Example: portal-crawler report report.html --since 2023-09-01
    """
    from ..report import render_report

    filters = make_filters(lang, since, until, source, section)
    with reading(db) as archive:
        page = render_report(archive, filters, title)
        with one_line_errors(), open_output(out, archive_files(archive)) as stream:
            stream.write(page.encode("utf-8"))
    if out != "-":
        click.echo(f"report written to {out}", err=True)
