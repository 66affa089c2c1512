"""The expected Article of a rendered page, built from its content record (never by extract()).

This encodes the contract (docs/article.md) from the editor's side: what a correct parser must
find on the page. Hand-written expectations (the real sample) are used as they are. Records hold
NFC text; a page rendered in NFD (`"nfd": true`) still expects NFC.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import urljoin

from slugify import slugify

from ..article import FIELD_NAMES, validation_messages
from ..identity import article_id, canonical_url, edition_of
from .content import ArticleView, SiteData, section_of
from .families import markup

PARSER = "vietnam_vn/1"


def expected_article(site: SiteData, view: ArticleView, family: str | None = None
                     ) -> dict[str, Any]:
    """Every contract field, in contract order; the hand-written file when the record has one.

    A template family (families.py) prints the same record, so it expects the same Article;
    only a trailer printed as "<label>: <a>paper</a>" names its link by the paper."""
    if view.hand_expected is not None:
        item = json.loads(view.hand_expected.read_text("utf-8"))
    else:
        item = computed_article(site, view)
    if markup(family)["trailer"] == "named" and view.record.get("template", "article") == "article":
        for link in item["related_links"]:
            if link["relation"] == "source":
                link["text"] = view.record["source"]["name"]
    return item


def body_links(view: ArticleView) -> list[dict[str, str]]:
    """Links inside the body in page order: the source paper's related box and inline links."""
    links: list[dict[str, str]] = []
    for block in view.record["body"]:
        if block["type"] == "related_box":
            links.append({"url": block["url"], "text": block["text"], "relation": "related_box"})
        elif block["type"] == "p":
            for link in block.get("links", []):
                url = urljoin(view.url, link["url"])
                links.append({"url": url, "text": link["text"], "relation": "inline"})
    return links


def computed_article(site: SiteData, view: ArticleView) -> dict[str, Any]:
    record = view.record
    paragraphs = view.paragraphs
    source = record.get("source") or {}
    strings = site.strings(view.edition)
    links = body_links(view)
    if source.get("url"):
        links.append(
            {"url": source["url"], "text": strings["source_trailer"], "relation": "source"}
        )
    for relation, items in view.related:
        links += [
            {"url": urljoin(view.url, i.href), "text": i.headline, "relation": relation}
            for i in items
        ]
    canonical = canonical_url(view.url)
    item: dict[str, Any] = {
        "id": article_id(canonical),
        "url": view.url,
        "canonical_url": canonical,
        "portal": site.config["portal"],
        "language": edition_of(view.url),
        "headline": record["headline"],
        "lead": paragraphs[0] if paragraphs else None,
        "authors": list(record.get("authors", [])),
        "source": source.get("name"),
        "source_url": source.get("url"),
        "date_published": record.get("date_published"),
        "date_published_raw": record.get("date_published_raw"),
        "date_modified": record.get("date_modified"),
        "section": section_of(site, view),
        "breadcrumbs": list(record.get("breadcrumbs", [])),
        "tags": list(record.get("tags", [])),
        "body": "\n\n".join(paragraphs),
        "body_html": "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs),
        "images": [
            {
                "url": urljoin(view.url, img["src"]),
                "caption": img.get("caption"),
                "credit": img.get("credit"),
                "alt": img.get("alt") or None,
            }
            for img in view.images
        ],
        "related_links": links,
        "translations": {e: u for e, u in view.alternates if e != view.edition},
        "slug": slugify(record["headline"]),
        "messages": [],
        "fetched_at": record["fetched_at"],
        "parser": PARSER,
    }
    item["messages"] = validation_messages(item)
    if tuple(item) != FIELD_NAMES:
        raise RuntimeError("expected Article out of step with the contract (article.py)")
    return item
