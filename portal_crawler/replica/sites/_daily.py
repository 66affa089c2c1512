"""What the replicas of tuoitre.vn, thanhnien.vn and dantri.com.vn share: their content records,
the pages' head (with or without JSON-LD and meta), listings, robots.txt, and the expected
Article written from a record (never from extract()).

A record (content/<host>/articles/*.json) holds what an editor writes: headline, sapo, authors,
publication time, section, tags and the body's blocks in page order:

    {"type": "p", "text": ..., "links": [{"text", "url"}]}       a paragraph, inline links
    {"type": "image", "src", "caption", "credit", "alt", "lazy"} a figure (lazy: data-src)
    {"type": "related", "items": [{"url", "text"}]}              a bare <ul><li><a> list
    {"type": "box", "kind": "readmore"|"topic"|"author", ...}    an inserted box to drop

`meta.jsonld` switches the NewsArticle JSON-LD and the OpenGraph/article meta on (off: the
page states headline, date and author only in its visible markup); `meta.show_author` and
`meta.show_date` (default true) say whether the byline and the date line are printed;
`meta.signature` prints the byline as the body's closing right-aligned line instead.
Each site module supplies its URL shape, its printed date and its templates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup
from slugify import slugify

from ...article import FIELD_NAMES, validation_messages
from ...identity import article_id, canonical_url, edition_of
from ..content import CONTENT_DIR, parse_lastmod
from ..render import PLACEHOLDER, environment, paragraph
from ..resource import Resource, make_resource

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
META_DEFAULTS = {"jsonld": False, "show_author": True, "show_date": True, "signature": False}
HOME_ITEMS = 4  # the home page shows the newest few; feeds and sitemaps list everything
SIDEBAR = 3
HANOI = timezone(timedelta(hours=7))


@dataclass
class Story:
    """One article page of a daily, every derived value resolved once."""

    record: dict[str, Any]
    path: str
    url: str
    printed_date: str

    @property
    def name(self) -> str:
        return self.record["name"]

    @property
    def meta(self) -> dict[str, bool]:
        return {**META_DEFAULTS, **self.record.get("meta", {})}

    @property
    def published(self) -> datetime:
        return parse_lastmod(self.record["date_published"])

    @property
    def images(self) -> list[dict[str, Any]]:
        return [b for b in self.record["body"] if b["type"] == "image"]

    @property
    def thumb(self) -> str | None:
        return next((b["src"] for b in self.images), None)

    @property
    def paragraphs(self) -> list[str]:
        """The Article's paragraphs: the sapo first, then the body's, datelines not included."""
        sapo = self.record.get("sapo")
        body = [b["text"] for b in self.record["body"] if b["type"] == "p"]
        return [sapo, *body] if sapo else body


@dataclass
class Daily:
    """One daily's replica: its site.json, its stories, how it prints URLs and dates."""

    host: str
    parser: str  # "tuoitre/1"
    article_path: Callable[[dict[str, Any]], str]
    print_date: Callable[[datetime], str]
    config: dict[str, Any] = field(default_factory=dict)
    stories: list[Story] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.config["base_url"]

    def section_name(self, slug: str) -> str:
        return self.config["sections"][slug]

    def section_path(self, slug: str) -> str:
        return f"/{slug}.htm"

    def tag_path(self, tag: str) -> str:
        return f"/tag/{slugify(tag)}.htm"

    def author_path(self, name: str) -> str:
        return f"/tac-gia/{slugify(name)}.htm"

    def newest_first(self, stories: Iterable[Story] | None = None) -> list[Story]:
        return sorted(self.stories if stories is None else stories,
                      key=lambda s: s.published, reverse=True)


