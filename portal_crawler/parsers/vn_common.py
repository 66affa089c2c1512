"""The article page of a big Vietnamese daily (tuoitre.vn, thanhnien.vn, dantri.com.vn).

A page object in the manner of web-poet, one method per Article field. VIETNAMESE_PORTALS.md
confirms only a few class names per site (body, sapo, boxes to drop); each portal module names
those as hints, and everything works without them: the body is the block whose <p>s carry the
most prose, the headline the first <h1>, the article the smallest block holding both. Around
them, by structure: the sapo is the first long text after the headline with no link in it,
the date the first short text before the body that is all a date, the section the last link
before the headline, authors the links to `/tac-gia/` pages (or the body's closing signature),
tags the links to `/tag/` pages outside the body. Inserted boxes are dropped by their words
("Đọc tiếp", "Về trang Chủ đề") or as blocks of author links. What the page does not print
(a date or byline given only in JSON-LD) is left to the metadata layer; a page whose body is
not two paragraphs of prose (a listing) gets nothing, and the generic layer judges it.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, ClassVar

from lxml import etree

from ..normalize.bylines import clean_authors, split_byline
from ..normalize.dates import find_date
from ..normalize.text import clean_text
from .base import SKIP_TAGS, Fields, Page, first, text_of
from .blocks import body_fields, densest_block

_MIN_SAPO = 40  # a shorter text after the headline is a label, a byline or a date
_MAX_DATE_TEXT = 80  # a longer text piece is prose that mentions a date
_DATE_SLACK = 14  # "Thứ năm, " or " GMT+7" around the date: still a date line
_AUTHOR_PAGE = re.compile(r"/tac-gia/")
_TAG_PAGE = re.compile(r"/tags?/")
_BOXES = ("div", "section", "aside", "table", "ul", "ol")
_CHROME = frozenset({"nav", "header", "footer", "aside", "menu"})  # the site's, not the article's


class DailyPage:
    """One article page; `to_item()` returns the non-empty fields it found."""

    FIELDS = ("headline", "lead", "authors", "date_published", "date_published_raw", "section",
              "tags", "body", "body_html", "images", "related_links")
    # Class names VIETNAMESE_PORTALS.md confirms for the portal (hints, never the only way).
    BODY: ClassVar[tuple[str, ...]] = ()
    SAPO: ClassVar[tuple[str, ...]] = ()
    DROP: ClassVar[frozenset[str]] = frozenset()
    # The words of inserted boxes to drop, wherever they stand in the body.
    DROP_LABELS: ClassVar[tuple[str, ...]] = ("Đọc tiếp", "Về trang Chủ đề")
    # The paper's dateline opening the lead ("(Dân trí) - "), anchored with `^`: not prose.
    DATELINE: ClassVar[re.Pattern[str] | None] = None

    def __init__(self, page: Page) -> None:
        self.page = page
        root = page.root
        h1 = next(root.iter("h1"), None)
        self.h1 = h1
        found = first(root, *self.BODY) if self.BODY else None
        if found is None:
            found = densest_block(root)
        self.body_element = found if found is not None else root
        self.scope = _common_ancestor(h1, self.body_element) if h1 is not None else root
        self.skip = dropped_boxes(self.body_element, self.DROP, self.DROP_LABELS)

    def to_item(self) -> Fields:
        """The fields found; nothing on a page that is not an article (the generic layer then
        says so)."""
        if not self.is_article():
            return {}
        item = {name: getattr(self, name)() for name in self.FIELDS}
        return {name: value for name, value in item.items() if value}

    def is_article(self) -> bool:
        """A headline and a body of two or more paragraphs of prose: a listing's densest block
        is one teaser's summary."""
        prose = (p for p in self.body_element.iter("p") if len(text_of(p)) >= _MIN_SAPO)
        return self.h1 is not None and next(prose, None) is not None and (
            next(prose, None) is not None)

    # the header: everything in the article before the body ---------------------------------

    @cached_property
    def _header(self) -> list[Any]:
        """Elements of the article before the body, in page order (the body's ancestors and
        what lies in them after the body excluded)."""
        above = set(self.body_element.iterancestors())
        out = []
        for element in self.scope.iter(etree.Element):
            if element is self.body_element:
                break
            if element not in above and element.tag.lower() not in SKIP_TAGS:
                out.append(element)
        return out

    def headline(self) -> str:
        return text_of(self.h1) if self.h1 is not None else ""

    @cached_property
    def _sapo_element(self) -> Any:
        """The sapo by its hint, else the first long text after the headline without links."""
        found = first(self.scope, *self.SAPO) if self.SAPO else None
        if found is not None:
            return found
        after = False
        for element in self._header:
            if element is self.h1:
                after = True
            elif after and not _has_children(element) and self._is_sapo(element):
                return element
        return None

    def _is_sapo(self, element: Any) -> bool:
        text = text_of(element)
        return (len(text) >= _MIN_SAPO and next(element.iter("a"), None) is None
                and not any(a is self.h1 for a in element.iterancestors()) and not
                _is_date(text))

    @cached_property
    def _sapo(self) -> str:
        element = self._sapo_element
        return self._undated(text_of(element)) if element is not None else ""

    def _undated(self, text: str) -> str:
        """The text without the paper's dateline opening it."""
        return self.DATELINE.sub("", text, count=1) if self.DATELINE else text

    def date_published_raw(self) -> str:
        """The first short text before the body that is all a date ("10/07/2025 10:30 GMT+7",
        "Thứ năm, 10/07/2025 - 10:30"); the headline and the sapo are not looked in."""
        sapo = self._sapo_element
        for element in self._header:
            if element is self.h1 or element is sapo:
                continue
            if _is_date(text := clean_text(element.text)):
                return text
        return ""

    def date_published(self) -> str | None:
        raw = self.date_published_raw()
        return self.page.date(raw) if raw else None

    def section(self) -> str:
        """The last link before the headline, menus aside: the category printed above it."""
        found = ""
        for element in self._header:
            if element is self.h1:
                break
            if element.tag == "a" and not _AUTHOR_PAGE.search(element.get("href") or "") and (
                    not any(a.tag in _CHROME for a in element.iterancestors())):
                found = text_of(element) or found
        return found

    def authors(self) -> list[str]:
        people: list[str] = []
        for anchor in self.scope.iter("a"):
            if _AUTHOR_PAGE.search(anchor.get("href") or "") and not self._dropped(anchor):
                name = text_of(anchor)
                if name and name not in people:
                    people.append(name)
        signed = [p for s in self._body["signatures"] for p in split_byline(s).authors]
        return clean_authors(people + [p for p in signed if p not in people])

    def tags(self) -> list[str]:
        """Links to the portal's tag pages, outside the body."""
        found: list[str] = []
        for anchor in self.scope.iter("a"):
            if _TAG_PAGE.search(anchor.get("href") or "") and not self._in_body(anchor):
                text = text_of(anchor).lstrip("#").strip()
                if text and text not in found:
                    found.append(text)
        return found

    def _dropped(self, element: Any) -> bool:
        return any(a in self.skip for a in element.iterancestors())

    def _in_body(self, element: Any) -> bool:
        return any(a is self.body_element for a in element.iterancestors())

    # the body --------------------------------------------------------------------------------

    @cached_property
    def _body(self) -> Fields:
        fields = body_fields(self.body_element, self.page, self._sapo, skip=self.skip)
        lead = fields["lead"]
        if self.DATELINE and lead and (found := self.DATELINE.match(lead)):
            # No sapo: the dateline opens the body's first paragraph.
            cut, html = found.end(), fields["body_html"]  # html opens with "<p>"
            fields.update(lead=lead[cut:], body=fields["body"][cut:],
                          body_html=html[:3] + self.DATELINE.sub("", html[3:], count=1))
        return fields

    def lead(self) -> str | None:
        return self._body["lead"]

    def body(self) -> str:
        return self._body["body"]

    def body_html(self) -> str:
        return self._body["body_html"]

    def images(self) -> list[dict[str, Any]]:
        return self._body["images"]

    def related_links(self) -> list[dict[str, str]]:
        return self._body["related_links"]


