"""Jinja2 rendering of the replica's pages; templates hold markup, never data."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .content import ArticleView, SiteData

TEMPLATES = Path(__file__).parent / "templates"
# The lazy-loading placeholder the real pages put in `src` while `data-src` holds the image.
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
BUILD_ID = "a1b2c3d4e5f6"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _common(site: SiteData, edition: str) -> dict[str, Any]:
    return {
        "strings": site.strings(edition),
        "header": site.config["header"],
        "nav": site.nav(edition),
        "footer": site.config["footer"],
        "home_href": site.edition_prefix(edition) or "/",
        "placeholder": PLACEHOLDER,
        "build_id": BUILD_ID,
    }


def render_article(site: SiteData, view: ArticleView, template: str | None = None) -> str:
    record = view.record
    paragraphs = view.paragraphs
    images = view.images
    category = None
    if record.get("show_category") and record.get("category"):
        slug = record["category"]
        category = {
            "href": site.category_path(slug),
            "name": site.config["categories"][slug][view.edition],
        }
    name = template or f"{record.get('template', 'article')}.html"
    return environment().get_template(name).render(
        **_common(site, view.edition),
        view=view,
        description=paragraphs[0] if paragraphs else record["headline"],
        og_image=images[0]["src"] if images else None,
        category=category,
    )


def render_category(site: SiteData, slug: str, edition: str | None = None) -> str:
    """A listing page: every article of the category in any edition, newest first."""
    edition = edition or site.config["default_edition"]
    members = [a for a in site.articles if a.record.get("category") == slug]
    members.sort(key=lambda a: a.lastmod, reverse=True)
    items = [
        {
            "href": a.path,
            "headline": a.record["headline"],
            "thumb": a.images[0]["src"] if a.images else None,
            "source": (a.record.get("source") or {}).get("name", ""),
            "date": a.record.get("date_published_raw", ""),
        }
        for a in members
    ]
    path = site.category_path(slug)
    category = {"name": site.config["categories"][slug][edition], "url": site.absolute(path)}
    return environment().get_template("category.html").render(
        **_common(site, edition), category=category, items=items
    )


def render_not_found(site: SiteData) -> str:
    return environment().get_template("not_found.html").render(
        **_common(site, site.config["default_edition"])
    )


def render_sitemap(template: str, entries: list[dict[str, str | None]]) -> str:
    return environment().get_template(template).render(entries=entries)