def load_daily(host: str, parser: str, article_path: Callable[[dict[str, Any]], str],
               print_date: Callable[[datetime], str],
               extra: Iterable[dict[str, Any]] = ()) -> Daily:
    """The daily's site.json and records (plus `extra` records built elsewhere), resolved."""
    root = CONTENT_DIR / host
    daily = Daily(host, parser, article_path, print_date, config=read_json(root / "site.json"))
    records = [read_json(path) for path in sorted((root / "articles").glob("*.json"))]
    for record in [*records, *extra]:
        path = article_path(record)
        printed = print_date(parse_lastmod(record["date_published"]))
        daily.stories.append(Story(record, path, daily.base_url + path, printed))
    names = [s.name for s in daily.stories]
    if len(set(names)) != len(names):
        raise ValueError(f"{host}: two records share a name")
    return daily


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


# Page parts --------------------------------------------------------------------------------

def json_ld(daily: Daily, story: Story) -> Markup | None:
    """A schema.org NewsArticle from the record (pages whose `meta.jsonld` is true)."""
    if not story.meta["jsonld"]:
        return None
    record = story.record
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "headline": record["headline"],
        "description": record.get("sapo") or story.paragraphs[0],
        "datePublished": record["date_published"],
    }
    if record.get("date_modified"):
        data["dateModified"] = record["date_modified"]
    if record.get("authors"):
        data["author"] = [{"@type": "Person", "name": n} for n in record["authors"]]
    data["articleSection"] = daily.section_name(record["section"])
    if record.get("tags"):
        data["keywords"] = ", ".join(record["tags"])
    if story.thumb:
        data["image"] = [story.thumb]
    data["publisher"] = {"@type": "Organization", "name": daily.config["title"],
                         "logo": {"@type": "ImageObject", "url": daily.config["logo"]}}
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))


def page_context(daily: Daily, story: Story) -> dict[str, Any]:
    """What every article template gets: the record, its derived values, the helpers."""
    record = story.record
    return {
        "site": daily.config,
        "story": story,
        "r": record,
        "meta": story.meta,
        "jsonld": json_ld(daily, story),
        "section": {"name": daily.section_name(record["section"]),
                    "href": daily.section_path(record["section"])},
        "authors": [{"name": n, "href": daily.author_path(n)} for n in record.get("authors", [])],
        "tags": [{"name": t, "href": daily.tag_path(t)} for t in record.get("tags", [])],
        "sections": [{"name": name, "href": daily.section_path(slug)}
                     for slug, name in daily.config["sections"].items()],
        "description": record.get("sapo") or story.paragraphs[0],
        "paragraph": paragraph,
        "placeholder": PLACEHOLDER,
    }


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_story(daily: Daily, story: Story, template: str) -> str:
    sidebar = [s for s in daily.newest_first() if s is not story][:SIDEBAR]
    return render(template, **page_context(daily, story), sidebar=sidebar)


def gmt7(moment: datetime) -> str:
    """"26/05/2024 19:45 GMT+7", as tuoitre.vn and thanhnien.vn print a date line."""
    return moment.astimezone(HANOI).strftime("%d/%m/%Y %H:%M") + " GMT+7"


# Expected Article -------------------------------------------------------------------------

