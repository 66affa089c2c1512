"""`search`, `show`, `stats`, `runs`: read the archive (read-only, never migrated).

Also the pieces the other analysts' commands share: opening the archive with one-line errors,
the selection options, and plain-text tables.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..archive import queries
from ..archive.lock import ArchiveLocked
from ..archive.schema import SchemaTooNew
from ..archive.store import Archive, NotAnArchive
from ..discovery.arguments import ArgumentError, parse_languages
from ..exports.output import OutputError, OutputIsInput
from ..portals import PORTALS
from .app import DB_OPTION, BadArgument, main

EXPECTED_ERRORS = (NotAnArchive, SchemaTooNew, ArchiveLocked, queries.QueryError)


# -- shared by the analysts' commands --------------------------------------------------------
@contextmanager
def one_line_errors() -> Iterator[None]:
    """Bad input ends in a one-line message and exit status 1, never a traceback."""
    try:
        yield
    except OutputIsInput as exc:  # `-o` names the archive: the user's wrong argument
        raise BadArgument(str(exc)) from None
    except (*EXPECTED_ERRORS, OutputError) as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"cannot read the archive: {exc}") from None
    except BrokenPipeError:
        raise  # `| head`: the command group ends quietly (app.OneLineUsage)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise click.ClickException(f"{where}{exc.strerror or exc}") from None


def archive_files(archive: Archive) -> list[Path]:
    """The files an output must never be: the archive and those SQLite and the lock keep
    beside it."""
    return [archive.path, *(Path(f"{archive.path}{suffix}")
                            for suffix in ("-wal", "-shm", "-journal", ".lock"))]


@contextmanager
def reading(db: str | None) -> Iterator[Archive]:
    """The archive opened read-only: no lock, no migration, no write."""
    with one_line_errors():
        archive = Archive.open_reader(db)
        try:
            with archive.snapshot():  # one consistent state, even while a crawl writes
                yield archive
        finally:
            archive.close()


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--lang/--since/--until/--source/--section, turned into `filters` for the command."""
    options = [
        click.option("--lang", multiple=True, metavar="L[,L]",
                     help="Editions, e.g. id or zh-cn,th (repeatable)."),
        click.option("--since", metavar="DATE",
                     help="Published on or after this day (YYYY-MM-DD, portal's zone) or "
                          "ISO 8601 instant."),
        click.option("--until", metavar="DATE",
                     help="Published on or before this day (YYYY-MM-DD, the whole day) or "
                          "before this ISO 8601 instant."),
        click.option("--source", multiple=True,
                     help="Credited publication containing this text (repeatable)."),
        click.option("--section", multiple=True,
                     help="Section containing this text (repeatable)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_filters(lang: Sequence[str], since: str | None, until: str | None,
                 source: Sequence[str], section: Sequence[str]) -> queries.Filters:
    """The selection, or BadArgument (exit 2) naming the wrong option."""
    check_languages(lang)
    try:
        return queries.Filters.parse(lang=tuple(lang), since=since, until=until,
                                     source=tuple(source), section=tuple(section))
    except queries.BadFilter as exc:
        raise BadArgument(str(exc)) from None


def check_languages(values: Sequence[str]) -> None:
    """Editions checked as `crawl` checks them: a value no portal has is a bad argument, not
    an empty answer."""
    joined = ",".join(values)
    if not joined:
        return
    problems = []
    for portal in PORTALS.values():
        try:
            parse_languages(portal, joined)
            return
        except ArgumentError as exc:
            problems.append(str(exc))
    raise BadArgument("; ".join(problems))


def echo_table(rows: Sequence[Sequence[Any]], headers: Sequence[str],
               widths: Sequence[int | None] | None = None) -> None:
    """Columns padded to their widest cell (or cut at `widths`)."""
    cells = [[_cell(v) for v in row] for row in rows]
    limits = list(widths or [None] * len(headers))
    sizes = []
    for n, header in enumerate(headers):
        size = max([len(header), *(len(r[n]) for r in cells)])
        sizes.append(min(size, limits[n]) if limits[n] else size)
    def line(values: Sequence[str]) -> str:
        out = []
        for n, value in enumerate(values):
            if len(value) > sizes[n]:
                value = value[: sizes[n] - 1] + "…"
            out.append(value.ljust(sizes[n]) if n < len(values) - 1 else value)
        return "  ".join(out).rstrip()
    click.echo(line(list(headers)))
    click.echo(line(["-" * s for s in sizes]))
    for row in cells:
        click.echo(line(row))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    click.echo(buffer.getvalue(), nl=False)


FORMAT = click.Choice(["table", "json", "csv"])


# -- search ----------------------------------------------------------------------------------
@main.command()
@click.argument("query")
@DB_OPTION
@filter_options
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most this many results.")
@click.option("--format", "format_", type=FORMAT, default="table", show_default=True,
              help="Output format.")
def search(query: str, db: str | None, lang: tuple[str, ...], since: str | None,
           until: str | None, source: tuple[str, ...], section: tuple[str, ...], limit: int,
           format_: str) -> None:
    """Full-text search over headlines, leads, bodies and captions, best match first.

    Accents and đ are folded ("duong" finds "Đường"); Chinese, Japanese and Thai words are found
    inside unspaced text. "Quoted phrases", prefix*, AND, OR, NOT and NEAR work as in SQLite
    FTS5. Matches are marked [like this] in the snippet.

    Example: portal-crawler search '"kerja sama" pertahanan' --lang id --since 2023-09-01
    """
    filters = make_filters(lang, since, until, source, section)
    with reading(db) as archive:
        try:
            results = queries.search(archive, query, filters, limit)
        except queries.BadQuery as exc:  # an empty or malformed query: the user's argument
            raise BadArgument(str(exc)) from None
        if format_ == "json":
            echo_json(results)
        elif format_ == "csv":
            echo_csv(results, ["id", "language", "date_published", "source", "section",
                               "headline", "url", "rank", "snippet"])
        else:
            _echo_results(results)


def _echo_results(results: list[dict[str, Any]]) -> None:
    if not results:
        click.echo("no articles found", err=True)
        return
    bold = sys.stdout.isatty()
    for row in results:
        date = (row["date_published"] or "-")[:10]
        click.echo(f"{row['id']}  {row['language']:<5} {date:<10}  "
                   f"{(row['source'] or '-')[:20]:<20}  {row['headline']}")
        text = row["snippet"]
        if bold:
            text = text.replace("[", "\x1b[1m").replace("]", "\x1b[0m")
        click.echo(f"    {text}")


# -- show ------------------------------------------------------------------------------------
@main.command()
@click.argument("article")
@DB_OPTION
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--full", is_flag=True, help="The whole body, not its first paragraphs.")
def show(article: str, db: str | None, format_: str, full: bool) -> None:
    """One article by id or URL: images and captions, links by relation, translations,
    authors, source, the original it republishes or its republications on other portals,
    and its earlier versions with what changed.

    Example: portal-crawler show https://www.vietnam.vn/id/some-slug
    """
    with reading(db) as archive:
        record = queries.article_record(archive, queries.resolve_article(archive, article))
    if format_ == "json":
        echo_json(record)
    else:
        _echo_article(record, full)


def _echo_article(record: dict[str, Any], full: bool) -> None:
    a, state = record["article"], record["archive"]
    click.echo(click.style(a["headline"], bold=True))
    click.echo(f"{a['id']} · {a['portal']} · {a['language']} · {state['status']} · "
               f"version {state['version']}")
    lines = [
        ("URL", a["url"]),
        ("Published", " ".join(x for x in (a["date_published"] or "-",
                                           f"({a['date_published_raw']})"
                                           if a["date_published_raw"] else "") if x)),
        ("Modified", a["date_modified"]),
        ("Source", " ".join(x for x in (a["source"], a["source_url"]) if x) or None),
        ("Authors", ", ".join(a["authors"]) or None),
        ("Section", a["section"]),
        ("Breadcrumbs", " › ".join(a["breadcrumbs"]) or None),
        ("Tags", ", ".join(a["tags"]) or None),
        ("Fetched", f"{a['fetched_at']} by {a['parser']}"),
        ("Seen", f"{state['first_seen']} … {state['last_seen']}"),
        ("Messages", "; ".join(a["messages"]) or None),
    ]
    for label, value in lines:
        if value:
            click.echo(f"{label + ':':<13}{value}")
    # The lead is the body's first paragraph: shown once, with the body.
    paragraphs = a["body"].split("\n\n")
    shown = paragraphs if full else paragraphs[:3]
    click.echo("\n" + "\n\n".join(shown))
    if len(shown) < len(paragraphs):
        click.echo(f"[… {len(paragraphs) - len(shown)} more paragraphs; --full shows them]")
    if a["images"]:
        click.echo(f"\nImages ({len(a['images'])}):")
        for n, image in enumerate(a["images"], 1):
            click.echo(f"  {n}. {image['url']}")
            caption = " — ".join(x for x in (image["caption"], image["credit"]) if x)
            if caption:
                click.echo(f"     {caption}")
    if a["related_links"]:
        click.echo(f"\nLinks ({len(a['related_links'])}):")
        by_relation: dict[str, list[dict]] = {}
        for link in a["related_links"]:
            by_relation.setdefault(link["relation"], []).append(link)
        for relation, links in by_relation.items():
            click.echo(f"  {relation}:")
            for link in links:
                click.echo(f"    {link['text'] or '-'} <{link['url']}>")
    if a["translations"]:
        archived = {e["language"]: e["id"] for e in record["editions_archived"]}
        click.echo("\nTranslations:")
        for language, url in sorted(a["translations"].items()):
            note = f"  (archived: {archived[language]})" if language in archived else ""
            click.echo(f"  {language:<6}{url}{note}")
    if record.get("republished_from"):
        original = record["republished_from"]
        click.echo("\nRepublished from (the original, archived):")
        click.echo(f"  {original['id']}  {original['portal']} · {original['language']} · "
                   f"{original['date_published'] or '-'}")
        click.echo(f"  {original['url']}")
    if record.get("republished_as"):
        click.echo(f"\nRepublished as ({len(record['republished_as'])}, archived):")
        for copy in record["republished_as"]:
            click.echo(f"  {copy['id']}  {copy['portal']} · {copy['language']} · "
                       f"{copy['date_published'] or '-'}")
            click.echo(f"  {copy['url']}")
    if record["aliases"]:
        click.echo("\nAlso published at:")
        for url in record["aliases"]:
            click.echo(f"  {url}")
    if record["versions"]:
        click.echo("\nEarlier versions:")
        for version in record["versions"]:
            click.echo(f"  v{version['version']} replaced {version['replaced_at']}: changed "
                       f"{', '.join(version['changed_fields']) or '-'}")


# -- stats -----------------------------------------------------------------------------------
@main.command()
@DB_OPTION
@filter_options
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True,
              help="Sources and sections listed.")
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
def stats(db: str | None, lang: tuple[str, ...], since: str | None, until: str | None,
          source: tuple[str, ...], section: tuple[str, ...], top: int, format_: str) -> None:
    """Articles by portal, edition, source, section and day; field coverage.

    Example: portal-crawler stats --lang vi --since 2023-09-01 --until 2023-09-30
    """
    filters = make_filters(lang, since, until, source, section)
    with reading(db) as archive:
        result = queries.stats(archive, filters, top)
    if format_ == "json":
        echo_json(result)
        return
    click.echo(f"{result['articles']} articles")
    for name in ("portal", "language", "source", "section", "day", "status"):
        click.echo(f"\nby {name}:")
        for value, n in result[name].items():
            click.echo(f"  {n:>7}  {value}")
    click.echo("\nfield coverage (% of articles with a value):")
    for name, share in result["coverage"].items():
        click.echo(f"  {share:>6.1f}%  {name}")
    click.echo("\ntables: " + ", ".join(f"{t} {n}" for t, n in result["tables"].items()))


# -- runs ------------------------------------------------------------------------------------
@main.command()
@DB_OPTION
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="The most recent runs, at most this many.")
@click.option("--format", "format_", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format (json includes Scrapy's stats).")
def runs(db: str | None, limit: int, format_: str) -> None:
    """Crawl runs, newest first: arguments, counts and outcome.

    Example: portal-crawler runs --limit 5
    """
    with reading(db) as archive:
        rows = queries.runs(archive, limit, full=format_ == "json")
        for row in rows:
            row["failures"] = queries.run_failures(archive, row["id"])
    if format_ == "json":
        echo_json(rows)
        return
    table = []
    for row in rows:
        arguments = " ".join(f"{k}={v}" for k, v in row["arguments"].items() if v is not None)
        counts = " ".join(f"{k}={v}" for k, v in sorted(row["counts"].items()))
        table.append([row["id"], row["spider"], row["started_at"], row["finished_at"],
                      row["outcome"], counts or None, row["failures"], arguments or None])
    echo_table(table, ["id", "spider", "started", "finished", "outcome", "counts",
                       "failures", "arguments"], [None, 14, None, None, None, 40, None, 60])
