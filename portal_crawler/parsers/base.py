"""What every extraction layer shares: the parsed page, its context, DOM text helpers.

The document is parsed once in `extract()`; layers receive the same `Page` and return only the
fields they found (a partial dict of Article fields), never an Article.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

from cssselect import HTMLTranslator
from lxml import etree, html
from parsel import Selector

from ..normalize.dates import parse_date
from ..normalize.text import clean_text, nfc

Fields = dict[str, Any]

# Elements whose text is never article text.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "button",
                       "select", "textarea", "head", "title", "meta", "link"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "br", "h1", "h2", "h3", "h4", "h5", "h6",
                         "section", "article", "figure", "figcaption", "td", "tr", "table",
                         "header", "footer", "aside", "nav", "blockquote", "dd", "dt", "hr"})
# Inline markup kept in body_html; everything else is unwrapped to its text.
_KEEP_INLINE = frozenset({"a", "b", "strong", "i", "em", "u", "sub", "sup", "br"})
_SPACES = re.compile(r"\s+")
_TRANSLATOR = HTMLTranslator()
_CLASS_ONLY = re.compile(r"^\.[A-Za-z_][\w-]*$")


@dataclass(frozen=True)
class Page:
    """The parsed document plus what layers need to interpret it."""

    sel: Selector
    url: str
    language: str
    zone: str
    fetched_at: datetime
    # Fields still empty when this layer runs (None: all); a layer may skip looking for others.
    wanted: frozenset[str] | None = None

    def wants(self, name: str) -> bool:
        return self.wanted is None or name in self.wanted

    @property
    def root(self) -> Any:
        """The lxml root element (layers use compiled XPath on it: parsel per call is slow)."""
        return self.sel.root

    def absolute(self, href: str | None) -> str | None:
        href = (href or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            return None
        return _join(self.url, href)

    def date(self, raw: str | None) -> str | None:
        return parse_date(raw, language=self.language, zone=self.zone,
                          relative_base=self.fetched_at)


@lru_cache(maxsize=256)
def css(query: str) -> Any:
    """A CSS selector compiled once to an XPath callable: `css("h1")(element)`."""
    if _CLASS_ONLY.match(query):  # ".name": a cheap contains() scan, the token checked after
        return _ClassQuery(query[1:])
    return etree.XPath(_TRANSLATOR.css_to_xpath(query))


class _ClassQuery:
    """`.name` as cssselect means it (a whole class token), without normalize-space per node."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.xpath = etree.XPath(f"descendant-or-self::*/@class[contains(., '{name}')]")

    def __call__(self, element: Any) -> list[Any]:
        return [value.getparent() for value in self.xpath(element) if self.name in value.split()]


def first(element: Any, *queries: str) -> Any:
    """The first element matched by the first query that matches anything, or None."""
    for query in queries:
        found = css(query)(element)
        if found:
            return found[0]
    return None


@lru_cache(maxsize=4096)
def _join(base: str, href: str) -> str | None:
    """An absolute http(s) URL, or None: a corrupted scheme ("htps://", "dta:") or host
    ("http:/>/[::1") is dropped, never passed on as a link."""
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port or IPv6 host
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def element(node: Selector | Any) -> Any:
    return node.root if isinstance(node, Selector) else node


def text_of(node: Selector | Any) -> str:
    """Visible text of an element: blocks and <br> separate words, scripts and comments skipped."""
    root = element(node)
    if not isinstance(root, etree._Element):
        return clean_text(str(root))
    if not len(root):  # a leaf (most <p>, <a>, <span>): its own text
        return clean_text(root.text) if isinstance(root.tag, str) and (
            root.tag.lower() not in SKIP_TAGS) else ""
    parts: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):  # no start/end for these: only their tail is text
            if not skipping and el is not root:
                parts.append(el.tail or "")
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        skip = not tag or tag.lower() in SKIP_TAGS
        if event == "start":
            if skip:
                skipping += 1
            elif not skipping:
                if tag.lower() in _BLOCK_TAGS:
                    parts.append(" ")
                parts.append(el.text or "")
        else:
            if skip:
                skipping -= 1
            elif not skipping and tag.lower() in _BLOCK_TAGS:
                parts.append(" ")
            if not skipping and el is not root:
                parts.append(el.tail or "")
    return clean_text("".join(parts))


def first_text(root: Any, *queries: str) -> str:
    """Text of the first non-empty match of the first query that has one (CSS)."""
    root = element(root)
    for query in queries:
        for node in css(query)(root):
            text = text_of(node)
            if text:
                return text
    return ""


def paragraph_html(node: Selector | Any, page: Page) -> str:
    """One <p> of body_html: inline emphasis and links kept, attributes and wrappers dropped."""
    el = element(node)
    if not len(el):  # the common case: a paragraph of plain text
        text = (_inline_clean(el.text) or "").lstrip()
        return f"<p>{escape(text, quote=False)}</p>" if text else "<p></p>"
    el = copy.deepcopy(el)
    el.tail = None
    for bad in el.xpath(".//comment()|.//script|.//style|.//noscript|.//template|.//img"):
        _drop_keep_tail(bad)
    for child in list(el.iterdescendants()):
        if isinstance(child.tag, str) and child.tag.lower() not in _KEEP_INLINE:
            child.tag = "span"
    for child in el.iter():
        href = child.get("href") if child.tag == "a" else None
        child.attrib.clear()
        if href and (absolute := page.absolute(href)):
            child.set("href", absolute)
    etree.strip_tags(el, "span")
    el.tag = "p"
    for child in el.iter():
        child.text = _inline_clean(child.text)
        child.tail = _inline_clean(child.tail) if child is not el else None
    el.text = (el.text or "").lstrip() or None
    return html.tostring(el, encoding="unicode").strip()


def _inline_clean(text: str | None) -> str | None:
    return _SPACES.sub(" ", nfc(text)) if text else text


def _drop_keep_tail(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    prev = el.getprevious()
    # nfc() drops control characters: the HTML parser lets them in, lxml refuses them back.
    if prev is not None:
        prev.tail = nfc((prev.tail or "") + tail)
    else:
        parent.text = nfc((parent.text or "") + tail)
    parent.remove(el)
