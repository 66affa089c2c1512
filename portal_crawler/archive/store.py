"""The archive: opening (one locked writer, read-only readers), runs, pages, failures, marks.

The archive package is the only place with SQL; the identity rules live in article_writer.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from ..article import Article
from ..clock import now_iso
from ..identity import article_id, canonical_url
from ..items import FetchFailure, RawPage
from .article_writer import SEEN, save_articles
from .lock import WriterLock
from .ownership import NotAnArchive, check_file, open_for_reading
from .page_codec import PageCodec
from .republications import SourceLink
from .republications import link as link_sources
from .rows import dumps, row_to_article
from .schema import SCHEMA_VERSION, SchemaTooNew, migrate, schema_version
from .search_text import fts_query

__all__ = ["DB_ENV", "DEFAULT_DB", "Archive", "NotAnArchive", "PageState", "resolve_db_path"]

DEFAULT_DB = "data/archive.db"
DB_ENV = "PORTAL_CRAWLER_DB"

@dataclass(frozen=True)
class PageState:
    fetched_at: str | None
    published_utc: str | None
    etag: str | None
    last_modified: str | None
    sitemap_lastmod: str | None = None


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db, else $PORTAL_CRAWLER_DB, else data/archive.db: scrapyd and cron run elsewhere."""
    return Path(explicit or os.environ.get(DB_ENV) or DEFAULT_DB)


