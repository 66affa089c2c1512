"""Where things are on a vietnam.vn page, found by structure rather than class names.

The replica's class names beyond VIETNAM_VN.md's confirmed hooks are guesses, so the parser
(vietnam_vn.py) finds each block by what it is: the body as the block with the most prose, the
ministry's legal footer as a run of its lines, a breadcrumb as links with only separators
between them, related lists as the headings after the body followed by blocks of article links.
Pure functions over lxml elements.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.text import clean_text, nfc
from .base import SKIP_TAGS, Page, text_of

RELATIONS = ("same_topic", "same_category", "same_author")  # their order on the page
CRUMB_SEPARATORS = re.compile(r"\s*[›»>/|]\s*")
_STRONG_SEPARATORS = re.compile(r"\s*[›»]\s*")  # never inside a crumb's own words
_MAX_CRUMBS = 200  # a longer text before the headline is not a breadcrumb
_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")
_HEADINGS_AFTER = etree.XPath(  # document order; never inside the element itself
    "following::*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]")
_STRING = etree.XPath("string()")
_NEAR_HEADLINE = 4  # blocks before the headline searched for a breadcrumb, per level
_LINK_DENSITY = 0.8  # a related item's text is (nearly) all link text
# The first words of the legal footer's lines (normalize/boilerplate.py), lower case.
_LEGAL_WORDS = ("bộ văn hóa", "chịu trách nhiệm", "giấy phép", "trụ sở", "bản quyền",
                "copyright", "©")
# The portal's listing pages: links there are navigation, not related articles.
_NOT_ARTICLE = re.compile(r"/(?:tag|tags|category|authors?|organization|search)(?:/|$)")


def densest_body(container: Any) -> Any:
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


def legal_footer(body: Any) -> set[Any]:
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


def crumbs(block: Any) -> list[str]:
    """The steps of a breadcrumb ("Trang chủ › News › Kinh tế"): links with separators and
    nothing else between them, or a short text cut by › or »."""
    if not isinstance(block.tag, str):
        return []
    raw = _STRING(block)  # cheap first look: short, with a separator in it
    if len(raw) > 4 * _MAX_CRUMBS or not CRUMB_SEPARATORS.search(raw):
        return []
    text = text_of(block)
    if not text or len(text) > _MAX_CRUMBS:
        return []
    steps = [text_of(a) for a in block.iter("a")]
    if len(steps) > 1 and all(steps):
        rest = text
        for step in steps:
            rest = rest.replace(step, " ", 1)
        marks = CRUMB_SEPARATORS.findall(rest)
        return steps if marks and not CRUMB_SEPARATORS.sub("", rest).strip() else []
    steps = [step for step in _STRONG_SEPARATORS.split(text) if step]
    return steps if len(steps) > 1 else []


def crumb_block(h1: Any) -> list[str]:
    """A breadcrumb printed before the headline, at any level above it."""
    node = h1
    while node is not None and node.tag != "body":
        for count, block in enumerate(node.itersiblings(preceding=True)):
            if count >= _NEAR_HEADLINE:
                break
            if steps := crumbs(block):
                return steps
        node = node.getparent()
    return []


def related_lists(container: Any, body: Any, page: Page) -> list[dict[str, str]]:
    """Each heading after the body followed by blocks of article links (or by nothing) is a
    related list; its relation is a class hint, else its position (topic, category, author)."""
    links: list[dict[str, str]] = []
    position = 0
    headings = container.iter(*_HEADING_TAGS) if body is container else (
        h for h in _HEADINGS_AFTER(body) if container in h.iterancestors())
    for heading in headings:
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
