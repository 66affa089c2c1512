"""`crawl` and `demo`: run the real Scrapy engine into the archive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..archive.lock import ArchiveLocked
from ..archive.store import Archive, NotAnArchive, resolve_db_path
from .app import DB_OPTION, main


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
    from ..crawl import run_crawl

    outcome = run_crawl(spider, db, replica=replica, lang=lang, since=since, until=until)
    click.echo(f"crawl {outcome}")
    sys.exit(0 if outcome in ("ok", "partial") else 1)


@main.command()
@DB_OPTION
def demo(db: str | None) -> None:
    """Serve the offline replica of www.vietnam.vn on 127.0.0.1 and crawl it into the archive.

    Example: portal-crawler demo --db /tmp/demo.db
    """
    from ..crawl import run_crawl
    from ..replica.server import ReplicaServer

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

