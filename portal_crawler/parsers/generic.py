"""Layer 3: a small, honest fallback for portals without a parser (or fields still empty).

Readability-lite, fast (no second parse): the element holding the most paragraph text is the
body, cleaned by the same block walk as the portal parsers (ads, captions, related boxes and
source trailers out); the headline is the first h1 (else the <title> without the site name);
the date is the dateline printed right after the headline, else an element marked as a date.
Authors only when linked to author pages in the header; it does not guess sources or related
lists, nor calls a first paragraph a lead unless it stands between headline and dateline.
A body it is not `confident()` about may be replaced by the `library` layer's.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .base import Fields, Page, css, first_text, text_of
from .blocks import (
    author_links,
    body_fields,
    dateline,
    densest_block,
    header_blocks,
    printed_date,
    standfirst,
)

NAME = "generic"
VERSION = 2

_DATE_NODES = tuple(etree.XPath(q) for q in (
    '//*[@itemprop="datePublished"]',
    '//*[contains(@class,"date") or contains(@class,"time") or contains(@class,"publish")]',
))
_MAX_DATE_NODES = 20
_DIGIT = re.compile(r"\d")
# A body below both is a guess: the library layer's confident body replaces it.
MIN_PARAGRAPHS = 2
MIN_CHARS = 200


def parse(page: Page) -> Fields:
    h1s = css("h1")(page.root)
    h1 = h1s[0] if h1s else None
    fields: Fields = {"headline": (text_of(h1) if h1 is not None else "") or _title(page)}
    container = densest_block(page.root)
    info = dateline(h1) if h1 is not None else None
    fields["authors"] = author_links(header_blocks(h1, container))
    if container is not None:
        lead = standfirst(h1, info)
        found = body_fields(container, page, lead)
        if not lead:
            found.pop("lead", None)  # an unmarked first paragraph is not a standfirst
        found.pop("signatures", None)  # a closing name is a guess at an author: not made here
        fields.update(found)
    fields.update(_date(page, info))
    return {name: value for name, value in fields.items() if value}


def confident(body: str | None) -> bool:
    body = body or ""
    return body.count("\n\n") + 1 >= MIN_PARAGRAPHS and len(body) >= MIN_CHARS


def _title(page: Page) -> str:
    title = first_text(page.root, "title")
    for sep in (" | ", " - ", " – ", " — "):
        if sep in title:
            return title.rsplit(sep, 1)[0].strip()
    return title


def _date(page: Page, info: Any) -> Fields:
    if info is not None and (raw := printed_date(info)) and (iso := page.date(raw)):
        return {"date_published": iso, "date_published_raw": raw}
    for query in _DATE_NODES:
        for node in query(page.root)[:_MAX_DATE_NODES]:
            raw = node.get("datetime") or node.get("content") or text_of(node)
            if raw and len(raw) < 80 and _DIGIT.search(raw) and (iso := page.date(raw)):
                return {"date_published": iso, "date_published_raw": raw}
    return {}