def dropped_boxes(body: Any, hints: frozenset[str], labels: tuple[str, ...]) -> set[Any]:
    """Boxes the CMS inserts into the body that are not the article: by a confirmed class, by
    a link opening with their words ("Đọc tiếp ...", "Về trang Chủ đề"), or as a block whose
    links all go to author pages (the author's box)."""
    found: set[Any] = set()
    for element in body.iterdescendants(*_BOXES):
        if any(a in found for a in element.iterancestors()):
            continue
        if hints & set((element.get("class") or "").split()):
            found.add(element)
            continue
        anchors = element.findall(".//a")
        if any(text_of(a).startswith(labels) for a in anchors) or (anchors and all(
                _AUTHOR_PAGE.search(a.get("href") or "") for a in anchors)):
            found.add(element)
    return found


def _is_date(text: str) -> bool:
    if not text or len(text) > _MAX_DATE_TEXT:
        return False
    found = find_date(text)
    return bool(found) and len(found) >= len(text) - _DATE_SLACK


def _has_children(element: Any) -> bool:
    return any(isinstance(c.tag, str) and c.tag.lower() not in ("a", "b", "strong", "i", "em",
                                                                 "span", "br")
               for c in element)


def _common_ancestor(one: Any, other: Any) -> Any:
    """The smallest element holding both (the article around headline and body)."""
    mine = [one, *one.iterancestors()]
    theirs = {other, *other.iterancestors()}
    return next((e for e in mine if e in theirs), one.getroottree().getroot())
