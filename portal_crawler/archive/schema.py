"""The archive's schema as numbered migrations (PRAGMA user_version), never "delete the file"."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from .ownership import mark
from .rows import search_values
from .search_text import SEARCH_COLUMNS

# The index reads `article_search`: each field's text and its folded shadow (search_text.py).
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
_V1_FTS_COLUMNS = ["headline", "lead", "body", "captions"]  # v1 indexed the folded text only


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
    db["article_search"].enable_fts(_V1_FTS_COLUMNS, create_triggers=True,
                                    tokenize=FTS_TOKENIZER)
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
         "body_zstd": bytes, "dict_id": int, "encoding": str, "fetched_at": str,
         "redirect_urls": str, "sitemap_lastmod": str, "run_id": int},
        pk="id",
    )
    db["pages"].create_index(["request_url"])  # a redirected URL is known by what we asked
    # zstd dictionaries the page bodies are compressed with (archive/page_codec.py).
    db["page_dicts"].create({"id": int, "created_at": str, "size": int, "data": bytes}, pk="id")
    db["crawl_runs"].create(
        {"id": int, "spider": str, "job": str, "arguments": str, "settings": str,
         "started_at": str, "finished_at": str, "outcome": str, "finish_reason": str,
         "counts": str, "coverage": str, "yield_pct": float, "alarms": str, "stats": str,
         "pid": int},
        pk="id",
    )
    db["failures"].create(
        {"id": int, "run_id": int, "url": str, "kind": str, "reason": str, "status": int,
         "at": str},
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db["failures"].create_index(["url"])
    db["crawl_runs"].create_index(["job", "outcome"])
    # Incremental crawls: each sitemap's <lastmod> when a run last finished it ok.
    db["sitemap_marks"].create(
        {"url": str, "lastmod": str, "run_id": int, "recorded_at": str},
        pk="url",
    )


# Views for sqlite-utils and Datasette users (docs/analysts.md). Plain SQL over the tables, so
# they never hold data of their own and cannot drift from it.
_V2_VIEWS = {
    # One row per article with its authors and how many images, captions and links it has.
    "articles_overview": """
        select a.id, a.portal, a.language, a.published_utc, a.date_published, a.headline,
          (select group_concat(j.value, '; ') from json_each(a.authors) j) as authors,
          a.source, a.section,
          (select count(*) from images i where i.article_id = a.id) as image_count,
          (select count(*) from images i where i.article_id = a.id
             and coalesce(i.caption, '') != '') as captioned_image_count,
          (select count(*) from links l where l.article_id = a.id) as link_count,
          a.version, a.status, a.url
        from articles a""",
    # One row per author of an article, in byline order.
    "article_authors": """
        select a.id as article_id, j.key as position, j.value as author, a.language,
          a.source, a.published_utc
        from articles a, json_each(a.authors) j""",
    # Editions of one article side by side: one row per article and other edition, linked by
    # the shared edition key (the URL's slug) or by the page's own translation links.
    "edition_pairs": """
        select a.portal, a.edition_key, a.id as article_id, a.language, a.headline,
          b.id as edition_id, b.language as edition_language, b.headline as edition_headline,
          b.url as edition_url
        from articles a join articles b on b.portal = a.portal
          and b.edition_key = a.edition_key and b.language != a.language
        union
        select a.portal, a.edition_key, a.id, a.language, a.headline,
          b.id, b.language, b.headline, b.url
        from translations t join articles a on a.id = t.article_id
          join articles b on b.canonical_url = t.canonical_url and b.id != a.id""",
    # One row per edition key: every edition's id and headline in one row.
    "article_editions": """
        select portal, edition_key, count(*) as edition_count,
          group_concat(language, ',') as languages,
          json_group_object(language, id) as ids,
          json_group_object(language, headline) as headlines,
          min(published_utc) as first_published_utc
        from (select * from articles order by language)
        group by portal, edition_key""",
}


def _v2(db: sqlite_utils.Database) -> None:
    """Views for analysts (articles with authors and image counts; editions side by side)."""
    for name, sql in _V2_VIEWS.items():
        db.execute(f"create view if not exists {name} as {sql.strip()}")
    db["translations"].create_index(["canonical_url"], if_not_exists=True)


def _v3(db: sqlite_utils.Database) -> None:
    """SQLite's application_id marks the file as ours: a crawl refuses any other file."""
    mark(db.conn)


def _v4(db: sqlite_utils.Database) -> None:
    """The index holds each field's original text and its folded shadow, so that Datasette's
    search box and `sqlite-utils search` find "Đường" and "duong" and show the original."""
    rows = [search_values(*row) for row in db.execute(_SEARCH_SOURCE).fetchall()]
    db["article_search"].disable_fts()
    db["article_search"].drop()
    db["article_search"].create(
        {"article_id": str, **dict.fromkeys(SEARCH_COLUMNS, str)},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.conn.executemany(
        f"insert into article_search values ({', '.join('?' * (len(SEARCH_COLUMNS) + 1))})",
        rows)
    db["article_search"].enable_fts(SEARCH_COLUMNS, create_triggers=True,
                                    tokenize=FTS_TOKENIZER)


# Each article's fields as the writer indexes them (rows.search_row), captions in page order.
_SEARCH_SOURCE = """
    select a.id, a.headline, a.lead, a.body,
      (select group_concat(caption, char(10)) from (select caption from images i
         where i.article_id = a.id and coalesce(caption, '') != '' order by position))
    from articles a order by a.rowid"""


# Republications beside their originals: one row per republication, the original's columns
# null until it is archived (republications.py).
REPUBLICATION_VIEW = """
    select r.republication_id, a.portal as republication_portal, a.language,
      a.headline as republication_headline, a.url as republication_url,
      a.published_utc as republished_utc, r.source_url, r.original_id,
      b.portal as original_portal, b.headline as original_headline, b.url as original_url,
      b.published_utc as original_published_utc, r.linked_at
    from republications r join articles a on a.id = r.republication_id
      left join articles b on b.id = r.original_id"""


def _v5(db: sqlite_utils.Database) -> None:
    """The link between a republished article and its original on another portal
    (`republished_from` / `republished_as`), with the credits already archived linked."""
    from ..clock import now_iso
    from .republications import backfill

    db["republications"].create(
        {"republication_id": str, "source_url": str, "source_canonical": str,
         "original_id": str, "linked_at": str},
        pk="republication_id", foreign_keys=[("republication_id", "articles", "id")],
        if_not_exists=True,
    )
    db["republications"].create_index(["source_canonical"], if_not_exists=True)
    db["republications"].create_index(["original_id"], if_not_exists=True)
    db.execute(f"create view if not exists republication_pairs as {REPUBLICATION_VIEW.strip()}")
    backfill(db.conn, now_iso())


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
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
