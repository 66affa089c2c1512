"""The main content of a page nobody wrote a parser for: one walk, one container, its blocks.

One pass over the document turns it into text blocks in page order (a paragraph, a heading, a
list item, a cell, the text between two <br>), each with its link text and whether it sits in
boilerplate (navigation, share bars, related rails, comments, footers: by tag, by class/id
words, or hidden). The container is the element whose blocks hold the most prose for the
least other text (prose minus everything else, over every element at once with prefix sums):
an article split over sibling sections is taken whole, a comment thread or a rail beside it is
not. Its blocks, boilerplate and link lists left out, are the body; its images, with the
caption their markup gives them, are the article's images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, islice
from typing import Any

from ..normalize.captions import split_caption
from ..normalize.text import clean_text, dedupe_repeat
from .base import SKIP_TAGS

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "ul", "ol",
    "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
    "blockquote", "pre", "figure", "figcaption", "form", "fieldset", "address", "hr", "br",
    "center", "details", "summary", "body", "html", "dialog", "menu", "picture", "video",
    "audio", "object", "embed", "canvas", "hgroup", *_HEADINGS,
})
_SKIP = SKIP_TAGS | {"input", "option", "label", "object", "embed", "video", "audio", "canvas",
                     "map", "area", "dialog", "menu"}
# Never article text wherever they stand.
_BOILER_TAGS = frozenset({"nav", "aside", "footer", "form", "menu", "fieldset"})
# Class/id words of what is not the article: anywhere in the name ...
_BOILER_WORDS = re.compile(
    r"share|sharing|social|comment|disqus|related|sidebar|newsletter|subscri|promo|advert|"
    r"sponsor|cookie|consent|outbrain|taboola|popup|modal|breadcrumb|recommend|signup|"
    r"footer|navbar|navigation|masthead|toolbar|byline|paywall|trending|popular|"
    r"read-?more|more-?stories|author-?bio|author-?info|skip-?link|pagination|pager",
    re.IGNORECASE,
)
# ... or as a whole word of it ("nav", "ad", but not "canvas", "header", "shadow").
_BOILER_TOKENS = frozenset({
    "nav", "menu", "ad", "ads", "adv", "tags", "bio", "rail", "print", "widget",
    "banner", "hidden", "hide", "meta", "dateline", "timestamp", "login", "search", "utility",
    "tools", "breaking", "alert", "overlay",
})
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CAPTION_CLASS = re.compile(r"caption|legend|credit", re.IGNORECASE)
_IDEOGRAPHS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_MIN_PROSE = 40  # a block this long, with few links, is a sentence of prose
_PROSE_LINKS = 0.35  # ... its share of link text at most
_BODY_LINKS = 0.6  # a block with more link text than this is a link, not body text
_NOISE = 0.6  # weight of non-prose text against prose when choosing the container
_UNFLAG = 0.5  # a boilerplate-named element holding this share of all prose is the article
# Less prose than this (about two sentences) in the best container: not an article (a
# listing, an index, a login wall, a page of links or of one line).
MIN_ARTICLE_PROSE = 300
_MAX_DEPTH = 250
_MAX_TEASER_BLOCKS = 4  # a teaser: title, summary, maybe a byline and a date
_MIN_TEASERS = 3
_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th"})
_MAX_CAPTION = 400
_CAPTION_DEPTH = 5  # wrappers between an image and its figure or caption box
_MAX_ICON = 50  # px: a picture declared no larger is a logo or an icon
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:[?#]|$)", re.IGNORECASE)
_MAX_CELLS = 6  # an image table: the picture's cell and a caption cell or two
# What may wrap an image alone on the way up to its figure, caption box or table.
_WRAPPERS = frozenset({"p", "div", "a", "span", "picture", "center", "td", "th", "tr", "tbody"})


@dataclass(slots=True)
class Block:
    text: str
    links: int
    owner: Any
    kind: str  # the owning block's tag
    boiler: bool = False
    size: int = 0  # its length, an ideograph or kana counting as a word (3 characters)

    def __post_init__(self) -> None:
        self.size = len(self.text) + 2 * len(_IDEOGRAPHS.findall(self.text))


@dataclass
class Content:
    """The container and what it yields; `prose` is the article-ness evidence (chars)."""

    container: Any = None
    blocks: list[Block] = field(default_factory=list)
    images: list[Any] = field(default_factory=list)  # <img> elements in page order
    prose: int = 0

    @property
    def is_article(self) -> bool:
        return self.prose >= MIN_ARTICLE_PROSE


class _Walk:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.in_link = 0
        self.ranges: dict[Any, tuple[int, int]] = {}
        self.flagged: list[Any] = []
        self.captions: list[Any] = []
        # (img, index of the next block, the boilerplate-named elements around it)
        self.images: list[tuple[Any, int, tuple[Any, ...]]] = []
        self.open_flags: list[Any] = []

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(value)
            if self.in_link:
                self.link_chars += len(value)

    def flush(self, owner: Any) -> None:
        if self.parts:
            text = clean_text("".join(self.parts))
            if text:
                tag = owner.tag.lower() if isinstance(owner.tag, str) else ""
                self.blocks.append(Block(text, min(self.link_chars, len(text)), owner, tag))
            self.parts.clear()
        self.link_chars = 0

    def visit(self, el: Any, owner: Any, depth: int) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP or _hidden(el):
            return
        if tag == "img":
            self.images.append((el, len(self.blocks), tuple(self.open_flags)))
            return
        block = tag in _BLOCKS
        if block:
            self.flush(owner)
            owner = el
            start = len(self.blocks)
            if flag := tag in _BOILER_TAGS or _boiler_name(el):
                self.flagged.append(el)
                self.open_flags.append(el)
            if tag == "figcaption" or _CAPTION_CLASS.search(_name(el)):
                self.captions.append(el)
        if tag == "a":
            self.in_link += 1
        self.text(el.text)
        if depth < _MAX_DEPTH:
            for child in el:
                self.visit(child, owner, depth + 1)
                self.text(child.tail)
        if tag == "a":
            self.in_link -= 1
        if block:
            self.flush(owner)
            self.ranges[el] = (start, len(self.blocks))
            if flag:
                self.open_flags.pop()


def _name(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _boiler_name(el: Any) -> bool:
    name = _name(el)
    if not name.strip():
        return el.get("role") in ("navigation", "complementary", "contentinfo", "banner")
    return _boiler_words(name)


@lru_cache(maxsize=8192)
def _boiler_words(name: str) -> bool:
    """Class and id words of boilerplate (pages repeat a few class names many times)."""
    if _BOILER_WORDS.search(name):
        return True
    return any(t.lower() in _BOILER_TOKENS for t in _TOKEN_SPLIT.split(name) if t)


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


def find(root: Any) -> Content:
    """The page's main content, or an empty Content when the page has no text."""
    body = root.find(".//body")
    walk = _Walk()
    start = body if body is not None else root
    walk.visit(start, start, 0)
    walk.flush(start)
    blocks = walk.blocks
    if not blocks:
        return Content()
    total_prose = sum(_prose(b) for b in blocks)
    boiler: set[Any] = set()
    for el in walk.flagged:
        lo, hi = walk.ranges.get(el, (0, 0))
        if sum(_prose(b) for b in blocks[lo:hi]) < _UNFLAG * total_prose or not total_prose:
            boiler.add(el)
            for b in blocks[lo:hi]:
                b.boiler = True
    _mark_teasers(walk, total_prose)
    good = [0, *accumulate(_prose(b) if not b.boiler else 0 for b in blocks)]
    noise = [0, *accumulate(_noise(b) for b in blocks)]
    best, best_score = start, float("-inf")
    for el, (lo, hi) in walk.ranges.items():
        score = (good[hi] - good[lo]) - _NOISE * (noise[hi] - noise[lo])
        if score > best_score:
            best, best_score = el, score
    lo, hi = walk.ranges.get(best, (0, len(blocks)))
    captions = _caption_ranges(walk, lo, hi)
    chosen = [b for i, b in enumerate(blocks[lo:hi], lo)
              if not b.boiler and i not in captions and _is_body(b)]
    images = [img for img, index, flags in walk.images
              if not boiler.intersection(flags) and not _is_icon(img)
              and _belongs(img, index, best, lo, hi) and not _is_thumbnail(img)]
    return Content(
        container=best, blocks=chosen, images=images,
        prose=good[hi] - good[lo])


