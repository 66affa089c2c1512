"""tuoitre.vn replica: articles in the markup VIETNAMESE_PORTALS.md documents (`.detail-cmain`,
`div.detail-content.afcbc-body`, `h2.detail-sapo`, the inserted boxes), discovered by RSS.

It also serves the originals that the vietnam.vn replica credits to tuoitre.vn: at each
credited URL, the vietnam.vn `vi` record's headline and text (read at build time), with the
tuoitre-only parts (an earlier time, the byline, section, tags) from content/tuoitre.vn/
originals.json.
"""

from __future__ import annotations

from email.utils import format_datetime
from functools import cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..content import CONTENT_DIR
from ..resource import Resource
from . import _daily
from ._daily import HTML, RSS, TEXT, Daily, Story

PORTAL = "tuoitre.vn"
PARSER = "tuoitre/1"
FEED_ALL = "/rss/tin-moi-nhat.rss"


def article_path(record: dict[str, Any]) -> str:
    return record.get("path") or f"/{record['slug']}-{record['id']}.htm"


def originals() -> list[dict[str, Any]]:
    """Records of the originals behind the vietnam.vn articles crediting tuoitre.vn."""
    notes = _daily.read_json(CONTENT_DIR / PORTAL / "originals.json")
    notes.pop("_comment", None)
    records = []
    for url, republished in credited().items():
        if url not in notes:
            raise ValueError(f"{PORTAL}: originals.json has no entry for credited {url}")
        records.append(original_record(url, republished, notes[url]))
    return records


def credited() -> dict[str, dict[str, Any]]:
    """Credited tuoitre.vn URL -> the vietnam.vn `vi` record republishing it."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((CONTENT_DIR / "vietnam.vn" / "articles" / "vi").glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        record = _daily.read_json(path)
        url = (record.get("source") or {}).get("url") or ""
        if _daily.host_of(url) in ("tuoitre.vn", "www.tuoitre.vn"):
            found[url] = record
    return found


def original_record(url: str, republished: dict[str, Any], note: dict[str, Any]
                    ) -> dict[str, Any]:
    """The tuoitre.vn page of a republished article: its text, tuoitre's own parts."""
    paragraphs = [b for b in republished["body"] if b["type"] == "p"]
    body: list[dict[str, Any]] = []
    for block in republished["body"]:
        if block["type"] == "p" and block is not paragraphs[0]:
            body.append({"type": "p", "text": block["text"]})
        elif block["type"] == "image":
            name = PurePosixPath(urlsplit(block["src"]).path).name
            body.append({"type": "image", "src": note["image_base"] + name,
                         "caption": block.get("caption"), "credit": block.get("credit"),
                         "alt": block.get("alt")})
    return {"name": "original_" + republished["name"], "path": urlsplit(url).path,
            "headline": republished["headline"], "sapo": paragraphs[0]["text"],
            **{k: v for k, v in note.items() if k != "image_base"}, "body": body}


@cache
def daily() -> Daily:
    return _daily.load_daily(PORTAL, PARSER, article_path, _daily.gmt7,
                              extra=originals())


def render_story(story: Story) -> str:
    return _daily.render_story(daily(), story, "tuoitre/article.html")


def feeds(site: Daily) -> dict[str, tuple[str, list[Story]]]:
    """Feed path -> (title, stories): the newest-news feed and one per section."""
    out = {FEED_ALL: ("Tin mới nhất - Tuổi Trẻ Online", site.newest_first())}
    for slug, name in site.config["sections"].items():
        members = [s for s in site.newest_first() if s.record["section"] == slug]
        out[f"/rss/{slug}.rss"] = (f"{name} - Tuổi Trẻ Online", members)
    return out


def _rss(site: Daily, title: str, stories: list[Story]) -> str:
    items = [{"title": s.record["headline"], "url": s.url, "description": s.paragraphs[0],
              "pub_date": format_datetime(s.published)} for s in stories]
    return _daily.render("vn_dailies/rss.xml", title=title, link=site.base_url + "/",
                         items=items)


def build() -> dict[tuple[str, str], Resource]:
    site = daily()
    newest = _daily.newest(site)
    pages = {story.path: (render_story(story), HTML, story.published) for story in site.stories}
    pages.update(_daily.listing_pages(site, {"": FEED_ALL, **{
        slug: f"/rss/{slug}.rss" for slug in site.config["sections"]}}))
    for path, (title, stories) in feeds(site).items():
        pages[path] = (_rss(site, title, stories), RSS, newest)
    pages["/robots.txt"] = (_daily.robots(site), TEXT, newest)
    return _daily.served(site, pages)


def golden_pairs() -> dict[str, tuple[str, str]]:
    return _daily.golden_pairs(daily(), render_story)
