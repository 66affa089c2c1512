"""The vnexpress.net replica, with e.vnexpress.net as its English edition.

Content records (content/vnexpress.net/articles/<edition>/*.json) hold what an editor writes;
this module turns them into the site's pages in the markup VIETNAMESE_PORTALS.md documents
(templates/vnexpress/): `/<slug>-<7-digit id>.html`, `h1.title-detail`, `p.description`
opening with `span.location-stamp`, `article.fck_detail ` of `p.Normal`, lazy images with
"Ảnh: …" credits, a right-aligned author line or `p.author_mail`, bare `<ul><li><a>` related
lists, JSON-LD NewsArticle, meta keywords ending in "Tin nóng". Discovery is the site's: RSS
feeds `/rss/<section>.rss` on each edition's host, and robots.txt. www.vnexpress.net redirects
to the bare host, as the live site does.

A record varies what the live pages vary: `jsonld` false (no JSON-LD), `shown_date` null (the
date only in JSON-LD), `signature.style` right / author_mail. The expected Article of a page is
built here from the record (`expected()`), never by extract().
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape
from slugify import slugify

from ...article import FIELD_NAMES, validation_messages
from ...identity import article_id, canonical_url
from ..content import CONTENT_DIR
from ..render import PLACEHOLDER, environment
from ..resource import Resource, make_resource

PORTAL = "vnexpress.net"
PARSER = "vnexpress/1"
CONTENT = CONTENT_DIR / PORTAL
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
HOT_KEYWORD = "Tin nóng"  # the site appends it to most pages' keywords; not a tag
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FEATURED = "tin-noi-bat"  # the Vietnamese edition's feed of featured articles
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


@dataclass(frozen=True)
class Story:
    """One article record with the values derived from it (URL, path, dates)."""

    record: dict[str, Any]
    host: str

    @property
    def name(self) -> str:
        return self.record["name"]

    @property
    def edition(self) -> str:
        return self.record["edition"]

    @property
    def path(self) -> str:
        prefix = self.record.get("path_prefix", "")
        return f"{prefix}/{self.record['slug']}-{self.record['id']}.html"

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.record["date_published"])

    @property
    def modified(self) -> datetime:
        """Last-Modified of the page (UTC, as HTTP writes it)."""
        return datetime.fromisoformat(self.record.get("date_modified")
                                      or self.record["date_published"]).astimezone(UTC)

    @property
    def lead(self) -> str:
        """The sapo as the site prints it in plain text (og:description): "Place - text"."""
        location = self.record.get("location")
        return f"{location} - {self.record['sapo']}" if location else self.record["sapo"]

    @property
    def images(self) -> list[dict[str, Any]]:
        return [b for b in self.record["body"] if b["type"] == "image"]

    @property
    def thumb(self) -> str | None:
        return self.images[0]["src"] if self.images else None


@cache
def site_config() -> dict[str, Any]:
    return json.loads((CONTENT / "site.json").read_text("utf-8"))


@cache
def stories() -> tuple[Story, ...]:
    editions = site_config()["editions"]
    found = []
    for path in sorted((CONTENT / "articles").glob("*/*.json")):
        record = json.loads(path.read_text("utf-8"))
        found.append(Story(record, editions[record["edition"]]["host"]))
    return tuple(found)


def by_name() -> dict[str, Story]:
    return {story.name: story for story in stories()}


# rendering --------------------------------------------------------------------------------

def caption_text(story: Story, image: dict[str, Any]) -> str:
    """The printed caption: "text. Ảnh: Name" (vi), "text. Photo by Name" (en)."""
    caption, credit = image.get("caption") or "", image.get("credit")
    if not credit:
        return caption
    if story.edition == "en":
        return f"{caption} Photo by {credit}".strip()
    label = site_config()["editions"][story.edition]["credit_label"]
    return f"{caption} {label}: {credit}".strip()


def paragraph(block: dict[str, Any]) -> Markup:
    """A body paragraph's inner markup; each `links` entry turns its first occurrence into <a>."""
    text: str = block["text"]
    out: list[str] = []
    for link in block.get("links", []):
        before, found, text = text.partition(link["text"])
        if not found:
            raise ValueError(f"inline link text not in its paragraph: {link['text']!r}")
        out += [str(escape(before)), f'<a href="{escape(link["url"])}">{escape(link["text"])}</a>']
    out.append(str(escape(text)))
    return Markup("".join(out))


