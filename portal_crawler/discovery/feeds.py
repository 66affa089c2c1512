"""Reading what a site lists by machine: sitemaps (indexes, news sitemaps, gzipped), RSS 2.0,
RSS 1.0 and Atom feeds, and the Sitemap: lines of robots.txt.

Pure functions over bytes: the generic spider stays thin and tests need no engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from lxml import etree
from protego import Protego
from scrapy.utils.gz import gunzip

from .sitemaps import GZIP_MAGIC

INDEX, URLSET, FEED = "sitemapindex", "urlset", "feed"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=False,
                          remove_comments=True, remove_pis=True)


class NotAListing(ValueError):
    """The body is neither a sitemap nor a feed (an HTML page, a challenge, garbage)."""


@dataclass(frozen=True)
class Listed:
    """One URL a sitemap or feed lists, with the dates it gives (raw text, as served)."""

    url: str
    lastmod: str | None = None
    published: str | None = None

    def day(self, zone: str) -> date | None:
        """The local day of publication (else of last change) in `zone`; None when undated."""
        return local_day(self.published or self.lastmod, zone)


def read_listing(body: bytes, max_size: int = 50 * 1024 * 1024) -> tuple[str, list[Listed]]:
    """(kind, entries): kind is INDEX (entries are sitemaps), URLSET or FEED (pages)."""
    if body[:3] == GZIP_MAGIC:
        body = gunzip(body, max_size=max_size)
    try:
        root = etree.fromstring(body.strip(), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NotAListing(f"not a sitemap or feed: {exc.__class__.__name__}") from None
    name = _local(root)
    if name in (INDEX, URLSET):
        return name, _sitemap_entries(root)
    if name == "rss":
        return FEED, [e for item in _children(root, "channel", "item") if (e := _rss(item))]
    if name == "RDF":
        return FEED, [e for item in _children(root, "item") if (e := _rss(item))]
    if name == "feed":
        return FEED, [e for entry in _children(root, "entry") if (e := _atom(entry))]
    raise NotAListing(f"not a sitemap or feed: <{name}>")


def robots_sitemaps(body: bytes) -> list[str]:
    """The Sitemap: lines of a robots.txt, in order."""
    return list(Protego.parse(body.decode("utf-8", "replace")).sitemaps)


def local_day(value: str | None, zone: str) -> date | None:
    """The day a sitemap or feed date falls on in `zone` (a bare day is that day)."""
    if not value:
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo(zone)).date()


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, *path: str) -> list[etree._Element]:
    found = [element]
    for name in path:
        found = [c for parent in found for c in parent if _local(c) == name]
    return found


def _text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if child is not element and _local(child) == name and (child.text or "").strip():
            return child.text.strip()
    return None


def _sitemap_entries(root: etree._Element) -> list[Listed]:
    entries = []
    for node in root:
        loc = _text(node, "loc")
        if loc:
            entries.append(Listed(loc, _text(node, "lastmod"), _text(node, "publication_date")))
    return entries


def _rss(item: etree._Element) -> Listed | None:
    link = _text(item, "link")
    if not link:
        guid = next((c for c in item if _local(c) == "guid"), None)
        if guid is not None and guid.get("isPermaLink", "true") != "false":
            link = (guid.text or "").strip() or None
    published = _text(item, "pubDate") or _text(item, "date")
    return Listed(link, None, published) if link else None


def _atom(entry: etree._Element) -> Listed | None:
    links = [c for c in entry if _local(c) == "link" and c.get("href")]
    alternate = [c for c in links if c.get("rel", "alternate") == "alternate"]
    if not alternate:
        return None
    return Listed(alternate[0].get("href").strip(), _text(entry, "updated"),
                  _text(entry, "published"))
