"""Jinja2 rendering of the replica's pages; templates hold markup, never data."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from slugify import slugify

from .content import ArticleView, SiteData, section_of
from .families import markup

TEMPLATES = Path(__file__).parent / "templates"
# The lazy-loading placeholder the real pages put in `src` while `data-src` holds the image.
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
BUILD_ID = "a1b2c3d4e5f6"
LOGO = "https://vphoto.vietnam.vn/static/logo-vietnam-vn.png"


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


def paragraph(block: dict[str, Any]) -> Markup:
    """A body paragraph's inner markup; each `links` entry turns its first occurrence into <a>."""
    text: str = block["text"]
    out: list[str] = []
    for link in block.get("links", []):
        before, found, text = text.partition(link["text"])
        if not found:
            raise ValueError(f"inline link text not in its paragraph: {link['text']!r}")
        out.append(str(escape(before)))
        out.append(f'<a href="{escape(link["url"])}">{escape(link["text"])}</a>')
    out.append(str(escape(text)))
    return Markup("".join(out))


def caption_factory(strings: dict[str, str]):
    def caption_of(block: dict[str, Any]) -> str:
        """The printed caption: text plus the credit, "(Ảnh: X)" or, style `plain`, "Ảnh: X"."""
        caption = block.get("caption") or ""
        credit = block.get("credit")
        if not credit:
            return caption
        label = block.get("credit_label") or strings["credit_label"]
        if block.get("credit_style") == "plain":
            return f"{caption} {label}: {credit}"
        return f"{caption} ({label}: {credit})"

    return caption_of


def json_ld(site: SiteData, view: ArticleView) -> Markup | None:
    """A schema.org NewsArticle from the record (pages whose `meta.jsonld` is true)."""
    if not view.meta["jsonld"]:
        return None
    record = view.record
    authors = record.get("authors") or []
    source = (record.get("source") or {}).get("name")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": view.url},
        "headline": record["headline"],
        "inLanguage": view.edition,
        "datePublished": record.get("date_published"),
    }
    if record.get("date_modified"):
        data["dateModified"] = record["date_modified"]
    if authors:
        data["author"] = [{"@type": "Person", "name": name} for name in authors]
    elif source:
        data["author"] = {"@type": "Organization", "name": source}
    section = section_of(site, view)
    if section:
        data["articleSection"] = section
    if view.thumb:
        data["image"] = [view.thumb]
    data["publisher"] = {
        "@type": "Organization",
        "name": "Vietnam.vn",
        "logo": {"@type": "ImageObject", "url": LOGO},
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return Markup(text)


def _author_line(site: SiteData, view: ArticleView) -> dict[str, Any] | None:
    line = view.record.get("author_line")
    if not line:
        return None
    people = [
        {"name": name, "href": f"/authors/{slugify(name)}"} for name in view.record["authors"]
    ]
    return {"prefix": line["prefix"], "people": people}


def _crumbs(site: SiteData, view: ArticleView) -> list[dict[str, str]]:
    names = view.record.get("breadcrumbs") or []
    crumbs = []
    for i, name in enumerate(names):
        if i == 0:
            href = site.edition_prefix(view.edition) or "/"
        elif i == len(names) - 1 and view.record.get("category"):
            href = site.category_path(view.record["category"])
        else:
            href = site.category_path("tin-tuc")
        crumbs.append({"name": name, "href": href})
    return crumbs


def render_article(site: SiteData, view: ArticleView, template: str | None = None,
                   family: str | None = None) -> str:
    """The article page; `family` (families.py) prints the same record in other markup."""
    record = view.record
    paragraphs = view.paragraphs
    category = None
    if record.get("show_category") and record.get("category"):
        slug = record["category"]
        category = {
            "href": site.category_path(slug),
            "name": site.category_name(slug, view.edition),
        }
    tags = [{"name": t, "href": f"/tag/{slugify(t)}"} for t in record.get("tags", [])]
    strings = site.strings(view.edition)
    name = template or f"{record.get('template', 'article')}.html"
    page = environment().get_template(name).render(
        **_common(site, view.edition),
        view=view,
        meta=view.meta,
        description=paragraphs[0] if paragraphs else record["headline"],
        og_image=view.thumb,
        category=category,
        jsonld=json_ld(site, view),
        author_line=_author_line(site, view),
        crumbs=_crumbs(site, view),
        tags=tags,
        paragraph=paragraph,
        caption_of=caption_factory(strings),
        markup=markup(family),
    )
    if record.get("nfd"):
        page = unicodedata.normalize("NFD", page)
    return page


def listing_items(views: list[ArticleView]) -> list[dict[str, Any]]:
    return [
        {
            "href": a.path,
            "headline": a.record["headline"],
            "thumb": a.thumb,
            "source": (a.record.get("source") or {}).get("name", ""),
            "date": a.record.get("date_published_raw", ""),
        }
        for a in sorted(views, key=lambda a: a.lastmod, reverse=True)
    ]


def render_listing(
    site: SiteData, title: str, path: str, views: list[ArticleView], edition: str | None = None
) -> str:
    """A listing page (category, tag, author, organization, home): newest first."""
    edition = edition or site.config["default_edition"]
    listing = {"name": title, "url": site.absolute(path)}
    return environment().get_template("category.html").render(
        **_common(site, edition), category=listing, items=listing_items(views)
    )


def render_category(site: SiteData, slug: str, edition: str | None = None) -> str:
    """A category page: every article of the category in any edition, newest first."""
    edition = edition or site.config["default_edition"]
    members = [a for a in site.articles if a.record.get("category") == slug]
    return render_listing(
        site, site.category_name(slug, edition), site.category_path(slug), members, edition
    )


def render_not_found(site: SiteData) -> str:
    return environment().get_template("not_found.html").render(
        **_common(site, site.config["default_edition"])
    )


def render_sitemap(template: str, entries: list[dict[str, Any]]) -> str:
    return environment().get_template(template).render(entries=entries)
