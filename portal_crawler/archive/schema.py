"""The archive's schema as numbered migrations (PRAGMA user_version), never "delete the file"."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

# The index reads `article_search`, a transformed copy of the text (see search_text.py).
FTS_COLUMNS = ["headline", "lead", "body", "captions"]
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


class SchemaTooNew(RuntimeError):
    """The archive was written by a newer portal-crawler."""


def _v1(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": str, "url": str, "canonical_url": str, "portal": str, "language": str,
            "headline": str, "lead": str, "authors": str, "source": str, "source_url": str,
            "date_published": str, "date_published_raw": str, "date_modified": str,
            "published_utc": str, "section": str, "breadcrumbs": str, "tags": str,
            "body": str, "body_html": str, "translations": str, "slug": str, "messages": str,
            "fetched_at": str, "parser": str, "fingerprint": str, "content_hash": str,
            "edition_key": str, "version": int, "status": str, "first_seen": str,
            "last_seen": str, "withdrawn_at": str,
        },
        pk="id",
        not_null=["url", "canonical_url", "portal", "language"],
        defaults={"version": 1, "status": "live"},
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["fingerprint"])
    db["articles"].create_index(["portal", "edition_key"])
    db["articles"].create_index(["portal", "language", "published_utc"])
    db["article_search"].create(
        {"article_id": str, "headline": str, "lead": str, "body": str, "captions": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_search"].enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZER)
    db["images"].create(
        {"article_id": str, "position": int, "url": str, "caption": str, "credit": str,
         "alt": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["links"].create(
        {"article_id": str, "position": int, "url": str, "text": str, "relation": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["links"].create_index(["relation"])
    db["translations"].create(
        {"article_id": str, "language": str, "url": str, "canonical_url": str},
        pk=("article_id", "language"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["aliases"].create(
        {"url": str, "canonical_url": str, "article_id": str, "first_seen": str},
        pk="canonical_url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create(
        {"article_id": str, "version": int, "data": str, "changed_fields": str,
         "replaced_at": str},
        pk=("article_id", "version"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["pages"].create(
        {"id": str, "url": str, "request_url": str, "status": int, "headers": str,
         "body_zstd": bytes, "encoding": str, "fetched_at": str, "redirect_urls": str,
         "run_id": int},
        pk="id",
    )
    db["crawl_runs"].create(
        {"id": int, "spider": str, "job": str, "arguments": str, "settings": str,
         "started_at": str, "finished_at": str, "outcome": str, "finish_reason": str,
         "counts": str, "coverage": str, "stats": str, "pid": int},
        pk="id",
    )
    db["failures"].create(
        {"id": int, "run_id": int, "url": str, "kind": str, "reason": str, "status": int,
         "at": str},
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db["failures"].create_index(["url"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the archive to SCHEMA_VERSION, each step in its own transaction."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"archive schema v{current} is newer than this portal-crawler (v{SCHEMA_VERSION}); "
            "upgrade portal-crawler"
        )
    for number in range(current + 1, SCHEMA_VERSION + 1):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
    return SCHEMA_VERSION
