"""Datasette metadata: every table, view and column of the archive documented, canned queries.

The tests check that every table and column an archive has is described here.
"""

from __future__ import annotations

from typing import Any

_ID = "Article id: first 16 hex digits of sha256(canonical_url)"

TABLES: dict[str, str] = {
    "articles": "One row per canonical article, its current version (docs/article.md).",
    "article_search": "The text the full-text index reads: each field as written and, when "
                      "it differs, folded (đ -> d, Chinese/Japanese/Thai as overlapping "
                      "character bigrams). The search box finds Đường, duong and two-"
                      "character words; the `search` query folds longer ones too.",
    "article_search_fts": "FTS5 index over article_search (unicode61, diacritics removed).",
    "images": "Images of an article in page order (files are not downloaded).",
    "links": "Related links of an article in page order, with their relation.",
    "translations": "The other editions an article's page links to.",
    "aliases": "Other URLs with the same normalized text in the same edition.",
    "article_versions": "Earlier versions of an article, kept when the content changed.",
    "pages": "Raw responses as fetched (zstd-compressed body), for re-parsing and WARC export.",
    "crawl_runs": "One row per crawl: arguments, counts, field coverage, Scrapy stats, outcome.",
    "failures": "URLs that did not become an article, and why.",
    "page_dicts": "zstd dictionaries the page bodies are compressed with (trained on the "
                  "archive's own first pages).",
    "sitemap_marks": "Incremental crawls: each sitemap's <lastmod> when a run last finished it.",
    "articles_overview": "View: one row per article with its authors and counts of images, "
                         "captioned images and links.",
    "article_authors": "View: one row per author of an article, in byline order.",
    "edition_pairs": "View: editions of one article side by side, one row per article and "
                     "other edition (shared edition key or the page's translation links).",
    "article_editions": "View: one row per edition key with every edition's id and headline.",
    "republications": "One row per article crediting an original on another site "
                      "(source_url), with the original's id once it is archived "
                      "(docs/following-sources.md). Same text on two portals is this link, "
                      "never an alias.",
    "republication_pairs": "View: each republication beside its original (republished_from "
                           "/ republished_as); the original's columns are empty until it is "
                           "archived (crawl with --follow-sources).",
}

_ARTICLE_COLUMNS = {
    "id": _ID,
    "url": "Final URL after redirects, with the portal's real host name",
    "canonical_url": "Normalized identity: mirrors folded, tracking params and fragment removed",
    "portal": "The portal, e.g. vietnam.vn",
    "language": "The edition: its path prefix (id, zh-cn), vi when there is none",
    "headline": "Headline",
    "lead": "Standfirst / sapo when the page marks one (also the body's first paragraph)",
    "authors": "JSON list of people credited (bylines cleaned; [] when only a paper is)",
    "source": "The publication credited, e.g. Báo Quốc Tế",
    "source_url": "Link to the original article",
    "date_published": "ISO 8601 as printed: with UTC offset when the page gives a time, "
                      "a bare day otherwise",
    "date_published_raw": "The date as printed on the page",
    "date_modified": "ISO 8601 date of the last modification, same rules",
    "published_utc": "date_published as a sortable UTC instant (a bare day counts from "
                     "midnight in the portal's zone): compare and sort on this",
    "section": "Category",
    "breadcrumbs": "JSON list of breadcrumb labels",
    "tags": "JSON list of tags",
    "body": "Plain text, paragraphs separated by a blank line, lead included",
    "body_html": "The cleaned body markup",
    "translations": "JSON object: edition -> URL of the same article in that edition",
    "slug": "Slug of the headline (đ -> d), for display and file names",
    "messages": "JSON list of validation messages (what could not be found)",
    "fetched_at": "ISO 8601 UTC instant of the fetch this version came from",
    "parser": "Which parsers produced it, e.g. vietnam_vn/1+metadata/1",
    "fingerprint": "Hash of language + normalized headline + body (aliases share it)",
    "content_hash": "Hash of the fields whose change makes a new version",
    "edition_key": "The URL's slug without edition prefix: editions of one article share it",
    "version": "Version number, 1 for the first; earlier ones are in article_versions",
    "status": "live or withdrawn (a later 404/410); nothing is ever deleted",
    "first_seen": "When the archive first saw the article",
    "last_seen": "When a crawl last saw the article",
    "withdrawn_at": "When the article was found withdrawn",
}

_TEXT = {
    "headline": "Headline",
    "lead": "Lead",
    "body": "Body",
    "captions": "Image captions, one per line",
    "headline_folded": "Headline folded for the index (empty when folding changes nothing)",
    "lead_folded": "Lead folded for the index (empty when folding changes nothing)",
    "body_folded": "Body folded for the index (empty when folding changes nothing)",
    "captions_folded": "Captions folded for the index (empty when folding changes nothing)",
}

