"""The link between a republished article and its original on another portal.

vietnam.vn republishes articles of other papers and credits each with `source_url`. The
archive keeps one row per republication in `republications`: the credited URL (as given and
canonical) and, once the original is archived, its id. The link is made whichever of the two
is archived first, in the same transaction as the article (an earlier run's original too):
saving a republication looks its original up, saving any article resolves the
republications that credit its URL. A followed source that redirected is linked by the
spider's explicit record (`link()`). Same text on two portals is never an alias (aliases stay
within one portal, article_writer.py): across portals it is this link.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..article import Article
from ..identity import canonical_url

# The republication's row: inserted or, when its credit changed, reset to be resolved again.
_UPSERT = """
    insert into republications (republication_id, source_url, source_canonical, original_id,
      linked_at) values (?, ?, ?, null, null)
    on conflict(republication_id) do update set source_url = excluded.source_url,
      original_id = case when republications.source_canonical = excluded.source_canonical
        then republications.original_id end,
      linked_at = case when republications.source_canonical = excluded.source_canonical
        then republications.linked_at end,
      source_canonical = excluded.source_canonical"""
# Every unresolved republication whose credited URL is an archived article (or one of its
# alias URLs) of another portal.
_RESOLVE = """
    update republications set original_id = found.id, linked_at = ?
    from (select r.republication_id as rid, coalesce(
            (select o.id from articles o where o.canonical_url = r.source_canonical),
            (select s.article_id from aliases s where s.canonical_url = r.source_canonical)
          ) as id
          from republications r where r.original_id is null and r.source_canonical in ({})
         ) as found
    where republications.republication_id = found.rid and found.id is not null
      and (select portal from articles where id = found.id)
          != (select portal from articles where id = found.rid)"""
_CHUNK = 900


@dataclass(frozen=True)
class SourceLink:
    """A followed source archived as `original_id` for the republication that credited it
    (sent by the spider: the original's URL may differ from the credit after a redirect)."""

    republication_id: str
    original_id: str
    source_url: str


def credited_source(article: Article) -> str | None:
    """The canonical URL of the original an article credits on another site, or None (no
    credit, an unreadable one, or a link back into the article's own portal)."""
    if not article.source_url:
        return None
    try:
        parts = urlsplit(article.source_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        source = canonical_url(article.source_url)
        own = canonical_url(article.canonical_url or article.url)
    except ValueError:  # "http://[::1" and the like: no credit to follow
        return None
    if urlsplit(source).netloc == urlsplit(own).netloc:
        return None
    return source


def link_batch(conn: sqlite3.Connection, articles: Sequence[Article], outcomes: Sequence[str],
               aliases: Sequence[tuple], at: str | None = None) -> None:
    """Record the credits of a saved batch and resolve every link its articles complete."""
    when = at or next((a.fetched_at for a in articles if a.fetched_at), "")
    credits, uncredited = [], []
    for article, outcome in zip(articles, outcomes, strict=True):
        source = credited_source(article)
        if outcome == "alias":
            continue
        if source is not None:
            credits.append((article.id, article.source_url, source))
        elif outcome == "updated":  # a new version that no longer credits an original
            uncredited.append((article.id,))
    conn.executemany(_UPSERT, credits)
    conn.executemany("delete from republications where republication_id = ?", uncredited)
    # URLs this batch made known: the credited ones, and each saved article's own URLs.
    urls = {source for _id, _url, source in credits}
    for article in articles:
        urls.add(article.canonical_url)
        with contextlib.suppress(ValueError):
            urls.add(canonical_url(article.url))
    urls.update(alias[1] for alias in aliases)
    resolve(conn, sorted(urls), when)


def resolve(conn: sqlite3.Connection, urls: Iterable[str], at: str) -> None:
    values = list(urls)
    for i in range(0, len(values), _CHUNK):
        part = values[i : i + _CHUNK]
        conn.execute(_RESOLVE.format(", ".join("?" * len(part))), [at, *part])


def link(conn: sqlite3.Connection, links: Iterable[SourceLink], at: str) -> list[SourceLink]:
    """Explicit links from followed sources, only between archived articles of two portals
    (an original on the republication's own portal links nothing). Returns the links whose
    two articles are not both archived yet (still in the writer's batch, or dropped)."""
    waiting = []
    for item in links:
        found = conn.execute("select portal from articles where id in (?, ?)",
                             [item.republication_id, item.original_id]).fetchall()
        if len(found) < 2:
            waiting.append(item)
            continue
        conn.execute(
            "update republications set original_id = ?, linked_at = ? "
            "where republication_id = ? and original_id is not ? "
            "and (select portal from articles where id = ?) "
            "!= (select portal from articles where id = ?)",
            [item.original_id, at, item.republication_id, item.original_id,
             item.original_id, item.republication_id])
    return waiting


def backfill(conn: sqlite3.Connection, at: str) -> None:
    """The credits of an archive written before the link existed (schema v5's migration)."""
    rows = conn.execute(
        "select id, url, canonical_url, source_url, fetched_at from articles "
        "where coalesce(source_url, '') != ''").fetchall()
    credits = []
    for id_, url, canonical, source_url, _fetched in rows:
        source = credited_source(Article(id=id_, url=url, canonical_url=canonical,
                                         source_url=source_url))
        if source is not None:
            credits.append((id_, source_url, source))
    conn.executemany(_UPSERT, credits)
    resolve(conn, sorted({c[2] for c in credits}), at)
