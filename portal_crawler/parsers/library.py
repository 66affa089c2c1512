"""Layer 4: trafilatura, the fallback for pages of portals without a parser when the generic
layer failed (raised) on them.

The generic layer now reads real pages at least as well (benchmarks/bench_extract.py
--corpus) at a fraction of the cost (a second parse and ~5-25 ms a page here), so
`extract()` runs this only off the portal path and only then, to fill what is still empty:
body (and body_html) and the publication date.
Its author guesses are not used (on vietnam.vn it names a related-list heading), nor its
og:image (a share thumbnail, not page content).
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree

from ..normalize.boilerplate import is_ad_token, is_legal_footer, is_source_trailer
from ..normalize.text import clean_text, join_paragraphs
from .base import Fields, Page

NAME = "trafilatura"
VERSION = 1

logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it logs every page it rejects


def parse(page: Page) -> Fields:
    from trafilatura import bare_extraction  # heavy import, off the portal path

    document = bare_extraction(_markup(page.root), url=page.url or None, with_metadata=True,
                               include_comments=False, include_tables=False,
                               include_images=False, deduplicate=True)
    if document is None:
        return {}
    fields: Fields = {}
    paragraphs = _paragraphs(getattr(document, "body", None))
    if paragraphs:
        fields["body"] = join_paragraphs(paragraphs)
        fields["body_html"] = "\n".join(f"<p>{_escape(p)}</p>" for p in paragraphs)
    date = clean_text(getattr(document, "date", None) or "")
    if date and (iso := page.date(date)):
        fields["date_published"], fields["date_published_raw"] = iso, date
    return fields


def _markup(root: Any) -> str:
    """The shared tree as markup: trafilatura wants an lxml.html tree of its own (it prunes)."""
    return etree.tostring(root, encoding="unicode", method="html")


def _paragraphs(body: Any) -> list[str]:
    if body is None:
        return []
    texts: list[str] = []
    for node in body.iter("p", "item", "quote"):
        text = clean_text("".join(node.itertext()))
        boilerplate = is_ad_token(text) or is_source_trailer(text) or is_legal_footer(text)
        if text and not boilerplate and text not in texts:
            texts.append(text)
    return texts


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