class Archive:
    """A SQLite archive opened for writing (with the writer lock) or read-only."""

    def __init__(self, db: sqlite_utils.Database, path: Path, lock: WriterLock | None) -> None:
        self.db = db
        self.path = path
        self._lock = lock
        self.codec = PageCodec(db.conn)
        # Called inside every article transaction just before it commits (kill-point tests).
        self.before_commit: Callable[[], None] | None = None

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open_writer(cls, path: str | os.PathLike[str] | None = None, purpose: str = "") -> Archive:
        """Take the lock, then migrate: only a writer ever changes the schema. A file that is
        not an archive of ours is refused before anything is written (ownership.py)."""
        db_path = resolve_db_path(path)
        check_file(db_path)
        lock = WriterLock(db_path)
        lock.acquire(purpose)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
            db = sqlite_utils.Database(conn)
            db.enable_wal()
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            migrate(db)
            archive = cls(db, db_path, lock)
            archive.mark_killed_runs()
        except BaseException:
            lock.release()
            raise
        return archive

    @classmethod
    def open_reader(cls, path: str | os.PathLike[str] | None = None) -> Archive:
        """Read-only: never creates, locks or migrates the file; on read-only media too."""
        db_path = resolve_db_path(path)
        db = sqlite_utils.Database(open_for_reading(db_path))
        version = schema_version(db)
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"archive schema v{version} is newer than this portal-crawler "
                f"(v{SCHEMA_VERSION}); upgrade portal-crawler"
            )
        return cls(db, db_path, None)

    @contextmanager
    def snapshot(self) -> Iterator[Archive]:
        """Reads that see one state of the archive: a crawl may commit between two statements,
        and WAL gives a reader one consistent snapshot only inside a transaction."""
        if self.db.conn.in_transaction:
            yield self
            return
        self.db.conn.execute("BEGIN")
        try:
            yield self
        finally:
            self.db.conn.execute("COMMIT")

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def save_articles(self, articles: Iterable[Article], *, seen: bool = True,
                      at: str | None = None) -> list[str]:
        """Store a batch in one transaction under the identity rules; returns new / updated /
        unchanged / alias per article (article_writer.py). `seen=False` for re-parsing."""
        return save_articles(self.db.conn, list(articles), seen=seen, at=at,
                             before_commit=self.before_commit)

    def link_sources(self, links: Iterable[SourceLink], at: str) -> list[SourceLink]:
        """Followed sources linked to the republications that credited them; returns those
        whose articles are not both archived yet (republications.py)."""
        with self.db.atomic():
            return link_sources(self.db.conn, links, at)

    def republication_links(self, id_: str) -> tuple[str | None, list[str]]:
        """(the original's canonical URL, the republications' canonical URLs) of an article:
        its `republished_from` and `republished_as`. An archive not yet migrated (read-only
        readers never migrate) has no links."""
        if not self.db["republications"].exists():
            return None, []
        row = self.db.execute(
            "select o.canonical_url from republications r join articles o "
            "on o.id = r.original_id where r.republication_id = ?", [id_]).fetchone()
        copies = [r[0] for r in self.db.execute(
            "select a.canonical_url from republications r join articles a "
            "on a.id = r.republication_id where r.original_id = ? order by a.canonical_url",
            [id_])]
        return (row[0] if row else None), copies

    def mark_seen(self, url: str, at: str) -> bool:
        """A 304 on revisit: the article is unchanged, only when it was last seen moves."""
        with self.db.atomic():
            cursor = self.db.execute(SEEN, [at, article_id(canonical_url(url))])
        return cursor.rowcount > 0

    def page_state(self, url: str) -> PageState | None:
        """What the archive knows of a URL, for incremental and conditional requests."""
        canonical = canonical_url(url)
        row = self.db.execute(
            # An article counts as archived only with its row (or as an alias of one): a page
            # stored without it is fetched again, unconditionally.
            "select p.headers, p.fetched_at, coalesce(a.published_utc, b.published_utc), "
            "p.sitemap_lastmod from pages p "
            "left join articles a on a.id = p.id "
            "left join aliases al on al.canonical_url = ? "
            "left join articles b on b.id = al.article_id "
            "where (p.id = ? or p.request_url = ?) and p.status = 200 "
            "and coalesce(a.id, b.id) is not null limit 1",
            [canonical, article_id(canonical), url],
        ).fetchone()
        if row is None:
            return None
        headers = {k.lower(): v[0] for k, v in json.loads(row[0] or "{}").items() if v}
        return PageState(fetched_at=row[1], published_utc=row[2], etag=headers.get("etag"),
                         last_modified=headers.get("last-modified"), sitemap_lastmod=row[3])

    def sitemap_marks(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self.db.execute("select url, lastmod from sitemap_marks")}

    def save_sitemap_marks(self, marks: dict[str, str], run_id: int | None) -> None:
        with self.db.atomic():
            self.db["sitemap_marks"].upsert_all(
                ({"url": url, "lastmod": lastmod, "run_id": run_id, "recorded_at": now_iso()}
                 for url, lastmod in marks.items()),
                pk="url",
            )

    def recent_runs(self, job: str, outcome: str = "ok", limit: int = 5,
                    before: int | None = None) -> list[dict[str, Any]]:
        """The job's last runs with this outcome, newest first (alarms compare against them)."""
        return list(self.db.query(
            "select id, coverage, yield_pct, stats from crawl_runs "
            "where job = ? and outcome = ? and id < ? order by id desc limit ?",
            [job, outcome, before if before is not None else 2**62, limit],
        ))

    def mark_killed_runs(self) -> int:
        """Runs still `running` while we hold the lock were killed: their process is gone."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update crawl_runs set outcome = 'killed', finished_at = ? "
                "where outcome = 'running'", [now_iso()])
        return cursor.rowcount

    def mark_withdrawn(self, url: str, at: str) -> bool:
        """A 404/410 for an archived article withdraws it (never deletes it); True when the
        URL is an archived article, withdrawn already or now, keeping the first date."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update articles set status = 'withdrawn', withdrawn_at = coalesce("
                "withdrawn_at, ?) where id = ?",
                [at, article_id(canonical_url(url))],
            )
        return cursor.rowcount > 0

    def save_pages(self, pages: Iterable[RawPage], run_id: int | None = None) -> None:
        pages = list(pages)
        with self.db.atomic():
            dict_id, bodies = self.codec.compress([page.body for page in pages])
            self.db["pages"].upsert_all(
                ({"id": article_id(canonical_url(page.url)), "url": page.url,
                  "request_url": page.request_url, "status": page.status,
                  "headers": dumps(page.headers), "body_zstd": body, "dict_id": dict_id,
                  "encoding": page.encoding, "fetched_at": page.fetched_at,
                  "redirect_urls": dumps(page.redirect_urls),
                  "sitemap_lastmod": page.sitemap_lastmod, "run_id": run_id}
                 for page, body in zip(pages, bodies, strict=True)),
                pk="id",
            )

    def save_failures(self, failures: Iterable[FetchFailure], run_id: int | None) -> None:
        rows = (
            {"run_id": run_id, "url": f.url, "kind": f.kind, "reason": f.reason,
             "status": f.status, "at": f.at or now_iso()}
            for f in failures
        )
        with self.db.atomic():
            self.db["failures"].insert_all(rows, pk="id")

    def start_run(self, spider: str, job: str, arguments: dict[str, Any],
                  settings: dict[str, Any]) -> int:
        with self.db.atomic():
            table = self.db["crawl_runs"].insert(
                {"spider": spider, "job": job, "arguments": dumps(arguments),
                 "settings": dumps(settings), "started_at": now_iso(), "outcome": "running",
                 "pid": os.getpid()},
                pk="id",
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def finish_run(self, run_id: int, **fields: Any) -> None:
        row = {k: (dumps(v) if isinstance(v, dict | list) else v) for k, v in fields.items()}
        row["finished_at"] = now_iso()
        with self.db.atomic():
            self.db["crawl_runs"].update(run_id, row)

    # -- reading ------------------------------------------------------------------------
    def _get_row(self, id_: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from articles where id = ?", [id_]))
        return rows[0] if rows else None

    def get_article(self, id_: str) -> Article | None:
        row = self._get_row(id_)
        if row is None:
            return None
        images = list(self.db.query(
            "select * from images where article_id = ? order by position", [id_]))
        links = list(self.db.query(
            "select * from links where article_id = ? order by position", [id_]))
        return row_to_article(row, images, links)

    def iter_articles(self) -> Iterator[Article]:
        for (id_,) in self.db.execute("select id from articles order by published_utc, id"):
            article = self.get_article(id_)
            if article is not None:
                yield article

    def search_ids(self, query: str, limit: int = 20) -> list[str]:
        """Article ids matching a full-text query, best first."""
        sql = (
            "select s.article_id from article_search_fts f "
            "join article_search s on s.rowid = f.rowid "
            "where article_search_fts match ? order by f.rank limit ?"
        )
        return [row[0] for row in self.db.execute(sql, [fts_query(query), limit])]

    def count(self, table: str) -> int:
        return self.db[table].count
