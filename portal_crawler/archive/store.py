"""The archive: the only module that writes SQL. Identity rules of DESIGN.md live here."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
import zstandard

from ..article import VOLATILE_FIELDS, VOLATILE_RELATIONS, Article
from ..identity import article_id, article_slug, canonical_url, content_fingerprint
from ..items import FetchFailure, RawPage
from ..portals import PORTALS
from .lock import WriterLock
from .schema import SCHEMA_VERSION, SchemaTooNew, migrate, schema_version
from .search_text import fts_query, index_text

DEFAULT_DB = "data/archive.db"
DB_ENV = "PORTAL_CRAWLER_DB"

JSON_COLUMNS = ("authors", "breadcrumbs", "tags", "translations", "messages")


@dataclass(frozen=True)
class PageState:
    fetched_at: str | None
    published_utc: str | None
    etag: str | None
    last_modified: str | None


class NotAnArchive(RuntimeError):
    """The path does not hold a portal-crawler archive."""


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db, else $PORTAL_CRAWLER_DB, else data/archive.db: scrapyd and cron run elsewhere."""
    return Path(explicit or os.environ.get(DB_ENV) or DEFAULT_DB)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def content_hash(article: Article) -> str:
    """Hash of the contract fields whose change makes a new version."""
    data = article.to_dict()
    for name in VOLATILE_FIELDS:
        data.pop(name, None)
    data["related_links"] = [
        link for link in data["related_links"] if link["relation"] not in VOLATILE_RELATIONS
    ]
    return hashlib.sha256(_dumps(data).encode("utf-8")).hexdigest()


def published_utc(date: str | None, portal: str) -> str | None:
    """A sortable UTC instant; a bare day counts from midnight in the portal's zone."""
    if not date:
        return None
    try:
        if "T" in date:
            moment = datetime.fromisoformat(date)
        else:
            zone = ZoneInfo(PORTALS[portal].timezone) if portal in PORTALS else UTC
            moment = datetime.combine(datetime.fromisoformat(date).date(), time(), zone)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _article_row(article: Article) -> dict[str, Any]:
    row = article.to_dict()
    for name in ("images", "related_links"):
        row.pop(name)
    for name in JSON_COLUMNS:
        row[name] = _dumps(row[name])
    row["published_utc"] = published_utc(article.date_published, article.portal)
    row["fingerprint"] = content_fingerprint(article.language, article.headline, article.body)
    row["content_hash"] = content_hash(article)
    row["edition_key"] = article_slug(article.canonical_url)
    return row


def row_to_article(row: dict[str, Any], images: list[dict], links: list[dict]) -> Article:
    data = {name: row[name] for name in Article.__dataclass_fields__ if name in row}
    for name in JSON_COLUMNS:
        data[name] = json.loads(data[name])
    data["images"] = [{k: i[k] for k in ("url", "caption", "credit", "alt")} for i in images]
    data["related_links"] = [{k: li[k] for k in ("url", "text", "relation")} for li in links]
    return Article.from_dict(data)


