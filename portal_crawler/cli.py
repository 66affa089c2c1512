"""The `portal-crawler` command: a thin layer over extract(), the crawl and the archive."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .archive.lock import ArchiveLocked
from .archive.store import DB_ENV, Archive, NotAnArchive, resolve_db_path

DB_OPTION = click.option(
    "--db", type=click.Path(dir_okay=False), envvar=DB_ENV, default=None,
    help="Archive file [default: $PORTAL_CRAWLER_DB or data/archive.db].",
)


@click.group()
@click.version_option(package_name="portal-crawler")
def main() -> None:
    """Crawl news portals with Scrapy into a SQLite archive researchers can trust."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The page's URL (else its canonical link, else the file's path).")
@click.option("--fetched-at", help="ISO 8601 instant of the fetch (clock for relative dates).")
def extract(files: tuple[str, ...], url: str | None, fetched_at: str | None) -> None:
    """Parse saved pages into Articles, one JSON line each.

    Example: portal-crawler extract page.html --url https://www.vietnam.vn/id/some-slug
    """
    from .extract import extract as extract_article
    from .extract import is_html

    failed = False
    for name in files:
        data = Path(name).read_bytes()
        if not is_html(data):
            click.echo(f"portal-crawler: {name}: not an HTML document", err=True)
            failed = True
            continue
        page_url = url or _canonical_link(data) or Path(name).resolve().as_uri()
        article = extract_article(data, page_url, fetched_at=fetched_at)
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
    if failed:
        sys.exit(1)


@main.command()
@click.argument("spider", default="vietnam_vn")
@DB_OPTION
@click.option("--lang", help="Editions, comma separated (e.g. id,en) [default: all].")
@click.option("--since", help="First day of publication, YYYY-MM-DD (inclusive).")
@click.option("--until", help="Last day of publication, YYYY-MM-DD (inclusive).")
@click.option("--replica", metavar="HOST:PORT",
              help="Offline mode: route every portal host to a replica on loopback.")
def crawl(spider: str, db: str | None, lang: str | None, since: str | None,
          until: str | None, replica: str | None) -> None:
    """Crawl a portal into the archive; exit 1 when the run failed.

    Example: portal-crawler crawl vietnam_vn --lang id,en --since 2023-09-01 --until 2023-09-30
    """
    from .crawl import run_crawl

    outcome = run_crawl(spider, db, replica=replica, lang=lang, since=since, until=until)
    click.echo(f"crawl {outcome}")
    sys.exit(0 if outcome in ("ok", "partial") else 1)


@main.command()
@DB_OPTION
def demo(db: str | None) -> None:
    """Serve the offline replica of www.vietnam.vn on 127.0.0.1 and crawl it into the archive.

    Example: portal-crawler demo --db /tmp/demo.db
    """
    from .crawl import run_crawl
    from .replica.server import ReplicaServer

    db_path = resolve_db_path(db)
    with ReplicaServer() as server:
        click.echo(f"replica of www.vietnam.vn serving on {server.base_url}")
        outcome = run_crawl("vietnam_vn", db_path, replica=f"127.0.0.1:{server.port}",
                            settings={"LOG_LEVEL": "WARNING"})
    click.echo(f"crawl {outcome}; archive {db_path}")
    print_summary(db_path)
    sys.exit(0 if outcome == "ok" else 1)


def print_summary(db_path: Path) -> None:
    try:
        archive = Archive.open_reader(db_path)
    except (NotAnArchive, ArchiveLocked) as exc:
        raise click.ClickException(str(exc)) from None
    with archive:
        rows = list(archive.db.query(
            "select id, language, date_published, source, headline from articles "
            "order by published_utc, language"))
        counts = {t: archive.count(t) for t in ("articles", "images", "links", "pages",
                                                 "failures")}
    click.echo(", ".join(f"{n} {t}" for t, n in counts.items()))
    for row in rows:
        click.echo(f"{row['id']}  {row['language']:<5} {row['date_published'] or '-':<10}  "
                   f"{(row['source'] or '-')[:16]:<16}  {row['headline'][:70]}")


def _canonical_link(data: bytes) -> str | None:
    """A saved page's own URL, so that `extract page.html` picks the portal's parser."""
    from parsel import Selector

    try:
        href = Selector(body=data, type="html").css('link[rel="canonical"]::attr(href)').get()
    except Exception:
        return None
    return href.strip() if href and href.strip().startswith("http") else None
