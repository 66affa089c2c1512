"""Layer 3: the extraction for every page without a parser of its own (and fields still empty).

The body is the main content `content.find` locates in the shared parse (prose blocks,
headings, lists and quotes of the best container, boilerplate out), with the images its
markup captions; a page with too little prose there is not an article and gets no body. The
headline is the first h1 (else the <title> without the site name); the date is the dateline
printed right after the headline, else an element marked as a date; authors only when
linked to author pages in the header.
"""

from __future__ import annotations

from html import escape
from typing import Any

from lxml import etree

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.dates import find_date
from . import content
from .base import Fields, Page, css, first_text, text_of
from .blocks import author_links, dateline, header_blocks, printed_date
from .headline import site_keys, strip_site_name
from .people import page_authors

NAME = "generic"
VERSION = 3
NOT_ARTICLE = "not an article"
_SITE_NAME = etree.XPath('//meta[@property="og:site_name" or @name="application-name"]/@content')
_KEPT_TAGS = frozenset({"pre", "blockquote", "li"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_DATE_NODES = tuple(etree.XPath(q) for q in (
    '//*[@itemprop="datePublished"]',
    '//*[contains(@class,"date") or contains(@class,"time") or contains(@class,"publish")]',
))
_MAX_DATE_NODES = 20


def parse(page: Page) -> Fields:
    h1s = css("h1")(page.root)
    h1 = h1s[0] if h1s else None
    headline = (text_of(h1) if h1 is not None else "") or _title(page)
    fields: Fields = {"headline": headline}
    found = content.find(page.root)
    info = dateline(h1) if h1 is not None else None
    if page.wants("authors"):
        sites = site_keys(_SITE_NAME(page.root), page.url)
        fields["authors"] = (author_links(header_blocks(h1, found.container))
                             or page_authors(page.root, sites.all))
    if found.is_article:
        fields.update(_body(found, page, headline))
    elif found.container is not None:
        fields["messages"] = [NOT_ARTICLE]
    if page.wants("date_published"):
        fields.update(_date(page, info))
    return {name: value for name, value in fields.items() if value}


def _body(found: content.Content, page: Page, headline: str) -> Fields:
    texts: list[str] = []
    html: list[str] = []
    for block in found.blocks:
        if block.kind in _HEADINGS and block.text == headline:
            continue  # the headline printed above the body is not body text
        text = block.text
        if is_ad_token(text) or is_source_trailer(text) or is_legal_footer(text):
            continue
        tag = block.kind if block.kind in _HEADINGS or block.kind in _KEPT_TAGS else "p"
        texts.append(text)
        html.append(f"<{tag}>{escape(text, quote=False)}</{tag}>")
    images: list[dict[str, Any]] = []
    for img in found.images:
        image = content.image_fields(img, page.root, page.absolute)
        if image and image not in images:  # the same picture may recur with its caption
            images.append(image)
    return {"body": "\n\n".join(texts), "body_html": "\n".join(html), "images": images}


def _title(page: Page) -> str:
    return strip_site_name(first_text(page.root, "title"), site_keys((), page.url))


def _date(page: Page, info: Any) -> Fields:
    if info is not None and (raw := printed_date(info)) and (iso := page.date(raw)):
        return {"date_published": iso, "date_published_raw": raw}
    for query in _DATE_NODES:
        for node in query(page.root)[:_MAX_DATE_NODES]:
            raw = node.get("datetime") or node.get("content") or text_of(node)
            # find_date first: a cheap regex spares dateparser the nodes that print no date
            if raw and len(raw) < 80 and find_date(raw) and (iso := page.date(raw)):
                return {"date_published": iso, "date_published_raw": raw}
    return {}
