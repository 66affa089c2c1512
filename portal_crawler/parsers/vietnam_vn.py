"""www.vietnam.vn article pages (Next.js, server-rendered): the 2023-2026 template and the older
trailing-slash one with its breadcrumb.

A page object in the manner of web-poet: one method per Article field, named like the field,
sharing the blocks located once (container, body, headline, byline). Selection follows the
structure confirmed in VIETNAM_VN.md: the content container, the first h1, the line after it
that prints a date (the source paper's name twice, people, the date), the body's <p>s, lazy
images, the trailer crediting the source, and headings followed by lists of `a.v-link-title`.
Class names nobody confirmed are hints tried first, never the only way in.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from lxml import etree

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.bylines import clean_authors, split_byline
from ..normalize.text import clean_text, dedupe_repeat, nfc
from .base import SKIP_TAGS, Fields, Page, css, first, text_of
from .blocks import (
    author_links,
    body_fields,
    dateline,
    header_blocks,
    printed_date,
    standfirst,
)

NAME = "vietnam_vn"
VERSION = 1

# Confirmed first, then the fallbacks seen in use.
CONTAINER = (".post-detail-container", ".ant-layout-content", "[role=main]", "main", "body")
BODY = (".post-detail-body",)  # else the block whose <p>s carry the most text
# Hints (unconfirmed class names), each with a structural fallback in its field method.
SECTION = (".post-detail-category a", ".post-detail-category")
BREADCRUMBS = ('[class*="breadcrumb"] a', 'nav[aria-label*="readcrumb"] a',
               '[class*="breadcrumb"] li', '[class*="breadcrumb"] span')
TAG_LINKS = 'a[href*="/tag/"]'
RELATIONS = ("same_topic", "same_category", "same_author")  # their order on the page
_CREDIT_PREFIX = re.compile(r"^(?:Theo|Nguồn|Source|Sumber)\s*[:：]?\s+", re.IGNORECASE)
_CRUMB_SEPARATORS = re.compile(r"\s*[›»>/|]\s*")
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_STRING = etree.XPath("string()")
_ANY_BREADCRUMB = etree.XPath(  # one cheap scan before the four precise queries
    "//@class[contains(., 'readcrumb')] | //@aria-label[contains(., 'readcrumb')]")
_NEAR_HEADLINE = 4  # blocks before the headline searched for a breadcrumb, per level
_LINK_DENSITY = 0.8  # a related item's text is (nearly) all link text
# The first words of the legal footer's lines (normalize/boilerplate.py), lower case.
_LEGAL_WORDS = ("bộ văn hóa", "chịu trách nhiệm", "giấy phép", "trụ sở", "bản quyền",
                "copyright", "©")
# The portal's listing pages: links there are navigation, not related articles.
_NOT_ARTICLE = re.compile(r"/(?:tag|tags|category|authors?|organization|search)(?:/|$)")


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
            found = _densest_body(self.container)
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
                           skip=_legal_footer(self.body_element))

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
        return self._body["related_links"] + _related_lists(
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
                if links and not _crumbs(block):
                    return text_of(links[-1])
        crumbs = self.breadcrumbs()  # "Trang chủ › News › Kinh tế": the last step
        return crumbs[-1] if len(crumbs) > 1 else ""

    def breadcrumbs(self) -> list[str]:
        return list(self._breadcrumbs)

    @cached_property
    def _breadcrumbs(self) -> list[str]:
        """The older template's "Trang chủ › News › Kinh tế"."""
        if self.h1 is not None and (steps := _crumb_block(self.h1, self.container)):
            return steps
        if not _ANY_BREADCRUMB(self.page.root):
            return []
        for query in BREADCRUMBS:
            crumbs: list[str] = []
            for node in css(query)(self.page.root):
                for text in _CRUMB_SEPARATORS.split(text_of(node)):
                    if text and text not in crumbs:
                        crumbs.append(text)
            if crumbs:
                return crumbs
        return []

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


def _densest_body(container: Any) -> Any:
    """The element whose own <p>s carry the most prose, the footer's legal lines, the source
    trailer and ad placeholders not counted (a short Chinese article beside a long legal
    footer is still the body)."""
    scores: dict[Any, int] = {}
    for p in container.iter("p"):
        text = text_of(p)
        if text and not (is_legal_footer(text) or is_source_trailer(text) or is_ad_token(text)):
            parent = p.getparent()
            scores[parent] = scores.get(parent, 0) + len(text)
    return max(scores, key=scores.__getitem__) if scores else None


