"""Saving a batch of articles under the identity rules (DESIGN.md, "Identity"), in bulk.

Each batch is classified with a few set-based queries (which ids exist, which texts are already
archived elsewhere), then written with `executemany`: a crawl writes thousands of articles, and
per-row round trips through a generic table API would cost most of its time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from ..article import Article
from ..identity import canonical_url
from .republications import link_batch
from .rows import article_row, changed_fields, dumps, row_to_article, search_row
from .search_text import SEARCH_COLUMNS

ARTICLE_COLUMNS = (
    "id", "url", "canonical_url", "portal", "language", "headline", "lead", "authors", "source",
    "source_url", "date_published", "date_published_raw", "date_modified", "published_utc",
    "section", "breadcrumbs", "tags", "body", "body_html", "translations", "slug", "messages",
    "fetched_at", "parser", "fingerprint", "content_hash", "edition_key", "version", "status",
    "first_seen", "last_seen", "withdrawn_at",
)
_INSERT_ARTICLE = (f"insert into articles ({', '.join(ARTICLE_COLUMNS)}) "
                   f"values ({', '.join('?' * len(ARTICLE_COLUMNS))})")
_UPDATE_ARTICLE = (f"update articles set {', '.join(f'{c} = ?' for c in ARTICLE_COLUMNS[1:])} "
                   "where id = ?")
# A sighting: the article is current and live again (a 304, or unchanged content).
SEEN = "update articles set last_seen = ?, status = 'live', withdrawn_at = null where id = ?"
_CHUNK = 900  # ids per `in (...)`: well under SQLite's variable limit


def _select_in(conn: sqlite3.Connection, sql: str, values: Sequence[str]) -> list[tuple]:
    found: list[tuple] = []
    for i in range(0, len(values), _CHUNK):
        part = values[i : i + _CHUNK]
        found += conn.execute(sql.format(", ".join("?" * len(part))), part).fetchall()
    return found


def save_articles(conn: sqlite3.Connection, articles: Sequence[Article], *, seen: bool = True,
                  at: str | None = None, before_commit: Callable[[], None] | None = None,
                  ) -> list[str]:
    """new / updated / unchanged / alias per article, in one transaction.

    `seen` (a crawl fetched them): unchanged articles move `last_seen` and come back `live`.
    Re-parsing stored pages is not seeing: status and `last_seen` stay as they were, and a new
    version is dated `at` instead of the fetch time.
    """
    rows = [article_row(a) for a in articles]
    ids = [a.id for a in articles]
    with _transaction(conn):
        existing = {r[0]: r[1:] for r in _select_in(
            conn, "select id, content_hash, version, first_seen, status, withdrawn_at, "
                  "last_seen from articles where id in ({})", ids)}
        # Same text is an alias only within one portal: across portals it is a republication
        # (republications.py links the two), never merged.
        twins = {(portal, fingerprint): id_ for fingerprint, portal, id_ in _select_in(
            conn, "select fingerprint, portal, id from articles where fingerprint in ({})",
            [r["fingerprint"] for r, a in zip(rows, articles, strict=True)
             if a.id not in existing and a.body])}
        outcomes: list[str] = []
        new_rows: list[tuple] = []
        children: list[Article] = []
        replaced: list[tuple[str]] = []  # updated articles: their old children go first
        touched: list[tuple[str, str]] = []
        aliases: list[tuple] = []
        for article, row in zip(articles, rows, strict=True):
            when = article.fetched_at or at or ""
            old = existing.get(article.id)
            if old is None:
                # Same text at another URL is an alias; a page with no body (a gallery, a
                # video) has no text to be the same by.
                twin = twins.get((article.portal, row["fingerprint"])) if article.body else None
                if twin is not None and twin != article.id:
                    aliases.append((article.url, article.canonical_url, twin, when))
                    if seen:
                        touched.append((when, twin))
                    outcomes.append("alias")
                    continue
                row.update(version=1, status="live", first_seen=when, last_seen=when,
                           withdrawn_at=None)
                new_rows.append(tuple(row[c] for c in ARTICLE_COLUMNS))
                if article.body:
                    twins[(article.portal, row["fingerprint"])] = article.id
                existing[article.id] = (row["content_hash"], 1, when, "live", None, when)
                children.append(article)
                outcomes.append("new")
            elif old[0] == row["content_hash"]:
                if seen:
                    touched.append((when, article.id))
                outcomes.append("unchanged")
            else:
                _update(conn, article, row, old, seen=seen, at=at or when)
                existing[article.id] = (row["content_hash"], old[1] + 1, *old[2:])
                children.append(article)
                replaced.append((article.id,))
                outcomes.append("updated")
        conn.executemany(_INSERT_ARTICLE, new_rows)
        conn.executemany(SEEN, touched)
        conn.executemany("insert into aliases (url, canonical_url, article_id, first_seen) "
                         "values (?, ?, ?, ?) on conflict(canonical_url) do update set "
                         "article_id = excluded.article_id", aliases)
        for table in ("images", "links", "translations"):
            conn.executemany(f"delete from {table} where article_id = ?", replaced)
        _insert_children(conn, children)
        link_batch(conn, articles, outcomes, aliases, at=at)
        if before_commit is not None:
            before_commit()
    return outcomes


def _update(conn: sqlite3.Connection, article: Article, row: dict[str, Any], old: tuple, *,
            seen: bool, at: str) -> None:
    """Keep the earlier version, with what changed, then overwrite the current row."""
    _hash, version, first_seen, status, withdrawn_at, last_seen = old
    previous = _load(conn, article.id)
    conn.execute(
        "insert into article_versions (article_id, version, data, changed_fields, "
        "replaced_at) values (?, ?, ?, ?, ?)",
        [article.id, version, dumps(previous.to_dict()),
         dumps(changed_fields(previous, article)), at])
    row.update(version=version + 1, first_seen=first_seen)
    if seen:
        row.update(status="live", withdrawn_at=None, last_seen=at)
    else:
        row.update(status=status, withdrawn_at=withdrawn_at, last_seen=last_seen)
    conn.execute(_UPDATE_ARTICLE, [*(row[c] for c in ARTICLE_COLUMNS[1:]), article.id])


def _load(conn: sqlite3.Connection, id_: str) -> Article:
    def dicts(sql: str) -> list[dict[str, Any]]:
        cursor = conn.execute(sql, [id_])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    (row,) = dicts("select * from articles where id = ?")
    return row_to_article(row, dicts("select * from images where article_id = ? "
                                     "order by position"),
                          dicts("select * from links where article_id = ? order by position"))


def _insert_children(conn: sqlite3.Connection, articles: list[Article]) -> None:
    conn.executemany(
        "insert into images (article_id, position, url, caption, credit, alt) "
        "values (?, ?, ?, ?, ?, ?)",
        [(a.id, n, i["url"], i["caption"], i["credit"], i["alt"])
         for a in articles for n, i in enumerate(a.images)])
    conn.executemany(
        "insert into links (article_id, position, url, text, relation) values (?, ?, ?, ?, ?)",
        [(a.id, n, li["url"], li["text"], li["relation"])
         for a in articles for n, li in enumerate(a.related_links)])
    conn.executemany(
        "insert into translations (article_id, language, url, canonical_url) "
        "values (?, ?, ?, ?)",
        [(a.id, lang, url, canonical_url(url)) for a in articles
         for lang, url in a.translations.items()])
    conn.executemany(_UPSERT_SEARCH, [search_row(a) for a in articles])


_UPSERT_SEARCH = (
    f"insert into article_search (article_id, {', '.join(SEARCH_COLUMNS)}) "
    f"values ({', '.join('?' * (len(SEARCH_COLUMNS) + 1))}) on conflict(article_id) do update "
    "set " + ", ".join(f"{c} = excluded.{c}" for c in SEARCH_COLUMNS))


class _transaction:
    """BEGIN/COMMIT, or a savepoint when the caller already holds a transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.nested = conn.in_transaction

    def __enter__(self) -> None:
        self.conn.execute("SAVEPOINT save_articles" if self.nested else "BEGIN")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.conn.execute("RELEASE save_articles" if self.nested else "COMMIT")
        elif self.nested:
            self.conn.execute("ROLLBACK TO save_articles")
            self.conn.execute("RELEASE save_articles")
        else:
            self.conn.execute("ROLLBACK")
