"""The body walk shared by portal parsers: prose, figures, link boxes, ads, source trailer.

One pass over the body container in page order sorts every block: <p> prose (ads, captions,
legal lines and the "Nguồn/Source/Sumber" trailer left out), images with their captions, and
blocks made mostly of links (a source paper's related-news box).
"""

from __future__ import annotations

from typing import Any

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.captions import split_caption
from ..normalize.text import clean_text, dedupe_repeat, join_paragraphs
from .base import SKIP_TAGS, Fields, Page, paragraph_html, text_of

_LINK_DENSITY = 0.8  # a block whose text is mostly link text is a related box, not prose
_BOX_TAGS = frozenset({"div", "aside", "table", "section", "ul", "ol", "blockquote"})


def body_fields(body: Any, page: Page, standfirst: str = "") -> Fields:
    """lead, body, body_html, images, in-body related_links and source_url of one body."""
    walk = BodyWalk(page)
    walk.visit(body, depth=0)
    texts = list(walk.texts)
    html = [paragraph_html(p, page) for p in walk.paragraphs]
    if standfirst and (not texts or texts[0] != standfirst):
        texts.insert(0, standfirst)  # the lead is also the body's first paragraph
        html.insert(0, paragraph_html(_paragraph(standfirst), page))
    return {
        "lead": texts[0] if texts else None,
        "body": join_paragraphs(texts),
        "body_html": "\n".join(html),
        "images": walk.images,
        "related_links": walk.links,
        "source_url": next((x["url"] for x in walk.links if x["relation"] == "source"), None),
    }


class BodyWalk:
    """Sorts the body's blocks: prose, figures, link boxes, ads, the source trailer."""

    MAX_DEPTH = 40

    def __init__(self, page: Page) -> None:
        self.page = page
        self.paragraphs: list[Any] = []
        self.texts: list[str] = []
        self.images: list[dict[str, Any]] = []
        self.links: list[dict[str, str]] = []
        self.captions: set[str] = set()

    def visit(self, element: Any, depth: int) -> None:
        for child in element.iterchildren("*"):
            tag = child.tag.lower()
            if tag in SKIP_TAGS:
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
    url = page.absolute(img.get("data-src")) or page.absolute(img.get("src"))
    if not url:
        return None
    figure = next(img.iterancestors("figure"), None)
    figcaption = figure.find(".//figcaption") if figure is not None else None
    full = dedupe_repeat(text_of(figcaption) if figcaption is not None else img.get("title"))
    caption, credit = split_caption(full)
    return {"url": url, "caption": caption, "credit": credit,
            "alt": clean_text(img.get("alt")) or None, "_full": full}


def _links(element: Any, page: Page, relation: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for anchor in element.iter("a"):
        url = page.absolute(anchor.get("href"))
        text = text_of(anchor) or clean_text(anchor.get("title"))
        if url and url not in {f["url"] for f in found}:
            found.append({"url": url, "text": text, "relation": relation})
    return found


def _is_box(element: Any) -> bool:
    """A non-paragraph block of links: the source paper's inline related-news box."""
    if element.tag.lower() not in _BOX_TAGS or element.find(".//p") is not None:
        return False
    anchors = element.findall(".//a[@href]")
    text = text_of(element)
    link_text = sum(len(text_of(a)) for a in anchors)
    return bool(anchors) and bool(text) and link_text >= _LINK_DENSITY * len(text)


def _paragraph(text: str) -> Any:
    from lxml import html

    element = html.Element("p")
    element.text = text
    return element
