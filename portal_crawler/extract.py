"""`extract(html, url) -> Article`: the one entry point from a fetched page to the contract.

Pure (no network, engine or database) and total: it never raises. What cannot be found stays
empty and is named in `messages`; a layer that fails is recorded there and the others go on.
The document is decoded and parsed once; the layers share the parse.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace as with_changes
from datetime import datetime
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from parsel import Selector
from slugify import slugify

from . import clock
from .article import FIELD_NAMES, Article, validation_messages
from .identity import article_id, canonical_url, edition_of
from .normalize.bylines import clean_authors
from .normalize.dates import DEFAULT_ZONE, format_fetched_at, parse_fetched_at
from .normalize.text import clean_text
from .parsers import PORTAL_PARSERS, generic, label, library, metadata
from .parsers.base import Fields, Page
from .parsers.document import decode, is_html, parse
from .portals import Portal, portal_for

__all__ = ["EXTRACT_VERSION", "LAYERS", "extract", "is_html"]

logger = logging.getLogger(__name__)

EXTRACT_VERSION = 1
# Layer labels as recorded in `Article.parser`, e.g. "vietnam_vn/1+metadata/1".
LAYERS: tuple[str, ...] = tuple(
    label(m) for m in (*PORTAL_PARSERS.values(), metadata, generic, library))
REQUIRED = ("headline", "body", "date_published")
# Fields found together: a layer that supplies the first supplies its companions too.
_COMPANIONS = {"date_published": ("date_published_raw",), "body": ("body_html",)}
_COMPANION_OF = {c for group in _COMPANIONS.values() for c in group}
# What python-slugify's backend="auto" resolves to, resolved once: "auto" looks the module up
# again on every call (~90 us, more than the rest of the slug).
_SLUG_BACKEND = "unidecode" if find_spec("unidecode") else "text-unidecode"
# Fields extract() owns; a layer cannot set them.
_IDENTITY = frozenset({"id", "url", "canonical_url", "portal", "language", "slug", "messages",
                       "fetched_at", "parser"})


def extract(
    html: str | bytes,
    url: str,
    *,
    fetched_at: str | datetime | None = None,
    encoding: str | None = None,
    portal_parser: bool = True,
) -> Article:
    """The final, normalized Article of one page (see docs/article.md).

    Layers, each filling only what the ones before left empty: the portal's own parser,
    structured metadata, the generic heuristics (which also judge whether the page is an
    article at all: a listing gets "not an article" and no body); the library layer
    (trafilatura) only off the portal path when the generic layer failed. `portal_parser=False`
    switches the portal's parser off, as for a portal nobody wrote one for (benchmarks).
    """
    problems: list[str] = []
    try:
        fetched = parse_fetched_at(fetched_at, now=clock.now())
    except (TypeError, ValueError):
        fetched = clock.now().replace(microsecond=0)
        problems.append("invalid fetched_at; used the current time")
    portal, canonical = _identity(url, problems)
    text = _decode(html, encoding, problems)
    if text and not is_html(text):
        problems.append("not an HTML document")
    sel = parse(text)
    # A portal's edition is its path prefix; another site's page may say it in <html lang>.
    language = _edition(url, portal) or _html_lang(sel)
    page = Page(sel=sel, url=url, language=language,
                zone=portal.timezone if portal else DEFAULT_ZONE, fetched_at=fetched)

    fields: Fields = {}
    used: list[str] = []
    layers: list[ModuleType] = []
    own = PORTAL_PARSERS.get(portal.name) if portal and portal_parser else None
    if own is not None:
        layers.append(own)
    layers.append(metadata)
    for layer in layers:
        _run(layer, page, fields, used, problems)
    if own is None or _missing(fields):
        found = _run(generic, page, fields, used, problems)
        if found is None and own is None and text:
            _run(library, page, fields, used, problems)  # generic failed: trafilatura's turn
        elif found and generic.NOT_ARTICLE in found.get("messages", ()) and not fields.get("body"):
            problems.append(generic.NOT_ARTICLE)

    item = {name: fields.get(name) for name in FIELD_NAMES if name not in _IDENTITY}
    item = _finish(item)
    item.update(
        id=article_id(canonical),
        url=url,
        canonical_url=canonical,
        portal=portal.name if portal else "",
        language=language,
        slug=slugify(item["headline"], backend=_SLUG_BACKEND),
        fetched_at=format_fetched_at(fetched),
        parser="+".join(used) or label(generic),
    )
    item["messages"] = validation_messages(item) + problems
    return Article(**{name: item[name] for name in FIELD_NAMES})


def _missing(fields: Fields) -> bool:
    return any(not fields.get(name) for name in REQUIRED)


def _identity(url: str, problems: list[str]) -> tuple[Portal | None, str]:
    """Portal and canonical URL; a malformed URL keeps itself as identity, with a message."""
    try:
        return portal_for(url), canonical_url(url)
    except ValueError as exc:
        problems.append(f"invalid url: {exc}")
        return None, url


def _edition(url: str, portal: Portal | None) -> str:
    try:
        return edition_of(url, portal)
    except ValueError:
        return ""


def _decode(data: str | bytes, encoding: str | None, problems: list[str]) -> str:
    try:
        return decode(data, encoding)
    except Exception as exc:  # never raise: an undecodable page is an empty page
        problems.append(f"decode error: {type(exc).__name__}")
        return ""


def _run(layer: ModuleType, page: Page, fields: Fields, used: list[str],
         problems: list[str]) -> Fields | None:
    """Run one layer; keep what it adds to the still-empty fields; record a failure (None)."""
    if fields:
        page = with_changes(page, wanted=frozenset(n for n in FIELD_NAMES if _empty(fields.get(n))))
    try:
        found = layer.parse(page)
    except Exception as exc:  # one layer's bug must not lose the article
        logger.warning("parser %s failed on %s", layer.NAME, page.url, exc_info=True)
        problems.append(f"parser error: {layer.NAME}: {type(exc).__name__}")
        return None
    if _merge(fields, found):
        used.append(label(layer))
    return found


def _merge(fields: Fields, found: Fields) -> bool:
    """Fill only empty fields (companions travel together); True when anything was added."""
    added = False
    for name, value in found.items():
        if name in _IDENTITY or name in _COMPANION_OF or _empty(value):
            continue
        if not _empty(fields.get(name)):
            continue
        fields[name] = value
        for companion in _COMPANIONS.get(name, ()):
            fields[companion] = found.get(companion)
        added = True
    return added


def _finish(item: dict[str, Any]) -> dict[str, Any]:
    """Types and empties as the contract has them: None for absent text, [] / {} for lists."""
    for name in ("headline", "body", "body_html"):
        item[name] = item[name] or ""
    item["headline"] = clean_text(item["headline"])
    for name in ("lead", "source", "source_url", "date_published", "date_published_raw",
                 "date_modified", "section"):
        item[name] = clean_text(item[name]) or None
    for name in ("breadcrumbs", "tags", "images", "related_links"):
        item[name] = list(item[name] or [])
    item["authors"] = clean_authors(item["authors"] or [],
                                    publications=[item["source"]] if item["source"] else [])
    item["translations"] = dict(item["translations"] or {})
    return item


def _html_lang(sel: Selector) -> str:
    lang = (sel.xpath("/html/@lang").get() or "").strip().lower().replace("_", "-")
    return lang if len(lang) <= 10 else ""


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _CallableModule(ModuleType):
    """This module, callable as `extract()` itself: once it is imported, Python binds
    `portal_crawler.extract` to the module (over the package's lazy function), so
    `from portal_crawler import extract; extract(html, url)` must work on the module too."""

    def __call__(self, *args: Any, **kwargs: Any) -> Article:
        return extract(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
