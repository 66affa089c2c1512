"""www.vietnam.vn article pages (Next.js, server-rendered), template of 2023-2026.

Selects by the structure confirmed in VIETNAM_VN.md: the content container, the first h1, the
dd/mm/yyyy line after it (the source paper's name printed twice, then the date), the body's
<p>s, lazy images, the trailer crediting the source, and headings followed by lists of
`a.v-link-title`. Other class names are hints tried first, never the only way in.
"""

from __future__ import annotations

import re

from parsel import Selector

from ..normalize.bylines import clean_authors
from ..normalize.text import clean_text, dedupe_repeat
from .base import Fields, Page, first_text, text_of
from .blocks import body_fields
from .metadata import translations

NAME = "vietnam_vn"
VERSION = 1

CONTAINER = (".post-detail-container", ".ant-layout-content", "[role=main]", "main", "body")
BODY = (".post-detail-body", "article", ".ant-layout-content", "[role=main]")
HEADLINE = "h1"
SECTION = (".post-detail-category a", ".post-detail-category")
BREADCRUMBS = ('[class*="breadcrumb"] a', 'nav[aria-label*="readcrumb"] a')
TAG_LINKS = 'a[href*="/tag/"]'
AUTHOR_LINKS = 'a[href*="/authors/"]'
RELATED_TITLE = "a.v-link-title"
RELATIONS = ("same_topic", "same_category", "same_author")  # their order on the page
# "10:30 14/09/2023", "14/09/2023", "14/09/2023 10:30": the date printed under the headline.
_PRINTED_DATE = re.compile(
    r"(?:\d{1,2}[:h]\d{2}(?::\d{2})?\s*)?\d{1,2}/\d{1,2}/\d{4}(?:\s*\d{1,2}[:h]\d{2}(?::\d{2})?)?"
)
_CREDIT_PREFIX = re.compile(r"^(?:Theo|Nguồn|Source|Sumber)\s*[:：]?\s+", re.IGNORECASE)
_HEADINGS = ("h2", "h3", "h4")
_NEAR_HEADLINE = 4  # blocks after the h1 searched for the byline and a standfirst
_MIN_STANDFIRST = 40  # shorter text between headline and byline is a label, not a lead


def parse(page: Page) -> Fields:
    container = _first(page.sel, CONTAINER) or page.sel
    body = _first(container, BODY) or container
    h1 = (container.css(HEADLINE) or page.sel.css(HEADLINE) or [None])[0]
    fields: Fields = {"headline": text_of(h1) if h1 is not None else ""}
    info = _info_block(h1) if h1 is not None else None
    if info is not None:
        fields.update(byline(info, page))
    fields["section"] = section(container)
    fields["breadcrumbs"] = breadcrumbs(page.sel)
    fields["tags"] = tags(container, body)
    fields.update(body_fields(body.root, page, standfirst(h1, info)))
    fields["related_links"] = fields.get("related_links", []) + related_lists(container, page)
    fields["translations"] = translations(page)
    return {name: value for name, value in fields.items() if value}


def byline(info: Selector, page: Page) -> Fields:
    """Source paper, people (links to /authors/) and the printed date of the byline block."""
    text = text_of(info)
    match = _PRINTED_DATE.search(text)
    raw = match.group(0) if match else ""
    people = [text_of(a) for a in info.css(AUTHOR_LINKS)]
    credited = text[: match.start()] if match else text
    for person in people:
        credited = credited.replace(person, " ")
    name = dedupe_repeat(credited.strip(" ,-|·")) or clean_text(info.css("img::attr(alt)").get())
    source = _CREDIT_PREFIX.sub("", name)
    return {
        "source": source,
        "authors": clean_authors(people, publications=[source]),  # [] when only a paper
        "date_published": page.date(raw) if raw else None,
        "date_published_raw": raw,
    }


def standfirst(h1: Selector | None, info: Selector | None) -> str:
    """A sapo printed between the headline and the byline, when the page has one."""
    if h1 is None or info is None:
        return ""
    for block in h1.xpath(f"following-sibling::*[position() <= {_NEAR_HEADLINE}]"):
        if block.root is info.root:
            break
        text = text_of(block)
        if len(text) >= _MIN_STANDFIRST and not block.css("a"):
            return text
    return ""


def section(container: Selector) -> str:
    """The category link printed above the headline (or the last breadcrumb)."""
    found = first_text(container, *SECTION)
    if found:
        return found
    above = container.xpath("(.//h1)[1]/preceding-sibling::*[position() <= 2][.//a]//a")
    return text_of(above[-1]) if above else ""


def breadcrumbs(sel: Selector) -> list[str]:
    """The older template's "Trang chủ › News › Kinh tế"."""
    for query in BREADCRUMBS:
        crumbs: list[str] = []
        for node in sel.css(query):
            text = text_of(node)
            if text and text not in crumbs:
                crumbs.append(text)
        if crumbs:
            return crumbs
    return []


def tags(container: Selector, body: Selector) -> list[str]:
    """Links into the portal's /tag/ pages, outside the body (a link in prose is not a tag)."""
    found: list[str] = []
    for node in container.css(TAG_LINKS):
        if body.root in node.root.iterancestors():
            continue
        text = text_of(node).lstrip("#")
        if text and text not in found:
            found.append(text)
    return found


def _info_block(h1: Selector) -> Selector | None:
    """The first block after the headline that prints a dd/mm/yyyy date."""
    for scope in (h1, *h1.xpath("parent::*[not(self::body)]")):
        for block in scope.xpath(f"following-sibling::*[position() <= {_NEAR_HEADLINE}]"):
            if _PRINTED_DATE.search(text_of(block)):
                return block
    return None


def related_lists(container: Selector, page: Page) -> list[dict[str, str]]:
    """Each heading followed by a list of `a.v-link-title` (or an empty list) is a related list."""
    links: list[dict[str, str]] = []
    position = 0
    for heading in container.xpath(" | ".join(f".//{h}" for h in _HEADINGS)):
        block = heading.xpath("following-sibling::*[1][self::ul or self::ol or self::div]")
        if not block or (block[0].xpath(".//a") and not block[0].css(RELATED_TITLE)):
            continue
        relation = _relation_hint(heading) or (
            RELATIONS[position] if position < len(RELATIONS) else "related")
        position += 1
        for anchor in block[0].css(RELATED_TITLE):
            url = page.absolute(anchor.attrib.get("href"))
            text = text_of(anchor) or clean_text(anchor.attrib.get("title"))
            if url:
                links.append({"url": url, "text": text, "relation": relation})
    return links


def _relation_hint(heading: Selector) -> str | None:
    classes = " ".join(heading.xpath("ancestor-or-self::*[position() <= 2]/@class").getall())
    for relation in RELATIONS:
        if relation.split("_")[1] in classes:
            return relation
    return None


def _first(sel: Selector, queries: tuple[str, ...]) -> Selector | None:
    for query in queries:
        found = sel.css(query)
        if found:
            return found[0]
    return None
