"""Layer 2: structured metadata (JSON-LD, OpenGraph, <meta>, <time datetime>, hreflang).

Portal-independent and cheap; it fills what the portal parser left empty. It never supplies
`lead` (a meta description is not a paragraph of the body) nor images (og:image is a share
thumbnail, not page content).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from ..identity import edition_of
from ..normalize.bylines import split_byline
from ..normalize.text import clean_text
from ..portals import portal_for
from .base import Fields, Page
from .headline import has_parts, site_keys, strip_site_name

NAME = "metadata"
VERSION = 1

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "livebloggposting",
    "liveblogposting", "scholarlyarticle", "techarticle", "report", "webpage",
    "socialmediaposting", "discussionforumposting", "medicalwebpage", "itempage",
})
# JSON-LD some CMSs wrap in CDATA or comment markers, for old XHTML parsers.
_WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")
_JSON_LD = etree.XPath('//script[@type="application/ld+json"]/text()')
_META = etree.XPath("//meta[@content]")
_ALTERNATES = etree.XPath("//link[@hreflang][@href]")
# Links to the site's home page (its logo, mostly): "/" or the site's root URL.
_HOME_LINKS = etree.XPath('//a[@href="/" or @href=$root or @href=$bare]')
_MAX_HOME_LINKS = 5
_TIME_QUERIES = (
    etree.XPath('//time[@itemprop="datePublished" or @pubdate]'),
    etree.XPath("//article//time[@datetime]"),
    etree.XPath('//*[@itemprop="datePublished"][@content]'),
)
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "dc.date", "dc.date.issued", "dcterms.created",
    "article.published", "sailthru.date", "parsely-pub-date", "date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                  "last-modified", "article.updated")


def parse(page: Page) -> Fields:
    meta = _meta_tags(page)
    fields: Fields = {}
    article = _json_ld_article(page)
    if article:
        fields.update(_from_json_ld(article, page))
    for name, value in _from_meta(meta, page).items():
        fields.setdefault(name, value)
    if page.wants("headline"):
        headline = fields.get("headline") or _title(page)
        home = _home_names(page) if has_parts(headline) else []
        sites = site_keys(_site_names(meta, page, article), page.url, home)
        fields["headline"] = strip_site_name(headline, sites)
    if "date_published" not in fields and page.wants("date_published"):
        fields.update(_from_time_element(page))
    fields["translations"] = translations(page)
    if "breadcrumbs" not in fields and (crumbs := _json_ld_breadcrumbs(page)):
        fields["breadcrumbs"] = crumbs
    return {name: value for name, value in fields.items() if value}


# JSON-LD ---------------------------------------------------------------------------------

def _json_ld_objects(page: Page) -> Iterator[dict[str, Any]]:
    for raw in _JSON_LD(page.root):
        try:
            data = json.loads(_WRAPPERS.sub("", raw), strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack[:0] = item["@graph"]


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _json_ld_article(page: Page) -> dict[str, Any] | None:
    candidates = [o for o in _json_ld_objects(page) if _types(o) & ARTICLE_TYPES]
    # A NewsArticle beats a WebPage describing the same document.
    candidates.sort(key=lambda o: "webpage" in _types(o))
    return candidates[0] if candidates else None


def _json_ld_breadcrumbs(page: Page) -> list[str]:
    for obj in _json_ld_objects(page):
        if "breadcrumblist" in _types(obj):
            items = obj.get("itemListElement") or []
            items = sorted((i for i in items if isinstance(i, dict)),
                           key=lambda i: _int(i.get("position")))
            names = [_name(i.get("item")) or _name(i) for i in items]
            return [n for n in names if n]
    return []


def _from_json_ld(obj: dict[str, Any], page: Page) -> Fields:
    fields: Fields = {"headline": clean_text(_str(obj.get("headline") or obj.get("name")))}
    for key, target in (("datePublished", "date_published"), ("dateModified", "date_modified")):
        raw = clean_text(_str(obj.get(key)))
        if raw and (iso := page.date(raw)):
            fields[target] = iso
            if target == "date_published":
                fields["date_published_raw"] = raw
    authors, organisations = _people(obj.get("author"))
    fields["authors"] = authors
    source = _name(obj.get("sourceOrganization")) or (organisations[0] if organisations else "")
    fields["source"] = source
    based_on = obj.get("isBasedOn")
    based_url = based_on.get("url") if isinstance(based_on, dict) else based_on
    fields["source_url"] = page.absolute(_str(based_url))
    section = obj.get("articleSection")
    fields["section"] = clean_text(_str(section[0] if isinstance(section, list) and section
                                        else section))
    fields["tags"] = _keywords(obj.get("keywords"))
    return fields


def _people(value: Any) -> tuple[list[str], list[str]]:
    """JSON-LD authors split into people and organisations (a paper is not an author)."""
    people: list[str] = []
    organisations: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = _name(item)
        if not name:
            continue
        if isinstance(item, dict) and any(t.endswith("organization") for t in _types(item)):
            organisations.append(name)
            continue
        byline = split_byline(name)
        people += [p for p in byline.authors if p not in people]
        if byline.publication:
            organisations.append(byline.publication)
    return people, organisations


def _keywords(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _str(value).split(",")
    tags: list[str] = []
    for item in items:
        tag = clean_text(_str(item))
        if tag and tag not in tags:
            tags.append(tag)
    return tags


# <meta>, <time>, <link> -------------------------------------------------------------------

def _meta_tags(page: Page) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for node in _META(page.root):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "")
        if key := key.strip().lower():
            meta.setdefault(key, []).append(node.get("content"))
    return meta


def _from_meta(meta: dict[str, list[str]], page: Page) -> Fields:
    def first(*keys: str) -> str:
        for key in keys:
            for value in meta.get(key, []):
                if text := clean_text(value):
                    return text
        return ""

    fields: Fields = {"headline": first("dc:title", "dcterm:title", "og:title", "twitter:title")}
    raw = first(*_PUBLISHED_META)
    if raw and (iso := page.date(raw)):
        fields["date_published"], fields["date_published_raw"] = iso, raw
    modified = first(*_MODIFIED_META)
    if modified and (iso := page.date(modified)):
        fields["date_modified"] = iso
    fields["section"] = first("article:section")
    fields["tags"] = _keywords(meta.get("article:tag", []) or first("news_keywords"))
    author = first("author", "article:author", "dc.creator", "dcterm:creator", "byl",
                   "parsely-author", "sailthru.author")
    if author and not author.startswith(("http://", "https://")):
        byline = split_byline(author)
        fields["authors"], fields["source"] = byline.authors, byline.publication
    return fields


def _from_time_element(page: Page) -> Fields:
    for query in _TIME_QUERIES:
        for node in query(page.root):
            raw = clean_text(node.get("datetime") or node.get("content"))
            if raw and (iso := page.date(raw)):
                return {"date_published": iso, "date_published_raw": raw}
    return {}


def translations(page: Page) -> dict[str, str]:
    """Other editions from hreflang alternates; the page's own edition is excluded."""
    own = _path(page.url)
    result: dict[str, str] = {}
    for node in _ALTERNATES(page.root):
        code = (node.get("hreflang") or "").strip().lower()
        href = page.absolute(node.get("href"))
        path = _path(href)
        if not href or path is None or not code or code == "x-default" or path == own:
            continue
        edition = _edition(href, code)
        if edition and edition != page.language and edition not in result:
            result[edition] = href
    return result