COLUMNS: dict[str, dict[str, str]] = {
    "articles": _ARTICLE_COLUMNS,
    "article_search": {"article_id": _ID, **_TEXT},
    "article_search_fts": dict(_TEXT),
    "images": {
        "article_id": _ID,
        "position": "Order in the page, from 0",
        "url": "Absolute image URL (data-src before src)",
        "caption": "Caption without its credit",
        "credit": "Credited name only (KCNA from (Sumber: KCNA))",
        "alt": "The alt text as in the page",
    },
    "links": {
        "article_id": _ID,
        "position": "Order in the page, from 0",
        "url": "Absolute URL",
        "text": "Link text",
        "relation": "related_box, inline, source, same_topic, same_category or same_author",
    },
    "translations": {
        "article_id": _ID,
        "language": "The other edition",
        "url": "URL of the article in that edition",
        "canonical_url": "Its canonical URL (joins articles.canonical_url)",
    },
    "aliases": {
        "url": "The other URL as found",
        "canonical_url": "Its canonical URL",
        "article_id": "The article it repeats",
        "first_seen": "When the alias was first seen",
    },
    "article_versions": {
        "article_id": _ID,
        "version": "The version number this row was",
        "data": "The whole earlier Article as JSON",
        "changed_fields": "JSON list of the fields the next version changed",
        "replaced_at": "When the next version replaced it",
    },
    "page_dicts": {
        "id": "Dictionary id",
        "created_at": "ISO 8601 UTC instant it was trained",
        "size": "Size in bytes",
        "data": "The zstd dictionary",
    },
    "pages": {
        "id": "Article id of the page's canonical URL",
        "url": "Final URL",
        "request_url": "URL requested (before redirects)",
        "status": "HTTP status",
        "headers": "JSON object of response headers (name -> list of values)",
        "body_zstd": "Response body, zstd-compressed (with the dictionary dict_id when set)",
        "dict_id": "page_dicts.id of the zstd dictionary, or null",
        "sitemap_lastmod": "The sitemap's <lastmod> for the URL when it was fetched",
        "encoding": "Encoding the body was decoded with",
        "fetched_at": "ISO 8601 UTC instant of the fetch",
        "redirect_urls": "JSON list of the redirect chain",
        "run_id": "The crawl run that fetched it (crawl_runs.id)",
    },
    "crawl_runs": {
        "id": "Run number",
        "spider": "Spider name",
        "job": "Job name",
        "arguments": "JSON object of the crawl's arguments (lang, since, until, ...)",
        "settings": "JSON object of the settings that differ from the defaults",
        "started_at": "Start (UTC)",
        "finished_at": "End (UTC)",
        "outcome": "ok, partial, failed, degraded (running while it runs)",
        "finish_reason": "Scrapy's finish reason",
        "counts": "JSON object: new, updated, unchanged, alias, failed, withdrawn, "
                  "followed_source, failed_source, ...",
        "coverage": "JSON object: field -> % of the run's articles that have it",
        "yield_pct": "Articles archived per article page fetched, in %",
        "alarms": "JSON list of layout-change alarms (fields whose coverage or the yield "
                  "fell against the job's last ok runs)",
        "stats": "JSON object of Scrapy's stats",
        "pid": "Process id of the crawl",
    },
    "failures": {
        "id": "Row number",
        "run_id": "The crawl run (crawl_runs.id)",
        "url": "The URL",
        "kind": "article, sitemap, listing, or source (a followed original)",
        "reason": "Why it failed",
        "status": "HTTP status, when there was a response",
        "at": "When (UTC)",
    },
    "sitemap_marks": {
        "url": "Sitemap URL",
        "lastmod": "Its <lastmod> when last finished",
        "run_id": "The run that finished it (crawl_runs.id)",
        "recorded_at": "When (UTC)",
    },
    "articles_overview": {
        **{k: _ARTICLE_COLUMNS[k] for k in (
            "id", "portal", "language", "published_utc", "date_published", "headline",
            "source", "section", "version", "status", "url")},
        "authors": "Authors joined with '; '",
        "image_count": "Number of images",
        "captioned_image_count": "Number of images with a caption",
        "link_count": "Number of related links",
    },
    "article_authors": {
        "article_id": _ID,
        "position": "Order in the byline, from 0",
        "author": "One author",
        "language": "The article's edition",
        "source": "The article's credited publication",
        "published_utc": "The article's publication instant (UTC)",
    },
    "edition_pairs": {
        "portal": "The portal",
        "edition_key": "Shared edition key (URL slug)",
        "article_id": _ID,
        "language": "The article's edition",
        "headline": "The article's headline",
        "edition_id": "Id of the other edition",
        "edition_language": "The other edition's language",
        "edition_headline": "The other edition's headline",
        "edition_url": "The other edition's URL",
    },
    "republications": {
        "republication_id": "Id of the republishing article (articles.id)",
        "source_url": "The original's URL as the republication credits it",
        "source_canonical": "Its canonical URL (joins articles.canonical_url)",
        "original_id": "Id of the archived original on another portal; null until archived",
        "linked_at": "When the link was made (UTC)",
    },
    "republication_pairs": {
        "republication_id": "Id of the republishing article",
        "republication_portal": "Its portal",
        "language": "Its edition",
        "republication_headline": "Its headline",
        "republication_url": "Its URL",
        "republished_utc": "Its publication instant (UTC)",
        "source_url": "The original's URL as credited",
        "original_id": "Id of the archived original (republished_from); null until archived",
        "original_portal": "The original's portal",
        "original_headline": "The original's headline",
        "original_url": "The original's URL",
        "original_published_utc": "The original's publication instant (UTC)",
        "linked_at": "When the link was made (UTC)",
    },
    "article_editions": {
        "portal": "The portal",
        "edition_key": "Shared edition key (URL slug)",
        "edition_count": "How many editions are archived",
        "languages": "Their languages, comma separated",
        "ids": "JSON object: language -> article id",
        "headlines": "JSON object: language -> headline",
        "first_published_utc": "Earliest publication instant among them (UTC)",
    },
}

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "search": {
        "title": "Search articles",
        "description": "Full-text search over headlines, leads, bodies and captions, best "
                       'first. Accents and đ folded ("duong" finds "Đường"); "phrases", '
                       "prefix*, AND/OR/NOT work.",
        "sql": (
            "select a.id, a.language, a.date_published, a.source, a.headline, a.url\n"
            "from article_search_fts\n"
            "join article_search s on s.rowid = article_search_fts.rowid\n"
            "join articles a on a.id = s.article_id\n"
            "where article_search_fts match fts_query(:q)\n"
            "order by article_search_fts.rank limit 100"
        ),
    },
    "articles_per_day_per_edition": {
        "title": "Articles per day per edition",
        "description": "Days as printed on the pages (the portal's local day).",
        "sql": (
            "select substr(date_published, 1, 10) as day, language, count(*) as articles\n"
            "from articles where date_published is not null\n"
            "group by day, language order by day, language"
        ),
    },
    "top_sources": {
        "title": "Top sources",
        "description": "Publications credited most often, with their editions and date range.",
        "sql": (
            "select source, count(*) as articles, count(distinct language) as editions,\n"
            "  min(substr(date_published, 1, 10)) as first_day,\n"
            "  max(substr(date_published, 1, 10)) as last_day\n"
            "from articles where source is not null\n"
            "group by source order by articles desc, source limit 50"
        ),
    },
    "articles_without_date": {
        "title": "Articles without a date",
        "description": "No publication date was found on the page (see messages).",
        "sql": (
            "select id, language, headline, url, fetched_at, parser from articles\n"
            "where date_published is null or date_published = ''\n"
            "order by fetched_at desc, id"
        ),
    },
    "changed_after_publication": {
        "title": "Articles changed after publication",
        "description": "Articles with an earlier version in the archive, or a modification "
                       "date after their publication date.",
        "sql": (
            "select a.id, a.language, a.headline, a.date_published, a.date_modified,\n"
            "  a.version, (select group_concat(v.changed_fields, ' ') from article_versions v\n"
            "   where v.article_id = a.id) as changed_fields\n"
            "from articles a\n"
            "where a.version > 1 or a.date_modified > a.date_published\n"
            "order by a.published_utc desc, a.id"
        ),
    },
    "editions_of_article": {
        "title": "Editions of one article",
        "description": "Give an article id: its other editions side by side.",
        "sql": (
            "select edition_language, edition_id, edition_headline, edition_url\n"
            "from edition_pairs where article_id = :id order by edition_language"
        ),
    },
}


def metadata(db_name: str, title: str = "portal-crawler archive") -> dict[str, Any]:
    """Datasette 0.65 metadata for an archive served under `db_name` (the file's stem)."""
    tables: dict[str, Any] = {
        name: {"description": TABLES[name], "columns": COLUMNS[name]} for name in TABLES
    }
    tables["article_search"].update(fts_table="article_search_fts", fts_pk="rowid")
    return {
        "title": title,
        "description": "Articles archived by portal-crawler. Read-only. See docs/analysts.md.",
        "source": "portal-crawler",
        "databases": {
            db_name: {
                "description": "The archive: articles (current versions), their images, links, "
                               "editions and earlier versions, raw pages and crawl runs.",
                "tables": tables,
                "queries": CANNED_QUERIES,
            }
        },
    }