def _mark_teasers(walk: _Walk, total_prose: int) -> None:
    """A stream of teasers is no article: three or more like siblings (same tag and class),
    each a linked title with a line or two of summary, are boilerplate, unless they hold half
    the page's prose (a listicle whose items link their titles)."""
    groups: dict[tuple[Any, str, str], list[tuple[int, int]]] = {}
    for el, (lo, hi) in walk.ranges.items():
        if not 2 <= hi - lo <= _MAX_TEASER_BLOCKS or el.tag in _TABLE_PARTS:
            continue  # a table's rows are its data, however alike
        inside = walk.blocks[lo:hi]
        titled = any(b.links > _BODY_LINKS * len(b.text) for b in inside)
        if titled and any(_prose(b) for b in inside):
            parent = el.getparent()
            groups.setdefault((parent, el.tag, el.get("class") or ""), []).append((lo, hi))
    for spans in groups.values():
        prose = sum(_prose(b) for lo, hi in spans for b in walk.blocks[lo:hi])
        if len(spans) >= _MIN_TEASERS and prose < _UNFLAG * total_prose:
            for lo, hi in spans:
                for b in walk.blocks[lo:hi]:
                    b.boiler = True


def _prose(b: Block) -> int:
    n = b.size
    if n < _MIN_PROSE or b.links > _PROSE_LINKS * len(b.text) or b.kind in _HEADINGS:
        return 0
    return n


