"""Read-side SQL for analysts: filters, search with snippets, stats, runs, raw pages.

Every user value is a bound parameter. The CLI, the exports and the report call these; none of
them writes SQL of its own. Dates compare `articles.published_utc`, the sortable UTC instant,
never the printed strings with their mixed offsets.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..article import COVERAGE_FIELDS, Article
from ..identity import article_id, canonical_url
from ..normalize.dates import DEFAULT_ZONE
from .page_codec import PageCodec
from .search_text import _UNSPACED, fts_query, parse_query
from .store import Archive

# Fields whose coverage (share of articles with a value) stats and the report show.
_EMPTY_JSON = ("[]", "{}", "null", "")
_HEX_ID = re.compile(r"[0-9a-f]{16}")


class QueryError(ValueError):
    """Input the archive cannot answer: a bad filter, a bad query, an unknown article."""


class BadFilter(QueryError):
    pass


class BadQuery(QueryError):
    pass


class UnknownArticle(QueryError):
    pass


# -- filters ------------------------------------------------------------------------------
def _instant(value: str, option: str, zone: ZoneInfo, *, end: bool) -> str:
    """A day (YYYY-MM-DD, midnight in the portal's zone) or an ISO 8601 instant, as UTC."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1 if end else 0), time(), zone)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
    except ValueError:
        raise BadFilter(
            f"{option} {value!r}: expected a day YYYY-MM-DD or an ISO 8601 instant"
        ) from None
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _split(values: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        values = (values,)
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


@dataclass(frozen=True)
class Filters:
    """Which articles a command looks at. `since` is inclusive, `until` exclusive (UTC)."""

    languages: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    ids: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, *, lang: Any = None, since: str | None = None, until: str | None = None,
              source: Any = None, section: Any = None, zone: str = DEFAULT_ZONE) -> Filters:
        """From command-line values: days count in the portal's zone, `until` day included."""
        tz = ZoneInfo(zone)
        start = _instant(since, "--since", tz, end=False) if since else None
        stop = _instant(until, "--until", tz, end=True) if until else None
        if start and stop and start >= stop:
            raise BadFilter(f"--since {since} is not before --until {until}")
        languages = tuple(v.lower() for v in _split(lang))
        sources = source if isinstance(source, tuple | list) else ((source,) if source else ())
        sections = section if isinstance(section, tuple | list) else (
            (section,) if section else ())
        return cls(languages, start, stop, tuple(sources), tuple(sections))

    def where(self, alias: str = "a") -> tuple[str, list[Any]]:
        """A SQL condition on `articles` (as `alias`) and its parameters; `1` when empty."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.languages:
            clauses.append(f"{alias}.language in ({', '.join('?' * len(self.languages))})")
            params += self.languages
        if self.since:
            clauses.append(f"{alias}.published_utc >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{alias}.published_utc < ?")
            params.append(self.until)
        for column, values in (("source", self.sources), ("section", self.sections)):
            if values:
                clauses.append("(" + " or ".join(
                    f"instr(lower({alias}.{column}), lower(?)) > 0" for _ in values) + ")")
                params += values
        if self.ids:
            clauses.append(f"{alias}.id in ({', '.join('?' * len(self.ids))})")
            params += self.ids
        return (" and ".join(clauses) or "1"), params

    @property
    def empty(self) -> bool:
        return self == Filters()


def count_articles(archive: Archive, filters: Filters) -> int:
    where, params = filters.where()
    sql = f"select count(*) from articles a where {where}"
    return archive.db.execute(sql, params).fetchone()[0]


def iter_article_ids(archive: Archive, filters: Filters) -> Iterator[str]:
    where, params = filters.where()
    cursor = archive.db.execute(
        f"select a.id from articles a where {where} order by a.published_utc, a.id", params)
    for (id_,) in cursor:
        yield id_


def iter_articles(archive: Archive, filters: Filters) -> Iterator[Article]:
    """The selection, one Article at a time (constant memory)."""
    for id_ in iter_article_ids(archive, filters):
        article = archive.get_article(id_)
        if article is not None:
            yield article


# -- one article ---------------------------------------------------------------------------
def resolve_article(archive: Archive, key: str) -> str:
    """An article id from an id, a URL of it (any mirror) or an alias URL."""
    key = key.strip()
    candidates = [key] if _HEX_ID.fullmatch(key) else []
    canonical = None
    if "://" in key or key.startswith("www."):
        canonical = canonical_url(key if "://" in key else f"https://{key}")
        candidates.append(article_id(canonical))
    for candidate in candidates:
        if archive.db.execute("select 1 from articles where id = ?", [candidate]).fetchone():
            return candidate
    if canonical is not None:
        row = archive.db.execute(
            "select article_id from aliases where canonical_url = ?", [canonical]).fetchone()
        if row:
            return row[0]
    raise UnknownArticle(f"no article {key!r} in the archive")


def article_record(archive: Archive, id_: str) -> dict[str, Any]:
    """The article as the contract has it, plus its archive state and earlier versions."""
    article = archive.get_article(id_)
    if article is None:
        raise UnknownArticle(f"no article {id_!r} in the archive")
    state = next(archive.db.query(
        "select version, status, first_seen, last_seen, withdrawn_at, published_utc "
        "from articles where id = ?", [id_]))
    versions = [
        {"version": row["version"], "replaced_at": row["replaced_at"],
         "changed_fields": json.loads(row["changed_fields"] or "[]"),
         "data": json.loads(row["data"])}
        for row in archive.db.query(
            "select * from article_versions where article_id = ? order by version", [id_])
    ]
    aliases = [row["url"] for row in archive.db.query(
        "select url from aliases where article_id = ? order by url", [id_])]
    editions = list(archive.db.query(
        "select b.id, b.language, b.headline from articles a join articles b "
        "on b.portal = a.portal and b.edition_key = a.edition_key and b.id != a.id "
        "where a.id = ? order by b.language", [id_]))
    original, copies = republications(archive, id_)
    return {"article": article.to_dict(), "archive": state, "versions": versions,
            "aliases": aliases, "editions_archived": editions,
            "republished_from": original, "republished_as": copies}


_LINKED = "o.id, o.portal, o.language, o.url, o.headline, o.date_published"


def republications(archive: Archive, id_: str) -> tuple[dict[str, Any] | None, list[dict]]:
    """The archived original this article republishes (or None) and the archived articles
    of other portals that republish it (republications.py)."""
    if not archive.db["republications"].exists():  # an archive not migrated yet
        return None, []
    original = next(iter(archive.db.query(
        f"select {_LINKED} from republications r join articles o on o.id = r.original_id "
        "where r.republication_id = ?", [id_])), None)
    copies = list(archive.db.query(
        f"select {_LINKED} from republications r join articles o on o.id = r.republication_id "
        "where r.original_id = ? order by o.portal, o.language, o.url", [id_]))
    return original, copies


# -- search --------------------------------------------------------------------------------
_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")
_D = str.maketrans({"đ": "d", "Đ": "D"})


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.translate(_D))
    return "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f").casefold()


def fold(text: str) -> str:
    """Text as search compares it: case, Vietnamese marks and đ folded."""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", text))


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    index: list[int] = []
    for position, ch in enumerate(text):
        for c in _fold_char(ch):
            out.append(c)
            index.append(position)
    return "".join(out), index


def _term_patterns(query: str) -> list[re.Pattern[str]]:
    """What to highlight: the query's words and phrases, folded, as regexes."""
    patterns = []
    for term in parse_query(query)[1]:
        prefix = term.prefix
        words = re.findall(r"\w+", fold(term.text))
        if not words:
            continue
        body = r"\W+".join(re.escape(w) for w in words)
        lead = "" if _UNSPACED_CHAR.match(words[0][0]) else r"(?<!\w)"
        tail = r"\w*" if prefix else ("" if _UNSPACED_CHAR.match(words[-1][-1]) else r"(?!\w)")
        patterns.append(re.compile(lead + body + tail))
    return patterns


def snippet(text: str | None, query: str, *, width: int = 180, start: str = "[",
            end: str = "]") -> str:
    """A window of `text` around the first match of `query`, every match marked.

    Highlighting reads the original text (the index holds a folded, bigram copy), so the
    analyst sees "Đường" marked for the query "duong"."""
    if not text:
        return ""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    folded, index = _fold_with_map(text)
    spans = sorted(
        (index[m.start()], index[m.end() - 1] + 1)
        for pattern in _term_patterns(query)
        for m in pattern.finditer(folded) if m.end() > m.start()
    )
    if not spans:
        cut = text[:width]
        return cut + ("…" if len(text) > width else "")
    first = spans[0][0]
    lo = max(0, first - width // 3)
    if lo:
        space = text.rfind(" ", 0, lo)
        lo = space + 1 if space >= 0 and lo - space < 20 else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.find(" ", hi)
        hi = space if 0 <= space - hi < 20 else hi
    parts, cursor = [], lo
    for s, e in spans:
        if s < cursor or e > hi:
            continue
        parts += [text[cursor:s], start, text[s:e], end]
        cursor = e
    parts.append(text[cursor:hi])
    return ("…" if lo else "") + "".join(parts) + ("…" if hi < len(text) else "")


def match_expression(query: str) -> str:
    """The FTS5 MATCH text for a user's query (see search_text.parse_query)."""
    return fts_query(query)


def search(archive: Archive, query: str, filters: Filters | None = None, limit: int = 20,
           *, mark: tuple[str, str] = ("[", "]")) -> list[dict[str, Any]]:
    """Articles matching a full-text query, best first (bm25), with highlighted snippets."""
    matched = match_expression(query)
    if not matched.strip():
        raise BadQuery(f"empty search query {query!r}")
    where, params = (filters or Filters()).where()
    sql = (
        "select a.id, a.language, a.date_published, a.source, a.section, a.headline, a.url, "
        "a.lead, a.body, f.rank as rank from article_search_fts f "
        "join article_search s on s.rowid = f.rowid join articles a on a.id = s.article_id "
        f"where article_search_fts match ? and {where} order by f.rank, a.id limit ?"
    )
    try:
        rows = list(archive.db.query(sql, [matched, *params, limit]))
    except sqlite3.OperationalError as exc:
        message = str(exc)
        # Anything but the file's own trouble is the query's: FTS5 reports syntax errors as
        # "fts5: syntax error near ...", "unterminated string", "no such column: x", ...
        if not any(word in message for word in ("database", "disk", "locked", "memory")):
            raise BadQuery(
                f"cannot search for {query!r}: {message.removeprefix('fts5: ')} "
                '(quote words with special characters: "..."; operators AND OR NOT NEAR; '
                "prefix: word*)"
            ) from None
        raise
    results = []
    for row in rows:
        text = row.pop("body")
        lead = row.pop("lead")
        marked = snippet(text, query, start=mark[0], end=mark[1])
        if mark[0] not in marked:
            for other in (row["headline"], lead):
                candidate = snippet(other, query, start=mark[0], end=mark[1])
                if mark[0] in candidate:
                    marked = candidate
                    break
        row["snippet"] = marked
        row["rank"] = round(row["rank"], 4)
        results.append(row)
    return results


# -- stats ---------------------------------------------------------------------------------
def _nonempty(column: str) -> str:
    return f"({column} is not null and {column} not in ('', '[]', '{{}}', 'null'))"


def field_coverage(archive: Archive, filters: Filters | None = None) -> dict[str, float]:
    """Per contract field, the percentage of selected articles that have a value."""
    where, params = (filters or Filters()).where()
    terms = []
    for name in COVERAGE_FIELDS:
        if name == "images":
            test = "exists (select 1 from images i where i.article_id = a.id)"
        elif name == "related_links":
            test = "exists (select 1 from links l where l.article_id = a.id)"
        else:
            test = _nonempty(f"a.{name}")
        terms.append(f"sum(case when {test} then 1 else 0 end) as {name}")
    row = next(archive.db.query(
        f"select count(*) as total, {', '.join(terms)} from articles a where {where}", params))
    total = row.pop("total")
    return {name: round(100.0 * (n or 0) / total, 1) if total else 0.0 for name, n in row.items()}


def counts_by(archive: Archive, expression: str, filters: Filters | None = None,
              limit: int | None = None) -> list[tuple[str, int]]:
    """Articles per value of a fixed SQL expression over `articles a` (not user input)."""
    where, params = (filters or Filters()).where()
    sql = (f"select coalesce({expression}, '(none)') as value, count(*) as n from articles a "
           f"where {where} group by 1 order by n desc, value")
    if limit:
        sql += " limit ?"
        params = [*params, limit]
    return [(row[0], row[1]) for row in archive.db.execute(sql, params)]


# The groupings `stats` and the report offer; the keys are the only expressions used.
GROUPINGS = {
    "portal": "a.portal",
    "language": "a.language",
    "source": "a.source",
    "section": "a.section",
    "day": "substr(a.date_published, 1, 10)",
    "status": "a.status",
}


def stats(archive: Archive, filters: Filters | None = None, top: int = 20) -> dict[str, Any]:
    filters = filters or Filters()
    result: dict[str, Any] = {"articles": count_articles(archive, filters)}
    for name, expression in GROUPINGS.items():
        limit = None if name in ("portal", "language", "day", "status") else top
        rows = counts_by(archive, expression, filters, limit)
        if name == "day":
            rows.sort()
        result[name] = dict(rows)
    result["coverage"] = field_coverage(archive, filters)
    result["tables"] = {t: archive.count(t) for t in (
        "articles", "article_versions", "images", "links", "translations", "aliases", "pages",
        "crawl_runs", "failures")}
    return result


def per_day(archive: Archive, series: str, filters: Filters | None = None,
            top: int | None = None) -> dict[str, dict[str, int]]:
    """{day: {series value: articles}} for `series` in GROUPINGS; the rest as "other"."""
    expression = GROUPINGS[series]
    keep = None
    if top:
        keep = {v for v, _ in counts_by(archive, expression, filters, top)}
    where, params = (filters or Filters()).where()
    table: dict[str, dict[str, int]] = {}
    for day, value, n in archive.db.execute(
        f"select substr(a.date_published, 1, 10), coalesce({expression}, '(none)'), count(*) "
        f"from articles a where {where} and a.date_published is not null group by 1, 2 "
        "order by 1, 2", params,
    ):
        label = value if keep is None or value in keep else "other"
        table.setdefault(day, {})
        table[day][label] = table[day].get(label, 0) + n
    return table


# -- runs ----------------------------------------------------------------------------------
def runs(archive: Archive, limit: int | None = 20, *, full: bool = False) -> list[dict]:
    """Crawl runs, newest first, JSON columns decoded (Scrapy's stats only when `full`)."""
    sql = "select * from crawl_runs order by id desc"
    params: list[Any] = []
    if limit:
        sql += " limit ?"
        params.append(limit)
    result = []
    for row in archive.db.query(sql, params):
        for column in ("arguments", "settings", "counts", "coverage", "stats"):
            row[column] = json.loads(row[column]) if row.get(column) else {}
        if "alarms" in row:
            row["alarms"] = json.loads(row["alarms"]) if row["alarms"] else []
        if not full:
            row.pop("stats")
        result.append(row)
    return result


def run_failures(archive: Archive, run_id: int) -> int:
    return archive.db.execute(
        "select count(*) from failures where run_id = ?", [run_id]).fetchone()[0]


# -- raw pages -----------------------------------------------------------------------------
def count_pages(archive: Archive, filters: Filters) -> int:
    sql, params = _pages_sql(filters, "count(*)")
    return archive.db.execute(sql, params).fetchone()[0]


def _pages_sql(filters: Filters, columns: str) -> tuple[str, list[Any]]:
    if filters.empty:
        return f"select {columns} from pages p", []
    where, params = filters.where()
    return (f"select {columns} from pages p join articles a on a.id = p.id where {where}",
            params)


_PAGE_COLUMNS = ("p.id, p.url, p.request_url, p.status, p.headers, p.body_zstd, p.dict_id, "
                 "p.encoding, p.fetched_at, p.redirect_urls, p.run_id")


def _page(row: dict[str, Any], codec: PageCodec) -> dict[str, Any]:
    row["body"] = codec.decompress(row.pop("body_zstd"), row.pop("dict_id"))
    row["headers"] = json.loads(row["headers"] or "{}")
    row["redirect_urls"] = json.loads(row["redirect_urls"] or "[]")
    return row


def iter_pages(archive: Archive, filters: Filters) -> Iterator[dict[str, Any]]:
    """Stored raw responses, decompressed, one at a time; with filters, only their articles'."""
    sql, params = _pages_sql(filters, _PAGE_COLUMNS)
    cursor = archive.db.conn.execute(sql + " order by p.fetched_at, p.id", params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield _page(dict(zip(names, values, strict=True)), archive.codec)


def page_ids(archive: Archive, filters: Filters) -> list[str]:
    """Ids of the stored successful (2xx) responses of the selection, for re-parsing."""
    sql, params = _pages_sql(filters, "p.id")
    sql += (" and" if " where " in sql else " where") + " p.status between 200 and 299"
    return [row[0] for row in archive.db.execute(sql + " order by p.id", params)]


def get_page(archive: Archive, id_: str) -> dict[str, Any] | None:
    rows = list(archive.db.query(f"select {_PAGE_COLUMNS} from pages p where p.id = ?", [id_]))
    return _page(rows[0], archive.codec) if rows else None


def last_version_rowid(archive: Archive) -> int:
    return archive.db.execute("select coalesce(max(rowid), 0) from article_versions").fetchone()[0]


def versions_since(archive: Archive, rowid: int) -> list[dict[str, Any]]:
    """Versions recorded after `rowid` (see last_version_rowid): which fields changed."""
    return [
        {"article_id": row["article_id"], "version": row["version"],
         "changed_fields": json.loads(row["changed_fields"] or "[]")}
        for row in archive.db.query(
            "select article_id, version, changed_fields from article_versions where rowid > ? "
            "order by rowid", [rowid])
    ]


# -- the one write re-parsing needs beyond Archive.save_articles ---------------------------