def related_items(block: dict[str, Any]) -> list[dict[str, str]]:
    """A related list's items: another record by name, or a URL and headline written out."""
    items = []
    for item in block["items"]:
        if "ref" in item:
            target = by_name()[item["ref"]]
            items.append({"url": target.url, "text": target.record["headline"]})
        else:
            items.append({"url": item["url"], "text": item["text"]})
    return items


def today(edition: str, fetched_at: str) -> str:
    """The header's day of the visit ("Thứ bảy, 16/3/2024"): a date on every page that is not
    the article's."""
    day = datetime.fromisoformat(fetched_at).astimezone(ZONE)
    if edition == "en":
        return f"{day:%A}, {day:%B} {day.day}, {day.year}"
    return f"{WEEKDAYS[day.weekday()]}, {day.day}/{day.month}/{day.year}"


def json_ld(story: Story) -> Markup | None:
    record = story.record
    if not record.get("jsonld", True):
        return None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "headline": record["headline"],
        "description": story.lead,
        "datePublished": record["date_published"],
    }
    if record.get("date_modified"):
        data["dateModified"] = record["date_modified"]
    if story.thumb:
        data["image"] = {"@type": "ImageObject", "url": story.thumb, "width": 1200,
                         "height": 720}
    if record.get("authors"):
        data["author"] = [{"@type": "Person", "name": n} for n in record["authors"]]
    data["publisher"] = {
        "@type": "Organization",
        "name": site_config()["editions"][story.edition]["site_name"],
        "logo": {"@type": "ImageObject", "width": 60, "height": 60,
                 "url": "https://s1.vnecdn.net/vnexpress/restruct/i/v9505/logo_default.jpg"},
    }
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))


def most_viewed(story: Story) -> list[Story]:
    """The sidebar's "Xem nhiều": other articles of the same edition (navigation, not related)."""
    return [s for s in stories() if s.edition == story.edition and s is not story][:4]


def render_article(story: Story) -> str:
    edition = site_config()["editions"][story.edition]
    keywords = story.record.get("keywords", [])
    return environment().get_template("vnexpress/article.html").render(
        story=story, record=story.record, site=edition, lang=story.edition,
        today=today(story.edition, story.record["fetched_at"]),
        jsonld=json_ld(story), keywords=", ".join(keywords), placeholder=PLACEHOLDER,
        caption_of=lambda image: caption_text(story, image), paragraph=paragraph,
        related_items=related_items, most_viewed=most_viewed(story),
    )


def _newest_first(items: list[Story]) -> list[Story]:
    return sorted(items, key=lambda s: s.published, reverse=True)


def render_home(edition: str) -> str:
    items = _newest_first([s for s in stories() if s.edition == edition])
    visit = max(s.record["fetched_at"] for s in stories())
    return environment().get_template("vnexpress/home.html").render(
        site=site_config()["editions"][edition], lang=edition, items=items,
        today=today(edition, visit))


def feeds(edition: str) -> dict[str, list[Story]]:
    """Feed name -> its items: the all-news feed lists every article of the edition, a
    section's feed its own, "tin-noi-bat" the featured ones; every declared feed is served."""
    config = site_config()["editions"][edition]
    members = [s for s in stories() if s.edition == edition]
    listed: dict[str, list[Story]] = {name: [] for name in config["feed_titles"]}
    for story in members:
        listed[config["feed_all"]].append(story)
        if story.record["feed"] != config["feed_all"]:
            listed[story.record["feed"]].append(story)
        if story.record.get("featured") and FEATURED in listed:
            listed[FEATURED].append(story)
    return {name: _newest_first(items) for name, items in listed.items()}