@lru_cache(maxsize=1024)
def _path(url: str | None) -> str | None:
    """Host-less path of a URL, to recognise the page itself (mirrors serve the same path)."""
    try:
        parts = urlsplit(url or "")
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:  # a malformed alternate is skipped, not fatal
        return None
    return parts.path.rstrip("/") if url else None


def _edition(href: str, code: str) -> str:
    try:
        return edition_of(href) if portal_for(href) else code
    except ValueError:
        return ""


# small helpers ----------------------------------------------------------------------------

def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return clean_text(_str(value.get("name")))
    return clean_text(_str(value))


def _title(page: Page) -> str:
    node = page.root.find(".//title")
    return clean_text("".join(node.itertext())) if node is not None else ""


def _site_names(meta: dict[str, list[str]], page: Page,
                article: dict[str, Any] | None) -> list[str]:
    names = [v for k in ("og:site_name", "application-name", "apple-mobile-web-app-title")
             for v in meta.get(k, [])]
    if article:
        names.append(_name(article.get("publisher")))
    names += [_name(o) for o in _json_ld_objects(page) if _types(o) & {"website", "organization"}]
    return names


def _home_names(page: Page) -> list[str]:
    """The site's name as its home link prints it: the logo's title, alt text or words."""
    try:
        parts = urlsplit(page.url)
    except ValueError:
        return []
    root = f"{parts.scheme}://{parts.netloc}/"
    names: list[str] = []
    for link in _HOME_LINKS(page.root, root=root, bare=root[:-1])[:_MAX_HOME_LINKS]:
        names += [link.get("title") or "", clean_text("".join(link.itertext()))]
        names += [img.get("alt") or "" for img in link.iter("img")]
    return names
