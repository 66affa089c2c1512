"""`export`: stream a selection of the archive as JSON Lines, CSV, Parquet or WARC."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

import click

from ..archive import queries
from ..exports import ARTICLE_WRITERS, FORMATS, PAGE_WRITERS
from .analysis import filter_options, make_filters, one_line_errors, reading
from .app import DB_OPTION, main

T = TypeVar("T")


def progress(items: Iterable[T], total: int, unit: str) -> Iterator[T]:
    """A tqdm bar on stderr when it is a terminal; otherwise the items as they are."""
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)


@contextmanager
def output_file(path: str) -> Iterator[BinaryIO]:
    """stdout for "-"; else a temporary file beside the target, renamed into place at the end,
    so a failed export never leaves half a file under the target's name."""
    if path == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        return
    target = Path(path)
    if target.is_dir():
        raise click.ClickException(f"{target}: is a directory")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                         dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@main.command()
@DB_OPTION
@click.option("--format", "format_", type=click.Choice(FORMATS), default="jsonl",
              show_default=True,
              help="jsonl/csv/parquet: the articles (nested fields as JSON in CSV); "
                   "warc: the stored raw responses.")
@click.option("-o", "--output", default="-", show_default=True, metavar="PATH",
              help="File to write; - for standard output (not for parquet).")
@filter_options
def export(db: str | None, format_: str, output: str, lang: tuple[str, ...], since: str | None,
           until: str | None, source: tuple[str, ...], section: tuple[str, ...]) -> None:
    """Stream the selected articles (or their raw pages) to a file, in constant memory.

    Example: portal-crawler export --format csv --lang id --since 2023-09-01 -o id.csv
    """
    filters = make_filters(lang, since, until, source, section)
    if format_ == "parquet" and output == "-":
        raise click.UsageError("parquet needs a file: -o PATH")
    with reading(db) as archive:
        if format_ in PAGE_WRITERS:
            total = queries.count_pages(archive, filters)
            records: Iterable = progress(queries.iter_pages(archive, filters), total, "page")
            writer = PAGE_WRITERS[format_]
        else:
            total = queries.count_articles(archive, filters)
            records = progress(queries.iter_articles(archive, filters), total, "article")
            writer = ARTICLE_WRITERS[format_]
        with one_line_errors(), output_file(output) as out:
            try:
                count = writer(records, out)
            except RuntimeError as exc:  # an optional package is missing
                raise click.ClickException(str(exc)) from None
            out.flush()
    if output != "-":
        unit = "pages" if format_ in PAGE_WRITERS else "articles"
        click.echo(f"exported {count} {unit} to {output}", err=True)
