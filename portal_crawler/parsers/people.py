"""The people a page prints as its authors: microdata, rel=author, byline and author boxes.

The first of these that names someone wins, in that order of trust. A byline is cut where
its date or role begins ("By Jane Doe March 25, 2015", "Kelli Miller WebMD Health News" is
left to `split_byline`); names linked inside it are preferred to its free text. A byline that
names only the site or a publication is no person.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ..normalize.bylines import split_byline
from ..normalize.text import clean_text
from .headline import key

_QUERIES = tuple(etree.XPath(q) for q in (
    '//*[@itemprop="author" or @itemprop="creator"]',
    '//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]',
    '//*[contains(@class, "byline") or contains(@id, "byline")]',
    '//*[contains(@class, "author") or contains(@id, "author")][not(self::body)]',
))
_NAME_PROP = etree.XPath('.//*[@itemprop="name"]')
_MAX_BYLINE = 120  # longer text is an author box's biography, not a byline
_MAX_NODES = 12
_CUT = re.compile(r"\d|\s[|•·]\s|\n|\s{3,}")
_MONTH_TAIL = re.compile(
    r"\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.IGNORECASE)
_UPDATED = re.compile(r"\b(?:updated|published|posted|last updated)\b.*$", re.IGNORECASE)
_NOT_NAMES = re.compile(r"^(?:follow|share|about|more|view|see|contact|subscribe|author|"
                        r"authors|by|posted|written)\b", re.IGNORECASE)


def page_authors(root: Any, sites: frozenset[str]) -> list[str]:
    """Names of the people credited on the page, or [] when none is found."""
    for query in _QUERIES:
        for node in query(root)[:_MAX_NODES]:
            if not isinstance(node.tag, str) or node.tag in ("meta", "link", "script"):
                continue
            if names := _names(node, sites):
                return names  # the first byline: later ones credit other articles
    return []


def _names(node: Any, sites: frozenset[str]) -> list[str]:
    prop = _NAME_PROP(node)
    raw = "".join(prop[0].itertext()) if prop else "".join(node.itertext())
    text = clean_text(raw) if prop else raw.strip()
    if not text or len(clean_text(text)) > _MAX_BYLINE:
        return []
    if not prop and (links := [clean_text("".join(a.itertext())) for a in node.iter("a")]):
        linked = [t for t in links if t and not _CUT.search(t)]
        if linked and sum(map(len, linked)) >= 0.5 * len(clean_text(_before_cut(text))):
            text = ", ".join(linked)
    text = _before_cut(text)
    text = _MONTH_TAIL.sub("", _UPDATED.sub("", text))
    people = []
    for person in split_byline(text).authors:
        k = key(person)
        if (len(k) >= 3 and k not in sites and not _NOT_NAMES.match(person)
                and len(person.split()) <= 4 and person[0].isupper() and person not in people):
            people.append(person)
    return people


def _before_cut(text: str) -> str:
    match = _CUT.search(text)
    return clean_text(text[: match.start()] if match else text)
