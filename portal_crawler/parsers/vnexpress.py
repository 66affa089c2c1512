"""vnexpress.net article pages, and those of its English edition e.vnexpress.net.

A page object in the manner of web-poet: one method per Article field. Confirmed markup
(VIETNAMESE_PORTALS.md): `h1.title-detail`; the sapo `p.description` opening with a
`span.location-stamp` glued to its text (og:description prints it "Place - text", and so does
the lead here); the body `article.fck_detail ` of `p.Normal`; the author line closing the body,
right-aligned or `p.author_mail`; "Ảnh: …" credits in captions; bare `<ul><li><a>` related
lists in the body; keywords in meta `keywords`, "Tin nóng" not a tag; the date in JSON-LD
(left to the metadata layer when the page prints none). Each class is a hint with a structural
fallback (the first h1, the prose block after it, the densest block of <p>s, a short leading
<span>, the closing bold line), and the unconfirmed parts are found by structure only: the
printed date as a short dated text beside the headline, the breadcrumb as a list of section
links before it. tests/test_vnexpress.py scrambles every class name to hold it to that.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any

from ..normalize.bylines import clean_authors, split_byline
from ..normalize.dates import find_date
from ..normalize.text import clean_text
from .base import Fields, Page, css, first, text_of
from .blocks import body_fields, densest_block, header_blocks

NAME = "vnexpress"
VERSION = 1

HEADLINE = ("h1.title-detail", "h1")
LEAD = ("p.description",)  # else the first prose block between headline and body
LOCATION = ".location-stamp"  # else a short <span> opening the sapo
BODY = ("article.fck_detail",)  # else the block whose <p>s carry the most prose
SIGNATURE = "p.author_mail"  # else the closing right-aligned or all-bold line
HOT = "tin nóng"  # the site's own label in every page's keywords, not a tag
_KEYWORDS = css('meta[name="keywords"]')
_MAX_STAMP = 40  # a longer opening <span> is a phrase of the sapo, not a place name
_MIN_SAPO = 40  # a shorter block after the headline is a label, not the sapo
_MAX_DATE = 80  # a longer text piece is prose that mentions a date
_NEAR = 4  # blocks beside the headline searched for the date and the breadcrumb
_ARTICLE_URL = re.compile(r"-\d{6,}\.html?(?:$|[?#])")
# e.vnexpress.net's "March 2, 2024 | 04:15 pm GMT+7", read here rather than by dateparser
# (~10 ms a page); any other printed date goes through Page.date().
_EN_DATE = re.compile(r"(?P<month>[A-Za-z]+) (?P<d>\d{1,2}), (?P<y>\d{4}) \| (?P<H>\d{1,2}):"
                      r"(?P<M>\d{2}) (?P<half>[ap]m) GMT(?P<tz>[+-]\d{1,2})", re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")


def parse(page: Page) -> Fields:
    return ArticlePage(page).to_item()


class ArticlePage:
    """One vnexpress article page; `to_item()` returns the non-empty fields it found."""

    FIELDS = ("headline", "lead", "authors", "source", "date_published", "date_published_raw",
              "section", "breadcrumbs", "tags", "body", "body_html", "images", "related_links")

    def __init__(self, page: Page) -> None:
        self.page = page
        root = page.root
        self.h1 = first(root, *HEADLINE)
        body = first(root, *BODY)
        self.body_element = body if body is not None else densest_block(root)
        sapo = first(root, *LEAD)
        self.sapo = sapo if sapo is not None else self._sapo_by_structure()

    def to_item(self) -> Fields:
        item = {name: getattr(self, name)() for name in self.FIELDS}
        return {name: value for name, value in item.items() if value}

    def _sapo_by_structure(self) -> Any:
        """The first prose block (no links) between the headline and the body."""
        for block in header_blocks(self.h1, self.body_element):
            if len(text_of(block)) >= _MIN_SAPO and not block.xpath(".//a"):
                return block
        return None

    def _beside_headline(self) -> list[Any]:
        """The blocks just before the headline (date, breadcrumb), then those after it."""
        if self.h1 is None:
            return []
        before = [b for b in self.h1.itersiblings(preceding=True) if isinstance(b.tag, str)]
        return before[:_NEAR] + header_blocks(self.h1, self.body_element)

    # headline, lead --------------------------------------------------------------------------

    def headline(self) -> str:
        return text_of(self.h1) if self.h1 is not None else ""

    def lead(self) -> str | None:
        return self._lead

    @cached_property
    def _lead(self) -> str | None:
        """The sapo as the site writes it in plain text: "Hà Nội - text"."""
        if self.sapo is None:
            return None
        text = text_of(self.sapo)
        place = self._location()
        if place and text.startswith(place) and (rest := text[len(place):].lstrip(" -–")):
            return f"{place} - {rest}"
        return text or None

    def _location(self) -> str:
        stamp = first(self.sapo, LOCATION)
        if stamp is None and len(self.sapo) and self.sapo[0].tag == "span" and not (
                self.sapo.text or "").strip() and (self.sapo[0].tail or "").strip():
            stamp = self.sapo[0]  # a short <span> opening the sapo, glued to its text
        text = text_of(stamp) if stamp is not None else ""
        return text if len(text) <= _MAX_STAMP else ""

    # body --------------------------------------------------------------------------------

    @cached_property
    def _signature_lines(self) -> list[Any]:
        return css(SIGNATURE)(self.body_element) if self.body_element is not None else []

    @cached_property
    def _body(self) -> Fields:
        if self.body_element is None:
            return {"signatures": [], "images": [], "related_links": []}
        fields = body_fields(self.body_element, self.page, self._lead or "",
                             skip=set(self._signature_lines))
        fields["signatures"] = [text_of(p) for p in self._signature_lines] + fields["signatures"]
        return fields

    def body(self) -> str | None:
        return self._body.get("body")

    def body_html(self) -> str | None:
        return self._body.get("body_html")

    def images(self) -> list[dict[str, Any]]:
        return self._body["images"]

    def related_links(self) -> list[dict[str, str]]:
        return self._body["related_links"]

    # byline, date ----------------------------------------------------------------------------

    @cached_property
    def _byline(self) -> tuple[list[str], str | None]:
        people: list[str] = []
        source = None
        for line in self._body["signatures"]:
            byline = split_byline(line)
            people += byline.authors
            source = source or byline.publication
        return clean_authors(people, publications=[source] if source else []), source

    def authors(self) -> list[str]:
        return self._byline[0]

    def source(self) -> str | None:
        return self._byline[1]

    @cached_property
    def _printed_date(self) -> tuple[str, str | None]:
        """(as printed, ISO) of the first short dated text beside the headline (the sapo's
        "Chiều 3/3, ..." is prose, not the date)."""
        for block in self._beside_headline():
            if block is self.sapo:
                continue
            for piece in block.xpath(".//text()"):
                raw = clean_text(piece)
                if raw and len(raw) <= _MAX_DATE and find_date(raw) and (
                        iso := _english_date(raw) or self.page.date(raw)):
                    return raw, iso
        return "", None

    def date_published_raw(self) -> str:
        return self._printed_date[0]

    def date_published(self) -> str | None:
        return self._printed_date[1]

    # classification --------------------------------------------------------------------------

    def breadcrumbs(self) -> list[str]:
        return list(self._crumbs)

    @cached_property
    def _crumbs(self) -> list[str]:
        """A list before the headline whose every item is one link to a section (not to an
        article): "Thời sự › Giao thông" without printed separators."""
        for block in self._beside_headline()[:_NEAR]:
            for listing in block.iter("ul", "ol"):
                if steps := _section_links(listing):
                    return steps
        return []

    def section(self) -> str | None:
        return self._crumbs[-1] if self._crumbs else None

    def tags(self) -> list[str]:
        tags: list[str] = []
        for meta in _KEYWORDS(self.page.root):
            for word in (meta.get("content") or "").split(","):
                word = clean_text(word)
                if word and word.casefold() != HOT and word not in tags:
                    tags.append(word)
        return tags


def _section_links(listing: Any) -> list[str]:
    items = [li for li in listing if isinstance(li.tag, str)]
    steps = []
    for li in items:
        links = li.findall(".//a")
        if li.tag != "li" or len(links) != 1 or text_of(li) != text_of(links[0]):
            return []
        if _ARTICLE_URL.search(links[0].get("href") or "") or not text_of(links[0]):
            return []
        steps.append(text_of(links[0]))
    return steps


def _english_date(raw: str) -> str | None:
    match = _EN_DATE.fullmatch(raw)
    if match is None or match["month"].lower() not in _MONTHS:
        return None
    hour = int(match["H"]) % 12 + (12 if match["half"].lower() == "pm" else 0)
    try:
        zone = timezone(timedelta(hours=int(match["tz"])))
        moment = datetime(int(match["y"]), _MONTHS.index(match["month"].lower()) + 1,
                          int(match["d"]), hour, int(match["M"]), tzinfo=zone)
    except ValueError:
        return None  # not a real day, time or offset
    return moment.isoformat()