def _legal_footer(body: Any) -> set[Any]:
    """The ministry's footer printed inside the body: in each block holding two or more legal
    lines ("Giấy phép", "Chịu trách nhiệm", "Trụ sở"...), those lines and all between them."""
    text = nfc(_STRING(body)).lower()
    if sum(text.count(word) for word in _LEGAL_WORDS) < 2:
        return set()  # one cheap look at the whole text first: most bodies have no footer
    lines: dict[Any, list[Any]] = {}
    for p in body.iter("p"):
        if is_legal_footer(text_of(p)):
            lines.setdefault(p.getparent(), []).append(p)
    footer: set[Any] = set()
    for parent, found in lines.items():
        if len(found) > 1:
            children = list(parent)
            footer.update(children[children.index(found[0]):children.index(found[-1]) + 1])
    return footer


def _crumbs(block: Any) -> list[str]:
    """The steps of a breadcrumb: two or more links and, between them, only separators."""
    anchors = block.findall(".//a") if isinstance(block.tag, str) else []
    if len(anchors) < 2:
        return []
    steps = [text_of(a) for a in anchors]
    rest = text_of(block)
    for step in steps:
        rest = rest.replace(step, " ", 1)
    return steps if all(steps) and not _CRUMB_SEPARATORS.sub("", rest).strip() else []


def _crumb_block(h1: Any, container: Any) -> list[str]:
    """A breadcrumb printed before the headline, at any level up to the content container."""
    node = h1
    while node is not None and node is not container:
        for count, block in enumerate(node.itersiblings(preceding=True)):
            if count >= _NEAR_HEADLINE:
                break
            if steps := _crumbs(block):
                return steps
        node = node.getparent()
    return []


def _related_lists(container: Any, body: Any, page: Page) -> list[dict[str, str]]:
    """Each heading after the body followed by blocks of article links (or by nothing) is a
    related list; its relation is a class hint, else its position (topic, category, author)."""
    links: list[dict[str, str]] = []
    position = 0
    for heading in container.iter(*_HEADING_TAGS):
        if body in heading.iterancestors():
            continue  # a subheading of the article
        items = _list_after(heading, page)
        if items is None:
            continue
        relation = _relation_hint(heading) or (
            RELATIONS[position] if position < len(RELATIONS) else "related")
        position += 1
        links += [{"url": url, "text": text, "relation": relation} for url, text in items.items()]
    return links


def _list_after(heading: Any, page: Page) -> dict[str, str] | None:
    """url -> headline of the article links printed after a heading, up to the next heading:
    in one list or as sibling blocks. None when a block there is not a list of articles."""
    node = heading
    while node.getnext() is None and (parent := node.getparent()) is not None and (
            text_of(parent) == text_of(heading)):
        node = parent  # the heading sits alone in a wrapper: the list follows the wrapper
    items: dict[str, str] = {}
    for block in node.itersiblings():
        if not isinstance(block.tag, str) or block.tag.lower() in SKIP_TAGS:
            continue
        if next(block.iter(*_HEADING_TAGS), None) is not None:
            break
        anchors = [block] if block.tag.lower() == "a" else block.findall(".//a")
        if not anchors:
            if text_of(block):
                return None  # prose, a label, a widget: not a list
            continue
        found, link_text = _article_links(anchors, page)
        if not found or link_text < _LINK_DENSITY * _letters(block):
            return None  # links to tags, authors or sections; or a paragraph with a link
        for url, title in found.items():
            if not items.get(url):
                items[url] = title
    return items


def _article_links(anchors: list[Any], page: Page) -> tuple[dict[str, str], int]:
    """url -> text of the links to articles (not to the portal's tag, author, section pages),
    and the letters of all the anchors' text."""
    found: dict[str, str] = {}
    length = 0
    for anchor in anchors:
        letters = _letters(anchor)
        length += letters
        url = page.absolute(anchor.get("href"))
        if url and not _NOT_ARTICLE.search(url) and not found.get(url):
            found[url] = (text_of(anchor) if letters else "") or clean_text(anchor.get("title"))
    return found, length


def _letters(element: Any) -> int:
    """How many non-space characters an element's text has (cheap: no cleaning)."""
    return len("".join(_STRING(element).split()))


def _relation_hint(heading: Any) -> str | None:
    parent = heading.getparent()
    classes = " ".join((heading.get("class") or "", "" if parent is None else
                        parent.get("class") or ""))
    for relation in RELATIONS:
        if relation.split("_")[1] in classes:
            return relation
    return None