def expected_article(daily: Daily, story: Story) -> dict[str, Any]:
    """Every contract field, in contract order, as a correct parser must read the page."""
    record = story.record
    paragraphs = story.paragraphs
    shown = story.meta["show_date"]
    links: list[dict[str, str]] = []
    for block in record["body"]:
        if block["type"] == "p":
            links += [{"url": urljoin(story.url, link["url"]), "text": link["text"],
                       "relation": "inline"} for link in block.get("links", [])]
        elif block["type"] == "related":
            links += [{"url": urljoin(story.url, item["url"]), "text": item["text"],
                       "relation": "related_box"} for item in block["items"]]
    canonical = canonical_url(story.url)
    item: dict[str, Any] = {
        "id": article_id(canonical),
        "url": story.url,
        "canonical_url": canonical,
        "portal": daily.config["portal"],
        "language": edition_of(story.url),
        "headline": record["headline"],
        "lead": paragraphs[0],
        "authors": list(record.get("authors", [])),
        "source": None,
        "source_url": None,
        "date_published": record["date_published"],
        # Printed when the page prints it; else as the JSON-LD declares it.
        "date_published_raw": story.printed_date if shown else record["date_published"],
        "date_modified": record.get("date_modified") if story.meta["jsonld"] else None,
        "section": daily.section_name(record["section"]),
        "breadcrumbs": [],
        "tags": list(record.get("tags", [])),
        "body": "\n\n".join(paragraphs),
        "body_html": "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs),
        "images": [{"url": urljoin(story.url, b["src"]), "caption": b.get("caption"),
                    "credit": b.get("credit"), "alt": b.get("alt") or None}
                   for b in story.images],
        "related_links": links,
        "translations": {},
        "slug": slugify(record["headline"]),
        "messages": [],
        "fetched_at": record["fetched_at"],
        "parser": daily.parser,
    }
    item["messages"] = validation_messages(item)
    if tuple(item) != FIELD_NAMES:
        raise RuntimeError("expected Article out of step with the contract (article.py)")
    return item


def golden_pairs(daily: Daily, render_story: Callable[[Story], str]
                 ) -> dict[str, tuple[str, str]]:
    return {story.name: (render_story(story), json.dumps(
        expected_article(daily, story), ensure_ascii=False, indent=2) + "\n")
        for story in daily.stories}


# Serving ----------------------------------------------------------------------------------

def newest(daily: Daily) -> datetime:
    return max(s.published for s in daily.stories)


def listing_pages(daily: Daily, feeds: dict[str, str] | None = None
                  ) -> dict[str, tuple[str, str, datetime]]:
    """The home page (the newest few, a summary under the first only) and one page per
    section (all of it, each with its summary); `feeds`: the RSS feed path each declares, by
    "" (home) or section slug."""
    feeds = feeds or {}
    context = {"site": daily.config, "sections": [
        {"name": n, "href": daily.section_path(s)} for s, n in daily.config["sections"].items()]}
    title, newest_at = daily.config["title"], newest(daily)

    def declared(key: str, name: str) -> list[dict[str, str]]:
        return [{"title": name, "href": feeds[key]}] if key in feeds else []

    pages = {"/": (render("vn_dailies/listing.html", **context, title=title,
                          url=daily.base_url + "/", heading="Tin mới nhất",
                          feeds=declared("", "Tin mới nhất"),
                          items=daily.newest_first()[:HOME_ITEMS], summaries=1), HTML,
                   newest_at)}
    for slug, name in daily.config["sections"].items():
        path = daily.section_path(slug)
        members = [s for s in daily.newest_first() if s.record["section"] == slug]
        pages[path] = (render("vn_dailies/listing.html", **context, title=f"{name} - {title}",
                              url=daily.base_url + path, heading=name,
                              feeds=declared(slug, name), items=members,
                              summaries=len(members)), HTML, newest_at)
    return pages


def urlset(daily: Daily, stories: Iterable[Story]) -> str:
    entries = [{"loc": s.url, "lastmod": s.record["date_published"]}
               for s in daily.newest_first(stories)]
    return render("urlset.xml", entries=entries)


def robots(daily: Daily, sitemaps: Iterable[str] = ()) -> str:
    lines = ["User-agent: *", "Disallow: /tim-kiem", "Allow: /", ""]
    lines += [f"Sitemap: {daily.base_url}{path}" for path in sitemaps]
    return "\n".join(lines) + "\n"


def served(daily: Daily, pages: dict[str, tuple[str, str, datetime]]
           ) -> dict[tuple[str, str], Resource]:
    """path -> (body, content type, modified) on every host of the daily."""
    resources = {path: make_resource(body.encode("utf-8"), kind, modified.astimezone(UTC))
                 for path, (body, kind, modified) in pages.items()}
    return {(host, path): resource for host in daily.config["hosts"]
            for path, resource in resources.items()}


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
