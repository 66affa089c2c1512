"""`export`: stream a selection of the archive as JSON Lines, CSV, Parquet or WARC."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

import click

from ..archive import queries
from ..exports import (
    ARTICLE_WRITERS,
    FORMATS,
    PAGE_WRITERS,
    FormatConflict,
    format_for,
    warc_gzipped,
)
from ..exports.output import open_output
from .analysis import archive_files, filter_options, make_filters, one_line_errors, reading
from .app import DB_OPTION, BadArgument, main

T = TypeVar("T")


def progress(items: Iterable[T], total: int, unit: str) -> Iterator[T]:
    """A tqdm bar on stderr when it is a terminal; otherwise the items as they are."""
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)


@main.command()
@DB_OPTION
@click.option("--format", "format_", type=click.Choice(FORMATS), default=None,
              help="jsonl/csv/parquet: the articles (nested fields as JSON in CSV); "
                   "warc: the stored raw responses (gzipped records unless -o ends in .warc) "
                   "[default: from -o's extension (.jsonl .ndjson .csv .parquet .warc "
                   ".warc.gz; another is refused), jsonl when it has none].")
@click.option("-o", "--output", default="-", show_default=True, metavar="PATH",
              help="File to write, replaced only once complete; - for standard output (not "
                   "for parquet); a device, FIFO or symlink is written through.")
@filter_options
def export(db: str | None, format_: str | None, output: str, lang: tuple[str, ...],
           since: str | None, until: str | None, source: tuple[str, ...],
           section: tuple[str, ...]) -> None:
    """Stream the selected articles (or their raw pages) to a file, in constant memory.

    Example: portal-crawler export --lang id --since 2023-09-01 -o id.csv
    """
    try:
        format_ = format_for(output, format_)
    except FormatConflict as exc:
        raise BadArgument(str(exc)) from None
    filters = make_filters(lang, since, until, source, section)
    if format_ == "parquet" and output == "-":
        raise BadArgument("parquet needs a file: -o PATH")
    with reading(db) as archive:
        if format_ in PAGE_WRITERS:
            total = queries.count_pages(archive, filters)
            records: Iterable = progress(queries.iter_pages(archive, filters), total, "page")
            writer = functools.partial(PAGE_WRITERS[format_], gzip=warc_gzipped(output))
        else:
            total = queries.count_articles(archive, filters)
            records = progress(queries.iter_articles(archive, filters), total, "article")
            writer = functools.partial(ARTICLE_WRITERS[format_],
                                       links=archive.republication_links)
        with one_line_errors(), open_output(output, archive_files(archive)) as out:
            try:
                count = writer(records, out)
            except RuntimeError as exc:  # an optional package is missing
                raise click.ClickException(str(exc)) from None
            out.flush()
    if output != "-":
        unit = "pages" if format_ in PAGE_WRITERS else "articles"
        click.echo(f"exported {count} {unit} to {output}", err=True)
