"""The body walk shared by portal parsers: prose, figures, link boxes, ads, source trailer.

One pass over the body container in page order sorts every block: <p> prose (ads, captions,
legal lines and the "Nguồn/Source/Sumber" trailer left out), images with their captions, and
blocks made mostly of links (a source paper's related-news box).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape
from typing import Any

from lxml import etree

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.captions import split_caption
from ..normalize.dates import find_date
from ..normalize.text import clean_text, dedupe_repeat
from .base import SKIP_TAGS, Fields, Page, css, paragraph_html, text_of
from .content import image_url

_NEAR_HEADLINE = 4  # blocks after the h1 searched for the dateline
_MIN_STANDFIRST = 40  # shorter text between headline and dateline is a label, not a lead
_AUTHOR_LINKS = css('a[href*="/authors/"], a[href*="/author/"], a[rel~="author"]')
_MAX_DATE_TEXT = 80  # a longer text piece is prose that mentions a date, not a dateline
_LINK_DENSITY = 0.8  # a block whose text is mostly link text is a related box, not prose
_BOX_TAGS = frozenset({"div", "aside", "table", "section", "ul", "ol", "blockquote"})
_MAX_SIGNATURE = 60  # a right-aligned or all-bold closing line this short signs the article
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_IMAGE_HOLDERS = frozenset({"a", "span", "p", "picture", "center"})
_MAX_CAPTION = 300  # a longer text after an image is prose, not its caption
# The site's chrome: a date there is the day of the visit or another story's, not the article's.
_CHROME = frozenset({"header", "nav", "footer", "aside"})
_NOT_BODY = ("nav", "aside", "footer", "header", "form", "figure", "figcaption", "menu")
_PARAGRAPHS = etree.XPath(
    ".//p[not(ancestor::*[self::" + " or self::".join(_NOT_BODY) + "])]")


def body_fields(body: Any, page: Page, standfirst: str = "",
                skip: Collection[Any] = ()) -> Fields:
    """lead, body, body_html, images, in-body related_links and source_url of one body;
    elements in `skip` (a portal parser's known non-content) are left out with their subtree."""
    walk = BodyWalk(page, skip)
    walk.visit(body, depth=0)
    texts = list(walk.texts)
    # A paragraph of plain text is its clean text in <p>; one with markup keeps its inline tags.
    html = [paragraph_html(p, page) if len(p) else f"<p>{escape(t, quote=False)}</p>"
            for p, t in zip(walk.paragraphs, walk.texts, strict=True)]
    if standfirst and (not texts or texts[0] != standfirst):
        texts.insert(0, standfirst)  # the lead is also the body's first paragraph
        html.insert(0, f"<p>{escape(standfirst, quote=False)}</p>")
    if walk.paragraphs and _is_signature(walk.paragraphs[-1], walk.texts[-1], bold=True):
        walk.signatures.append(walk.texts[-1])  # a bold closing line is a signature too
        del texts[-1], html[-1]
    return {
        "lead": texts[0] if texts else None,
        "signatures": walk.signatures,
        "body": "\n\n".join(texts),  # texts are clean and non-empty (text_of)
        "body_html": "\n".join(html),
        "images": walk.images,
        "related_links": walk.links,
        "source_url": next((x["url"] for x in walk.links if x["relation"] == "source"), None),
    }


def densest_block(root: Any) -> Any:
    """The element whose own <p> children carry the most text (ties: the first in the page):
    the body when no confirmed class names it."""
    scores: dict[Any, int] = {}
    for p in _PARAGRAPHS(root):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(text_of(p))
    if not scores:
        return None
    return max(scores, key=scores.__getitem__)


def header_blocks(h1: Any, body: Any) -> list[Any]:
    """The blocks between the headline and the body: dateline, author line, sapo."""
    blocks: list[Any] = []
    if h1 is None:
        return blocks
    around_body = set(body.iterancestors()) if body is not None else set()
    for block in h1.itersiblings():
        if block is body or block in around_body or len(blocks) >= _NEAR_HEADLINE:
            break
        if isinstance(block.tag, str):
            blocks.append(block)
    return blocks


def author_links(blocks: list[Any]) -> list[str]:
    """Names linked to author pages (`/authors/...`, `rel=author`) in these blocks."""
    people: list[str] = []
    for block in blocks:
        people += [t for t in (text_of(a) for a in _AUTHOR_LINKS(block)) if t and t not in people]
    return people


def standfirst(h1: Any, info: Any) -> str:
    """A sapo printed between the headline and the dateline, when the page has one."""
    if h1 is None or info is None:
        return ""
    for block in h1.itersiblings():
        if block is info or not isinstance(block.tag, str):
            break
        text = text_of(block)
        if len(text) >= _MIN_STANDFIRST and not block.xpath(".//a"):
            return text
    return ""


def printed_date(block: Any) -> str:
    """The date as printed in the byline: a whole short text piece that is a date, else the
    date found inside the glued text ("Báo Quốc TếBáo Quốc Tế14/09/2023")."""
    for piece in block.xpath(".//text()"):
        piece = clean_text(piece)
        if piece and len(piece) <= _MAX_DATE_TEXT and (found := find_date(piece)):
            return piece if len(found) >= len(piece) - 12 else found
    return find_date(text_of(block))


def dateline(h1: Any) -> Any:
    """The first block after the headline that prints a date (the site's chrome left out)."""
    parent = h1.getparent()
    scopes = [h1] + ([parent] if parent is not None and parent.tag != "body" else [])
    around = headline_path(h1)
    for scope in scopes:
        for count, block in enumerate(scope.itersiblings()):
            if count >= _NEAR_HEADLINE:
                break
            if isinstance(block.tag, str) and not in_chrome(block, around) and _has_date(block):
                return block
    return None


def headline_path(h1: Any) -> frozenset[Any]:
    """The headline and the elements holding it (for `in_chrome`)."""
    return frozenset((h1, *h1.iterancestors())) if h1 is not None else frozenset()


def in_chrome(node: Any, around_headline: frozenset[Any]) -> bool:
    """In the site's header, navigation, footer or sidebar: a <header> or <footer> inside
    <article>, or one holding the headline, is the article's own, not the site's."""
    for el in (node, *node.iterancestors()):
        if el.tag == "article" or el in around_headline:
            return False
        if el.tag in _CHROME:
            return True
    return False


def _has_date(block: Any) -> bool:
    text = text_of(block)
    return bool(text) and len(text) < 4 * _MAX_DATE_TEXT and bool(find_date(text))


class BodyWalk:
    """Sorts the body's blocks: prose, figures, link boxes, ads, the source trailer."""

    MAX_DEPTH = 40

    def __init__(self, page: Page, skip: Collection[Any] = ()) -> None:
        self.page = page
        self.skip = skip
        self.paragraphs: list[Any] = []
        self.texts: list[str] = []
        self.images: list[dict[str, Any]] = []
        self.links: list[dict[str, str]] = []
        self.captions: set[str] = set()
        self.signatures: list[str] = []  # "Thanh Hà" closing the body, right-aligned or bold

    def visit(self, element: Any, depth: int) -> None:
        for child in element.iterchildren("*"):
            tag = child.tag.lower()
            if tag in SKIP_TAGS or child in self.skip:
                continue
            if tag == "img":
                self.image(child)
            elif tag == "p":
                self.paragraph(child)
            elif tag in ("figure", "picture"):
                for img in child.iter("img"):
                    self.image(img)
            elif _is_box(child):
                self.links += _links(child, self.page, "related_box")
            elif depth < self.MAX_DEPTH:
                self.visit(child, depth + 1)

    def paragraph(self, p: Any) -> None:
        for img in p.iter("img"):
            self.image(img)
        text = text_of(p)
        if not text or is_ad_token(text) or text in self.captions or is_legal_footer(text):
            return
        if is_source_trailer(text):
            self.links += _links(p, self.page, "source")
        elif _is_signature(p, text):
            self.signatures.append(text)
        else:
            self.paragraphs.append(p)
            self.texts.append(text)
            self.links += _links(p, self.page, "inline")

    def image(self, img: Any) -> None:
        image = _image(img, self.page)
        if image and image["url"] not in {i["url"] for i in self.images}:
            self.captions |= {c for c in (image["caption"], image.pop("_full")) if c}
            self.images.append(image)


def _image(img: Any, page: Page) -> dict[str, Any] | None:
    url = image_url(img, page.absolute)
    if not url:
        return None
    figure = next(img.iterancestors("figure", "table"), None)
    if figure is None:
        full = _caption_beside(img) or img.get("title")
    elif figure.tag == "figure":
        caption = figure.find(".//figcaption")
        full = text_of(caption) if caption is not None else img.get("title")
    else:  # the older template: the image in one cell, its caption in the next row
        full = " ".join(text_of(td) for td in figure.iter("td", "th", "caption")
                        if td.find(".//img") is None) or img.get("title")
    full = dedupe_repeat(full)
    caption, credit = split_caption(full)
    return {"url": url, "caption": caption, "credit": credit,
            "alt": clean_text(img.get("alt")) or None, "_full": full}


def _caption_beside(img: Any) -> str:
    """A caption printed without <figure>: the short text after the image in a wrapper of its
    own (WordPress `div.wp-caption > img + p`), or the paragraph right after the image's block
    when all of it is in italics (`<p><img></p><p><em>caption</em></p>`)."""
    top = img
    while (parent := top.getparent()) is not None and parent.tag in _IMAGE_HOLDERS and (
            not text_of(parent)):
        top = parent  # <a>, <span>, <p> holding nothing but the image
    wrapper = top.getparent()
    if wrapper is not None and wrapper.tag == "div" and len(wrapper) == 2 and wrapper[0] is top:
        text = text_of(wrapper[1])
        if text and len(text) <= _MAX_CAPTION and wrapper[1].find(".//img") is None:
            return text
    after = top.getnext()
    if after is None or after.tag != "p" or after.find(".//img") is not None:
        return ""
    text = text_of(after)
    if not text or len(text) > _MAX_CAPTION:
        return ""
    italic = len(after) == 1 and after[0].tag in ("em", "i") and text_of(after[0]) == text
    return text if italic else ""


def _links(element: Any, page: Page, relation: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for anchor in element.iter("a"):
        url = page.absolute(anchor.get("href"))
        text = text_of(anchor) or clean_text(anchor.get("title"))
        if url and url not in {f["url"] for f in found}:
            found.append({"url": url, "text": text, "relation": relation})
    return found


def _is_signature(p: Any, text: str, bold: bool = False) -> bool:
    """A short line, right-aligned (or, closing the body, all bold), naming who wrote it."""
    if len(text) > _MAX_SIGNATURE or text[-1:] in ".?!:;\"”":
        return False
    if _RIGHT.search(p.get("style") or "") or (p.get("align") or "").lower() == "right":
        return True
    strong = [c for c in p if isinstance(c.tag, str) and c.tag.lower() in ("strong", "b")]
    return bold and len(strong) == 1 and text_of(strong[0]) == text and not p.xpath(".//a")


def _is_box(element: Any) -> bool:
    """A non-paragraph block of links: the source paper's inline related-news box."""
    if element.tag.lower() not in _BOX_TAGS or element.find(".//p") is not None:
        return False
    anchors = element.findall(".//a[@href]")
    text = text_of(element)
    link_text = sum(len(text_of(a)) for a in anchors)
    return bool(anchors) and bool(text) and link_text >= _LINK_DENSITY * len(text)
