"""Layer 3: a small, honest fallback for portals without a parser (or fields still empty).

Readability-lite: the element holding the most paragraph text is the body. It finds headline,
body, images and a printed date; it does not guess authors, sources or related lists,
nor calls an unmarked first paragraph a lead.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .base import Fields, Page, first_text, text_of
from .blocks import body_fields

NAME = "generic"
VERSION = 1

_NOT_BODY = ("nav", "aside", "footer", "header", "form", "figure", "figcaption", "menu")
_PARAGRAPHS = "//p[not(ancestor::*[self::" + " or self::".join(_NOT_BODY) + "])]"
_DATE_NODES = (
    '//*[@itemprop="datePublished"]',
    '//*[contains(@class,"date") or contains(@class,"time") or contains(@class,"publish")]',
)
_MAX_DATE_NODES = 20
_DIGIT = re.compile(r"\d")


def parse(page: Page) -> Fields:
    fields: Fields = {"headline": first_text(page.sel, "h1") or _title(page)}
    container = _body_container(page)
    if container is not None:
        fields.update(body_fields(container, page))
        fields.pop("lead", None)  # an unmarked first paragraph is not a standfirst
    fields.update(_date(page))
    return {name: value for name, value in fields.items() if value}


def _title(page: Page) -> str:
    title = first_text(page.sel, "title")
    for sep in (" | ", " - ", " – ", " — "):
        if sep in title:
            return title.rsplit(sep, 1)[0].strip()
    return title


def _body_container(page: Page) -> Any:
    """The parent whose paragraphs carry the most text (ties: the first in the page)."""
    scores: Counter[Any] = Counter()
    for p in page.sel.xpath(_PARAGRAPHS):
        parent = p.root.getparent()
        if parent is not None:
            scores[parent] += len(text_of(p))
    if not scores:
        return None
    return max(scores, key=scores.__getitem__)


def _date(page: Page) -> Fields:
    for query in _DATE_NODES:
        for node in page.sel.xpath(query)[:_MAX_DATE_NODES]:
            raw = node.attrib.get("datetime") or node.attrib.get("content") or text_of(node)
            if raw and len(raw) < 80 and _DIGIT.search(raw) and (iso := page.date(raw)):
                return {"date_published": iso, "date_published_raw": raw}
    return {}
