"""Reading a listing page: which links are articles, which are more listings, which is the next
page, and which feeds it declares. Judged by URL shape and position, never by a site's
classes (they differ on every site and change without notice)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

# Usual places of feeds and sitemaps, probed when a site declares none.
USUAL_FEEDS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
USUAL_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")

# Navigation by position: links here are menus, not the page's list.
_CHROME = frozenset({"nav", "header", "footer", "aside", "menu"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "menu"})
# Listing, tag, author and other index pages, by a path segment.
_LISTING_SEGMENT = re.compile(
    r"^(?:tags?|category|categories|topics?|sections?|authors?|writers?|people|users?|"
    r"profiles?|archives?|search|label|labels|page|feed|rss|login|register|subscribe|"
    r"about|contact|privacy|terms|newsletter)$", re.I)
_PAGINATION = re.compile(r"(?:/page/\d+/?$)|(?:[?&](?:page|p|pg|paged)=\d+)", re.I)
_NOT_PAGES = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|zip|mp[34]|css|js|xml|json|ico)$",
                        re.I)
_DATE_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])(?:/|$)")
_WORD = re.compile(r"[^\W_]+")
_NUMBER_ID = re.compile(r"\d{4,}")


@dataclass
class Links:
    articles: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


def is_listing_url(url: str) -> bool:
    """A listing, tag, author, search or paginated index URL (never an article), or the home."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return True
    if _PAGINATION.search(parts.path + ("?" + parts.query if parts.query else "")):
        return True
    return any(_LISTING_SEGMENT.match(s) for s in segments[:-1]) or bool(
        _LISTING_SEGMENT.match(segments[-1]))


def looks_like_article(url: str) -> bool:
    """An article's URL shape: a slug of several words, a numeric id, or a dated path."""
    parts = urlsplit(url)
    if is_listing_url(url) or _NOT_PAGES.search(parts.path):
        return False
    segments = [s for s in parts.path.split("/") if s]
    last = re.sub(r"\.(?:s?html?|php|aspx?)$", "", segments[-1], flags=re.I)
    words = _WORD.findall(last)
    return (len(words) >= 3 or bool(_NUMBER_ID.search(last)) or bool(_DATE_PATH.search(
        parts.path)) or (len(segments) >= 2 and len(words) >= 2 and len(last) >= 12))


def read_listing_page(body: bytes | str, url: str, owns: Callable[[str], bool]) -> Links:
    """Article links, listing links (tag, category, author pages) and next pages of one
    listing page outside its chrome (menus, header, footer, sidebars), each once, in order."""
    root = _root(body)
    links = Links()
    if root is None:
        return links
    base = _base(root, url)
    seen = {url.split("#", 1)[0]}
    for element in root.iter("a", "link"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = urljoin(base, href).split("#", 1)[0]
        rel = (element.get("rel") or "").lower().split()
        if "next" in rel and owns(target) and target not in links.next_pages:
            links.next_pages.append(target)
            continue
        if element.tag != "a" or target in seen or not owns(target):
            continue
        if urlsplit(target).scheme not in ("http", "https") or _NOT_PAGES.search(
                urlsplit(target).path):
            continue
        seen.add(target)
        if _in_chrome(element):
            continue
        if _PAGINATION.search(target):
            links.next_pages.append(target)
        elif looks_like_article(target):
            links.articles.append(target)
        elif is_listing_url(target):
            links.listings.append(target)
        # Anything else (a short path, a page of unknown shape) is not followed: on real
        # sites those are mostly static pages, and following them walks the whole site.
    return links


def feed_links(body: bytes | str, url: str) -> list[str]:
    """Feeds a page declares with <link rel=alternate type=RSS/Atom>."""
    root = _root(body)
    if root is None:
        return []
    base = _base(root, url)
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            target = urljoin(base, href)
            if target not in found:
                found.append(target)
    return found


def canonical_link(body: bytes | str, url: str) -> str | None:
    """The page's <link rel=canonical>, absolute; None when absent."""
    root = _root(body)
    if root is None:
        return None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(_base(root, url), link.get("href").strip())
    return None


def _root(body: bytes | str) -> etree._Element | None:
    try:
        return html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None


def _base(root: etree._Element, url: str) -> str:
    for base in root.iter("base"):
        if base.get("href"):
            return urljoin(url, base.get("href").strip())
    return url


def _in_chrome(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _CHROME or (ancestor.get("role") or "").lower() in _CHROME_ROLES:
            return True
    return False