def render_feed(edition: str, name: str, items: list[Story]) -> str:
    config = site_config()["editions"][edition]
    newest = items[0].published if items else max(s.published for s in stories())
    return environment().get_template("vnexpress/rss.xml").render(
        site=config, title=config["feed_titles"][name],
        link=f"https://{config['host']}/rss/{name}.rss", pub_date=format_datetime(newest),
        items=[{"story": s, "pub_date": format_datetime(s.published)} for s in items])


# The site's robots.txt names no sitemap: its discovery is the RSS feeds.
ROBOTS = "User-agent: *\nDisallow: /tim-kiem\nDisallow: /microservice/\nDisallow: /ajax/\n"


# the site and its golden pairs --------------------------------------------------------------

def build() -> dict[tuple[str, str], Resource]:
    """(host, path) -> response for both editions, their feeds, homes and robots.txt; the www
    twin answers every page with a 301 to the bare host."""
    pages: dict[tuple[str, str], Resource] = {}
    newest = max(s.modified for s in stories())
    for story in stories():
        body = render_article(story).encode("utf-8")
        pages[(story.host, story.path)] = make_resource(body, HTML, story.modified)
    for edition, config in site_config()["editions"].items():
        host = config["host"]
        pages[(host, "/")] = make_resource(render_home(edition).encode("utf-8"), HTML, newest)
        pages[(host, "/robots.txt")] = make_resource(ROBOTS.encode("utf-8"), TEXT, newest)
        for name, items in feeds(edition).items():
            body = render_feed(edition, name, items).encode("utf-8")
            pages[(host, f"/rss/{name}.rss")] = make_resource(body, RSS, newest)
    bare = site_config()["editions"]["vi"]["host"]
    for path in [path for host, path in pages if host == bare]:
        pages[(site_config()["www_host"], path)] = Resource(
            status=301, body=b"", content_type=HTML,
            headers={"Location": f"https://{bare}{path}"})
    return pages


def expected(story: Story) -> dict[str, Any]:
    """The Article a correct parser finds on the page, from the record (docs/article.md)."""
    record = story.record
    texts = [story.lead] + [b["text"] for b in record["body"] if b["type"] == "p"]
    links: list[dict[str, str]] = []
    for block in record["body"]:
        if block["type"] == "p":
            links += [{"url": link["url"], "text": link["text"], "relation": "inline"}
                      for link in block.get("links", [])]
        elif block["type"] == "related":
            links += [{**item, "relation": "related_box"} for item in related_items(block)]
    crumbs = [name for name, _ in record.get("crumbs", [])]
    shown = record.get("shown_date")
    canonical = canonical_url(story.url)
    item: dict[str, Any] = {
        "id": article_id(canonical),
        "url": story.url,
        "canonical_url": canonical,
        "portal": PORTAL,
        "language": story.edition,
        "headline": record["headline"],
        "lead": story.lead,
        "authors": list(record.get("authors", [])),
        "source": record.get("source"),
        "source_url": None,
        "date_published": record["date_published"],
        # As printed; a page that prints none states it only in JSON-LD, as written there.
        "date_published_raw": shown or record["date_published"],
        "date_modified": record.get("date_modified") if record.get("jsonld", True) else None,
        "section": crumbs[-1] if crumbs else None,
        "breadcrumbs": crumbs,
        "tags": [k for k in record.get("keywords", []) if k != HOT_KEYWORD],
        "body": "\n\n".join(texts),
        "body_html": "\n".join(f"<p>{escape(t)}</p>" for t in texts),
        "images": [{"url": image["src"], "caption": image.get("caption") or None,
                    "credit": image.get("credit"), "alt": image.get("alt") or None}
                   for image in story.images],
        "related_links": links,
        "translations": {},
        "slug": slugify(record["headline"]),
        "messages": [],
        "fetched_at": record["fetched_at"],
        "parser": PARSER,
    }
    item["messages"] = validation_messages(item)
    if tuple(item) != FIELD_NAMES:
        raise RuntimeError("expected Article out of step with the contract (article.py)")
    return item


def golden_pairs() -> dict[str, tuple[str, str]]:
    return {story.name: (render_article(story),
                         json.dumps(expected(story), ensure_ascii=False, indent=2) + "\n")
            for story in stories()}