def _noise(b: Block) -> int:
    if b.boiler:
        return b.size
    return b.size * b.links // len(b.text) if b.links > _PROSE_LINKS * len(b.text) else 0


def _is_body(b: Block) -> bool:
    return b.links <= _BODY_LINKS * len(b.text)


def _caption_ranges(walk: _Walk, lo: int, hi: int) -> set[int]:
    found: set[int] = set()
    for el in walk.captions:
        a, b = walk.ranges.get(el, (0, 0))
        if lo <= a and b <= hi and sum(len(x.text) for x in walk.blocks[a:b]) <= _MAX_CAPTION:
            found.update(range(a, b))
    return found


def _is_icon(img: Any) -> bool:
    """Declared this small, a picture is a logo, an icon or a tracking pixel, not a photo."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and 0 < int(value) <= _MAX_ICON:  # 0: size not known yet
            return True
    return False


def _is_thumbnail(img: Any) -> bool:
    """A picture linking to another page from a list item that is nothing but links (a list
    of other articles: thumbnail and linked title), or beside a text link to that same page
    (an author's avatar and name), illustrates that page, not this one."""
    link = next((a for a, _ in zip(img.iterancestors(), range(3), strict=False)
                 if a.tag == "a"), None)
    if link is None or _IMAGE_FILE.search(link.get("href") or ""):
        return False
    if _beside_its_text_link(link):
        return True
    item = next(link.iterancestors("li"), None)
    if item is None:
        return False
    text = _text(item)
    linked = sum(len(_text(a)) for a in item.iter("a"))
    return bool(text) and linked >= _BODY_LINKS * len(text)


def _beside_its_text_link(link: Any) -> bool:
    """Another link in the picture's block, with text, goes where the picture's link goes."""
    href = (link.get("href") or "").strip()
    block = link.getparent()
    if not href or block is None or next(link.iterancestors("figure"), None) is not None:
        return False
    return any(a is not link and (a.get("href") or "").strip() == href and _text(a)
               for a in block.iter("a"))


def _belongs(img: Any, index: int, container: Any, lo: int, hi: int) -> bool:
    """In the container, or the lede figure just above it (within its parent or grandparent)."""
    ancestors = list(img.iterancestors())
    if lo <= index <= hi and any(a is container for a in ancestors):
        return True
    if index > lo or not any(a.tag == "figure" for a in ancestors[:_CAPTION_DEPTH]):
        return False
    above = [a for a, _ in zip(container.iterancestors(), range(2), strict=False)]
    return any(a is b for a in ancestors for b in above)


# images and captions -----------------------------------------------------------------------

def caption_of(img: Any, root: Any) -> str:
    """The caption the markup gives an image: figure/figcaption, a caption-named box (WordPress
    wp-caption-text), a table's caption or other cell, aria-describedby, else the short
    caption-styled block right after the image."""
    described = img.get("aria-describedby")
    if described:
        for ref in described.split():
            node = root.find(f".//*[@id='{ref}']") if "'" not in ref else None
            if node is not None and (text := _text(node)):
                return text
    alone = True  # every wrapper so far holds nothing but the image
    for depth, anc in enumerate(img.iterancestors()):
        if depth > _CAPTION_DEPTH or not isinstance(anc.tag, str):
            break
        tag = anc.tag.lower()
        if tag == "figure":
            cap = anc.find(".//figcaption")
            if cap is not None:
                return _text(cap)
            return _caption_child(anc) or _next_caption(anc)
        if tag == "table":
            cap = anc.find(".//caption")
            if cap is not None and (text := _text(cap)):
                return text
            cells = list(islice(anc.iter("td", "th"), _MAX_CELLS + 1))
            if len(cells) > _MAX_CELLS:
                break  # a layout table, not an image's frame
            cells = [_text(td) for td in cells if td.find(".//img") is None]
            text = " ".join(c for c in cells if c)
            return text if len(text) <= _MAX_CAPTION else ""
        if tag in ("body", "article", "main", "section", "li"):
            break
        if _CAPTION_CLASS.search(_name(anc)) and (text := _caption_child(anc)):
            return text
        alone = alone and tag in _WRAPPERS and _only_image(anc)
        if alone and (text := _next_caption(anc)):
            return text
    return _next_caption(img)


def _caption_child(box: Any) -> str:
    for node in box.iter("*"):
        if (node is not box and _CAPTION_CLASS.search(_name(node))
                and node.find(".//img") is None and (text := _text(node))):
            return text
    return ""


def _next_caption(el: Any) -> str:
    nxt = el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    if nxt is None or nxt.find(".//img") is not None or (el.tail or "").strip():
        return ""
    if _CAPTION_CLASS.search(_name(nxt)) or nxt.tag in ("figcaption",):
        return _text(nxt)
    return _italic_line(nxt)


def _italic_line(el: Any) -> str:
    """A short paragraph set wholly in italics right under a picture is its caption
    (`<p><img></p><p><em>Caption. Photo: X</em></p>`), as editors print one without markup."""
    if el.tag not in ("p", "div") or len(el) != 1 or (el.text or "").strip():
        return ""
    child = el[0]
    if not isinstance(child.tag, str) or child.tag not in ("em", "i") or (child.tail or "").strip():
        return ""
    text = _text(el)
    return text if len(text) <= _MAX_CAPTION else ""


def _only_image(el: Any) -> bool:
    return not clean_text("".join(t for t in el.itertext() if t)) or (len(el) == 1 and not (
        el.text or "").strip())


def _text(node: Any) -> str:
    return clean_text(" ".join(t for t in node.itertext() if t))


# Where lazy-loading pages put the picture, before `src` (often a `data:image` placeholder).
_LAZY_URLS = ("data-original", "data-src", "data-lazy-src", "data-url")
_LAZY_SETS = ("data-srcset",)


def image_url(img: Any, absolute: Any) -> str | None:
    """The picture's URL: the lazy-loading attributes first, then `src`, then `srcset` (a
    srcset's first candidate); a `data:` URI is a placeholder, not the picture."""
    for attr in (*_LAZY_URLS, *_LAZY_SETS, "src", "srcset"):
        value = (img.get(attr) or "").strip()
        if attr.endswith("srcset"):
            value = value.split(",")[0].split()[0] if value.split() else ""
        if value and not value.startswith("data:") and (url := absolute(value)):
            return url
    return None


def image_fields(img: Any, root: Any, absolute: Any) -> dict[str, Any] | None:
    """One Article image: URL (lazy-loading attributes first), caption and credit apart."""
    found = image_and_caption(img, root, absolute)
    return found[0] if found else None


def image_and_caption(img: Any, root: Any,
                      absolute: Any) -> tuple[dict[str, Any], str] | None:
    """`image_fields` and the caption as printed (credit included), which is no body text."""
    if not (url := image_url(img, absolute)):
        return None
    full = dedupe_repeat(caption_of(img, root))
    caption, credit = split_caption(full)
    return {"url": url, "caption": caption, "credit": credit,
            "alt": clean_text(img.get("alt")) or None}, full


__all__ = ["Block", "Content", "caption_of", "find", "image_and_caption", "image_fields",
           "image_url"]
