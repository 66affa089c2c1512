"""www.vietnam.vn article pages (Next.js, server-rendered): the 2023-2026 template and the older
trailing-slash one with its breadcrumb.

A page object in the manner of web-poet: one method per Article field, named like the field,
sharing the blocks located once (container, body, headline, byline). Selection follows the
structure confirmed in VIETNAM_VN.md: the content container, the first h1, the line after it
that prints a date (the source paper's name twice, people, the date), the body's <p>s, lazy
images, the trailer crediting the source. Everything else is found by structure
(vietnam_vn_layout.py): the body by its prose, the legal footer by its lines, breadcrumbs by
their separators, related lists as the headings after the body followed by article links.
Class names nobody confirmed are hints at most, never the only way in: the page survives a
redesign that renames every class (tests/test_vietnam_vn_class_blind.py).
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from ..normalize.bylines import clean_authors, split_byline
from ..normalize.text import clean_text, dedupe_repeat
from .base import Fields, Page, css, first, text_of
from .blocks import (
    author_links,
    body_fields,
    dateline,
    header_blocks,
    printed_date,
    standfirst,
)
from .vietnam_vn_layout import (
    crumb_block,
    crumbs,
    densest_body,
    legal_footer,
    related_lists,
)

NAME = "vietnam_vn"
VERSION = 1

# Confirmed first, then the fallbacks seen in use.
CONTAINER = (".post-detail-container", ".ant-layout-content", "[role=main]", "main", "body")
BODY = (".post-detail-body",)  # else the block whose <p>s carry the most text
# Hints (unconfirmed class names), each with a structural fallback in its field method.
SECTION = (".post-detail-category a", ".post-detail-category")
TAG_LINKS = 'a[href*="/tag/"]'
_CREDIT_PREFIX = re.compile(r"^(?:Theo|Nguồn|Source|Sumber)\s*[:：]?\s+", re.IGNORECASE)


def parse(page: Page) -> Fields:
    return ArticlePage(page).to_item()


class ArticlePage:
    """One vietnam.vn article page; `to_item()` returns the non-empty fields it found."""

    FIELDS = ("headline", "lead", "authors", "source", "source_url", "date_published",
              "date_published_raw", "section", "breadcrumbs", "tags", "body", "body_html",
              "images", "related_links")  # translations: hreflang, the metadata layer

    def __init__(self, page: Page) -> None:
        self.page = page
        root = page.root
        self.container = first(root, *CONTAINER)
        if self.container is None:
            self.container = root
        found = first(self.container, *BODY)
        if found is None:
            found = densest_body(self.container)
        self.body_element = found if found is not None else self.container
        h1 = css("h1")(self.container) or css("h1")(root)
        self.h1 = h1[0] if h1 else None
        self.info = dateline(self.h1) if self.h1 is not None else None

    def to_item(self) -> Fields:
        item = {name: getattr(self, name)() for name in self.FIELDS}
        return {name: value for name, value in item.items() if value}

    # headline, byline, date --------------------------------------------------------------

    def headline(self) -> str:
        return text_of(self.h1) if self.h1 is not None else ""

    @cached_property
    def _byline(self) -> tuple[str, list[str], str]:
        """(source paper, people, printed date) of the line under the headline."""
        if self.info is None:
            return "", [], ""
        raw = printed_date(self.info)
        text = text_of(self.info)
        people = self._author_links()
        credited = text.replace(raw, " ") if raw else text
        for person in people:
            credited = credited.replace(person, " ")
        credited = credited.strip(" ,-|·")
        logo = clean_text(next(iter(self.info.xpath(".//img/@alt")), ""))
        name = dedupe_repeat(credited) or logo
        if logo and name.startswith(logo) and name != logo:
            # "Báo Quốc Tế Thanh Hà, Minh Anh": people printed after the paper's name
            people += split_byline(name[len(logo):]).authors
            name = logo
        elif not people and name and logo != name:
            byline = split_byline(name, publications=[logo] if logo else [])
            name = byline.publication or name
            people = byline.authors if byline.publication else []
        return _CREDIT_PREFIX.sub("", name), people, raw

    def _author_links(self) -> list[str]:
        """People linked to their author pages in the header (the dateline or a line of its own)."""
        return author_links(header_blocks(self.h1, self.body_element))

    def source(self) -> str:
        return self._byline[0]

    def authors(self) -> list[str]:
        source = self.source()
        people = self._byline[1] or self._author_links()
        signed = [p for s in self._body["signatures"] for p in split_byline(s).authors]
        return clean_authors(people + signed, publications=[source] if source else [])

    def date_published_raw(self) -> str:
        return self._byline[2]

    def date_published(self) -> str | None:
        raw = self.date_published_raw()
        return self.page.date(raw) if raw else None

    # body ----------------------------------------------------------------------------------

    @cached_property
    def _body(self) -> Fields:
        return body_fields(self.body_element, self.page, self._standfirst(),
                           skip=legal_footer(self.body_element))

    def _standfirst(self) -> str:
        return standfirst(self.h1, self.info)

    def lead(self) -> str | None:
        return self._body["lead"]

    def body(self) -> str:
        return self._body["body"]

    def body_html(self) -> str:
        return self._body["body_html"]

    def images(self) -> list[dict[str, Any]]:
        return self._body["images"]

    def source_url(self) -> str | None:
        return self._body["source_url"]

    def related_links(self) -> list[dict[str, str]]:
        return self._body["related_links"] + related_lists(
            self.container, self.body_element, self.page)

    # classification --------------------------------------------------------------------

    def section(self) -> str:
        """The category link printed above the headline, else the breadcrumb's last step."""
        found = first(self.container, *SECTION)
        if found is not None and (text := text_of(found)):
            return text
        if self.h1 is not None:
            for block in self.h1.itersiblings(preceding=True):
                links = block.findall(".//a") if isinstance(block.tag, str) else []
                if links and not crumbs(block):
                    return text_of(links[-1])
        steps = self.breadcrumbs()  # "Trang chủ › News › Kinh tế": the last step
        return steps[-1] if len(steps) > 1 else ""

    def breadcrumbs(self) -> list[str]:
        return list(self._breadcrumbs)

    @cached_property
    def _breadcrumbs(self) -> list[str]:
        """The older template's "Trang chủ › News › Kinh tế", before the headline."""
        return crumb_block(self.h1) if self.h1 is not None else []

    def tags(self) -> list[str]:
        """Links into the portal's /tag/ pages, outside the body (a link in prose is not a tag)."""
        found: list[str] = []
        for node in css(TAG_LINKS)(self.container):
            if any(a is self.body_element for a in node.iterancestors()):
                continue
            text = text_of(node).lstrip("#").strip()
            if text and text not in found:
                found.append(text)
        return found
