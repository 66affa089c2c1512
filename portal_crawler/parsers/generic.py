"""Layer 3: the extraction for every page without a parser of its own (and fields still empty).

The body is the main content `content.find` locates in the shared parse (prose blocks,
headings, lists and quotes of the best container, boilerplate out), with the images its
markup captions; a page with too little prose there is not an article and gets no body. The
headline is the first h1 (else the <title> without the site name); the date is the dateline
printed right after the headline, else an element marked as a date, neither in the site's
header, navigation, footer or sidebar; authors only when
linked to author pages in the header.
"""

from __future__ import annotations

import re
from html import escape
from itertools import islice
from typing import Any

from lxml import etree

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.dates import find_date
from . import content
from .base import Fields, Page, css, first_text, text_of
from .blocks import author_links, dateline, header_blocks, headline_path, in_chrome, printed_date
from .headline import site_keys, strip_site_name
from .people import line_authors, page_authors

NAME = "generic"
VERSION = 3
NOT_ARTICLE = "not an article"
_SITE_NAME = etree.XPath('//meta[@property="og:site_name" or @name="application-name"]/@content')
_KEPT_TAGS = frozenset({"pre", "blockquote", "li"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SIGNED = "_signed"  # the people a byline line of the body names (not a field)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)

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
    sites = site_keys(_SITE_NAME(page.root), page.url).all
    body = _body(found, page, headline, sites) if found.is_article else {}
    signed = body.pop(_SIGNED, [])
    if page.wants("authors"):
        head = header_blocks(h1, found.container)
        fields["authors"] = (author_links(head) or page_authors(page.root, sites)
                             or _header_byline(head, sites) or signed)
    if found.is_article:
        fields.update(body)
    elif found.container is not None:
        fields["messages"] = [NOT_ARTICLE]
    if page.wants("date_published"):
        fields.update(_date(page, info, headline_path(h1)))
    return {name: value for name, value in fields.items() if value}


def _header_byline(blocks: list[Any], sites: frozenset[str]) -> list[str]:
    """A byline line between headline and body that says so ("By ...", "Tác giả: ...")."""
    for block in blocks:
        if people := line_authors(text_of(block), sites):
            return people
    return []


def _body(found: content.Content, page: Page, headline: str,
          sites: frozenset[str]) -> Fields:
    images: list[dict[str, Any]] = []
    captions: set[str] = set()
    for img in found.images:
        if (pair := content.image_and_caption(img, page.root, page.absolute)) is None:
            continue
        image, printed = pair
        captions.add(printed)
        if image not in images:  # the same picture may recur with its caption
            images.append(image)
    texts: list[str] = []
    html: list[str] = []
    owners: list[Any] = []
    for block in found.blocks:
        if block.kind in _HEADINGS and block.text == headline:
            continue  # the headline printed above the body is not body text
        text = block.text
        if (text in captions or is_ad_token(text) or is_source_trailer(text)
                or is_legal_footer(text)):
            continue
        tag = block.kind if block.kind in _HEADINGS or block.kind in _KEPT_TAGS else "p"
        texts.append(text)
        html.append(f"<{tag}>{escape(text, quote=False)}</{tag}>")
        owners.append(block.owner)
    # A byline printed as a line of the body, closing it (set apart or saying "By ...") or
    # opening it ("Oleh: ..."), credits the article and is not body text.
    people = []
    if texts and (people := line_authors(texts[-1], sites, signed=_set_apart(owners[-1]))):
        del texts[-1], html[-1]
    elif len(texts) > 1 and (people := line_authors(texts[0], sites)):
        del texts[0], html[0]
    return {"body": "\n\n".join(texts), "body_html": "\n".join(html), "images": images,
            _SIGNED: people}


def _set_apart(el: Any) -> bool:
    """Right-aligned, or nothing but one bold run: how a closing signature is printed."""
    if _RIGHT.search(el.get("style") or "") or (el.get("align") or "").lower() == "right":
        return True
    kids = [c for c in el if isinstance(c.tag, str)]
    return (len(kids) == 1 and kids[0].tag in ("strong", "b") and not (el.text or "").strip()
            and not (kids[0].tail or "").strip())


def _title(page: Page) -> str:
    return strip_site_name(first_text(page.root, "title"), site_keys((), page.url))


def _date(page: Page, info: Any, around_headline: frozenset[Any]) -> Fields:
    """The dateline, else the first element marked as a date outside the site's chrome (the
    header's "today" is the day of the visit)."""
    if info is not None and (raw := printed_date(info)) and (iso := page.date(raw)):
        return {"date_published": iso, "date_published_raw": raw}
    for query in _DATE_NODES:
        nodes = (n for n in query(page.root) if not in_chrome(n, around_headline))
        for node in islice(nodes, _MAX_DATE_NODES):
            raw = node.get("datetime") or node.get("content") or text_of(node)
            # find_date first: a cheap regex spares dateparser the nodes that print no date
            if raw and len(raw) < 80 and find_date(raw) and (iso := page.date(raw)):
                return {"date_published": iso, "date_published_raw": raw}
    return {}