class Archive:
    """A SQLite archive opened for writing (with the writer lock) or read-only."""

    def __init__(self, db: sqlite_utils.Database, path: Path, lock: WriterLock | None) -> None:
        self.db = db
        self.path = path
        self._lock = lock
        # Called inside every article transaction just before it commits (kill-point tests).
        self.before_commit: Callable[[], None] | None = None

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open_writer(cls, path: str | os.PathLike[str] | None = None, purpose: str = "") -> Archive:
        """Take the lock, then migrate: only a writer ever changes the schema."""
        db_path = resolve_db_path(path)
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
        """Read-only: never creates, locks or migrates the file."""
        db_path = resolve_db_path(path)
        if not db_path.is_file():
            raise NotAnArchive(f"no archive at {db_path}")
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
            db = sqlite_utils.Database(conn)
            version = schema_version(db)
            tables = set(db.table_names())
        except sqlite3.DatabaseError as exc:
            raise NotAnArchive(f"{db_path} is not a portal-crawler archive ({exc})") from None
        if version == 0 or "articles" not in tables:
            raise NotAnArchive(f"{db_path} is not a portal-crawler archive")
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"archive schema v{version} is newer than this portal-crawler "
                f"(v{SCHEMA_VERSION}); upgrade portal-crawler"
            )
        return cls(db, db_path, None)

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def save_articles(self, articles: Iterable[Article]) -> list[str]:
        """Store a batch in one transaction; returns new/updated/unchanged/alias per article."""
        with self.db.atomic():
            outcomes = [self._save_article(article) for article in articles]
            if self.before_commit is not None:
                self.before_commit()
            return outcomes

    def _save_article(self, article: Article) -> str:
        row = _article_row(article)
        seen = article.fetched_at or now_iso()
        existing = self._get_row(article.id)
        if existing is None:
            twin = self.db.execute(
                "select id from articles where fingerprint = ? and id != ? limit 1",
                [row["fingerprint"], article.id],
            ).fetchone()
            if twin is not None:
                self.db["aliases"].upsert(
                    {"url": article.url, "canonical_url": article.canonical_url,
                     "article_id": twin[0], "first_seen": seen},
                    pk="canonical_url",
                )
                self.db.execute(
                    "update articles set last_seen = ? where id = ?", [seen, twin[0]]
                )
                return "alias"
            row.update(version=1, status="live", first_seen=seen, last_seen=seen)
            self.db["articles"].insert(row, pk="id")
            self._replace_children(article)
            return "new"
        if existing["content_hash"] == row["content_hash"]:
            self.db.execute(
                "update articles set last_seen = ?, status = 'live', withdrawn_at = null "
                "where id = ?",
                [seen, article.id],
            )
            return "unchanged"
        previous = self.get_article(article.id)
        assert previous is not None
        changed = changed_fields(previous, article)
        self.db["article_versions"].insert(
            {"article_id": article.id, "version": existing["version"],
             "data": _dumps(previous.to_dict()), "changed_fields": _dumps(changed),
             "replaced_at": seen},
            pk=("article_id", "version"),
        )
        row.update(version=existing["version"] + 1, status="live", withdrawn_at=None,
                   first_seen=existing["first_seen"], last_seen=seen)
        self.db["articles"].update(article.id, row)
        self._replace_children(article)
        return "updated"

    def _replace_children(self, article: Article) -> None:
        self.db.execute("delete from translations where article_id = ?", [article.id])
        self.db["translations"].insert_all(
            ({"article_id": article.id, "language": lang, "url": url,
              "canonical_url": canonical_url(url)}
             for lang, url in article.translations.items()),
            pk=("article_id", "language"),
        )
        captions = "\n".join(i["caption"] or "" for i in article.images if i["caption"])
        self.db["article_search"].upsert(
            {"article_id": article.id, "headline": index_text(article.headline),
             "lead": index_text(article.lead), "body": index_text(article.body),
             "captions": index_text(captions)},
            pk="article_id",
        )
        self.db.execute("delete from images where article_id = ?", [article.id])
        self.db.execute("delete from links where article_id = ?", [article.id])
        self.db["images"].insert_all(
            ({"article_id": article.id, "position": n, **image}
             for n, image in enumerate(article.images)),
            pk=("article_id", "position"),
        )
        self.db["links"].insert_all(
            ({"article_id": article.id, "position": n, **link}
             for n, link in enumerate(article.related_links)),
            pk=("article_id", "position"),
        )

    def mark_seen(self, url: str, at: str) -> bool:
        """A 304 on revisit: the article is unchanged, only when it was last seen moves."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update articles set last_seen = ?, status = 'live', withdrawn_at = null "
                "where id = ?",
                [at, article_id(canonical_url(url))],
            )
        return cursor.rowcount > 0

    def page_state(self, url: str) -> PageState | None:
        """What the archive knows of a URL, for incremental and conditional requests."""
        row = self.db.execute(
            # An article counts as archived only with its row: a page stored by a run killed
            # before the article's commit is fetched again, unconditionally.
            "select p.headers, p.fetched_at, a.published_utc from pages p "
            "join articles a on a.id = p.id where p.id = ? and p.status = 200",
            [article_id(canonical_url(url))],
        ).fetchone()
        if row is None:
            return None
        headers = {k.lower(): v[0] for k, v in json.loads(row[0] or "{}").items() if v}
        return PageState(fetched_at=row[1], published_utc=row[2], etag=headers.get("etag"),
                         last_modified=headers.get("last-modified"))

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
        """A later 404/410 withdraws an archived article; nothing is ever deleted."""
        with self.db.atomic():
            cursor = self.db.execute(
                "update articles set status = 'withdrawn', withdrawn_at = ? "
                "where id = ? and status != 'withdrawn'",
                [at, article_id(canonical_url(url))],
            )
        return cursor.rowcount > 0

    def save_pages(self, pages: Iterable[RawPage], run_id: int | None = None) -> None:
        compressor = zstandard.ZstdCompressor(level=10)
        rows = (
            {"id": article_id(canonical_url(page.url)), "url": page.url,
             "request_url": page.request_url, "status": page.status,
             "headers": _dumps(page.headers), "body_zstd": compressor.compress(page.body),
             "encoding": page.encoding, "fetched_at": page.fetched_at,
             "redirect_urls": _dumps(page.redirect_urls), "run_id": run_id}
            for page in pages
        )
        with self.db.atomic():
            self.db["pages"].upsert_all(rows, pk="id")

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
                {"spider": spider, "job": job, "arguments": _dumps(arguments),
                 "settings": _dumps(settings), "started_at": now_iso(), "outcome": "running",
                 "pid": os.getpid()},
                pk="id",
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def finish_run(self, run_id: int, **fields: Any) -> None:
        row = {k: (_dumps(v) if isinstance(v, dict | list) else v) for k, v in fields.items()}
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


def changed_fields(old: Article, new: Article) -> list[str]:
    """Contract fields that differ, volatile ones and same_* lists aside."""
    a, b = old.to_dict(), new.to_dict()
    changed = [k for k in a if k not in VOLATILE_FIELDS and k != "related_links" and a[k] != b[k]]
    def stable(links: list[dict]) -> list[dict]:
        return [x for x in links if x["relation"] not in VOLATILE_RELATIONS]
    if stable(a["related_links"]) != stable(b["related_links"]):
        changed.append("related_links")
    return changed
