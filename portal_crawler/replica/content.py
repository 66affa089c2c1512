"""Content records -> view models shared by the templates and the expected-Article writer.

Records (JSON under content/<portal>/) hold only what an editor would write; everything derived
(URLs, translations, resolved related lists) is computed here once, so the rendered page and
its expected JSON cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"
DEFAULT_PORTAL = "vietnam.vn"
RELATIONS = ("same_topic", "same_category", "same_author")


@dataclass
class SiteData:
    """Portal-level data: hosts, editions, per-edition labels, navigation, footer."""

    config: dict[str, Any]
    teasers: dict[str, Any]
    articles: list[ArticleView] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.config["base_url"]

    @property
    def hosts(self) -> list[str]:
        return self.config["hosts"]

    @property
    def editions(self) -> list[str]:
        return self.config["editions"]

    def edition_prefix(self, edition: str) -> str:
        return "" if edition == self.config["default_edition"] else f"/{edition}"

    def article_path(self, edition: str, slug: str) -> str:
        return f"{self.edition_prefix(edition)}/{slug}"

    def category_path(self, slug: str) -> str:
        return f"/category/{slug}"

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def strings(self, edition: str) -> dict[str, str]:
        return self.config["strings"][edition]

    def nav(self, edition: str) -> list[dict[str, str | None]]:
        """Navigation entries in page order; `@videos` is the empty video widget."""
        entries: list[dict[str, str | None]] = []
        for key in self.config["nav"]:
            if key == "@videos":
                entries.append({"label": None, "href": None})
            else:
                label = self.config["categories"][key][edition]
                entries.append({"label": label, "href": self.category_path(key)})
        return entries


@dataclass
class RelatedItem:
    href: str
    url: str
    headline: str
    thumb: str | None


@dataclass
class ArticleView:
    """One article page in one edition, with every derived value resolved."""

    record: dict[str, Any]
    path: str
    url: str
    hand_expected: Path | None = None
    alternates: list[tuple[str, str]] = field(default_factory=list)
    related: list[tuple[str, list[RelatedItem]]] = field(default_factory=list)

    @property
    def edition(self) -> str:
        return self.record["edition"]

    @property
    def name(self) -> str:
        return self.record["name"]

    @property
    def lastmod(self) -> datetime:
        return parse_lastmod(self.record["lastmod"])

    @property
    def paragraphs(self) -> list[str]:
        return [b["text"] for b in self.record["body"] if b["type"] == "p"]

    @property
    def images(self) -> list[dict[str, Any]]:
        return [b for b in self.record["body"] if b["type"] == "image"]


def parse_lastmod(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_site(content_dir: Path | None = None, portal: str = DEFAULT_PORTAL) -> SiteData:
    """Read site.json, teasers.json and every article record, then resolve the views."""
    root = (content_dir or CONTENT_DIR) / portal
    config = json.loads((root / "site.json").read_text("utf-8"))
    teasers_path = root / "teasers.json"
    teasers = json.loads(teasers_path.read_text("utf-8")) if teasers_path.exists() else {}
    teasers.pop("_comment", None)
    site = SiteData(config=config, teasers=teasers)
    for path in sorted((root / "articles").rglob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        record = json.loads(path.read_text("utf-8"))
        page_path = site.article_path(record["edition"], record["slug"])
        hand = path.with_name(path.stem + ".expected.json")
        site.articles.append(
            ArticleView(
                record=record,
                path=page_path,
                url=site.absolute(page_path),
                hand_expected=hand if hand.exists() else None,
            )
        )
    _resolve(site)
    return site


def _resolve(site: SiteData) -> None:
    """Fill translations (hreflang groups) and related lists from the other records."""
    by_key = {(a.edition, a.record["slug"]): a for a in site.articles}
    groups: dict[str, list[ArticleView]] = {}
    for article in site.articles:
        groups.setdefault(article.record.get("group", article.record["slug"]), []).append(article)
    order = {edition: i for i, edition in enumerate(site.editions)}
    for members in groups.values():
        alternates = sorted(((a.edition, a.url) for a in members), key=lambda e: order[e[0]])
        for article in members:
            article.alternates = alternates
    for article in site.articles:
        related = article.record.get("related", {})
        for relation in RELATIONS:
            slugs = related.get(relation, [])
            items = [_related_item(site, by_key, article.edition, s) for s in slugs]
            article.related.append((relation, items))


def _related_item(
    site: SiteData, by_key: dict[tuple[str, str], ArticleView], edition: str, slug: str
) -> RelatedItem:
    path = site.article_path(edition, slug)
    target = by_key.get((edition, slug))
    if target is not None:
        images = target.images
        thumb = images[0]["src"] if images else None
        headline = target.record["headline"]
    else:
        teaser = site.teasers[slug]
        thumb, headline = teaser.get("thumb"), teaser["headline"][edition]
    return RelatedItem(href=path, url=site.absolute(path), headline=headline, thumb=thumb)
