"""Content records -> view models shared by the templates and the expected-Article writer.

Records (JSON under content/<portal>/) hold only what an editor would write; everything derived
(URLs, translations, resolved related lists, the visible section) is computed here once, so the
rendered page and its expected JSON cannot disagree. Synthetic sites (synth.py) build the same
views from in-memory records through `site_from_records()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"
DEFAULT_PORTAL = "vietnam.vn"
RELATIONS = ("same_topic", "same_category", "same_author")
# Page variants a record may switch (docs/replica.md); absent keys take these defaults, which
# reproduce the first template (OpenGraph and hreflang on, no JSON-LD, no OG dates).
META_DEFAULTS = {"og": True, "og_time": False, "jsonld": False, "hreflang": True}


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

    def article_path(self, edition: str, slug: str, trailing_slash: bool = False) -> str:
        return f"{self.edition_prefix(edition)}/{slug}" + ("/" if trailing_slash else "")

    def category_path(self, slug: str) -> str:
        return f"/category/{slug}"

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def strings(self, edition: str) -> dict[str, str]:
        return self.config["strings"][edition]

    def category_name(self, slug: str, edition: str) -> str:
        names = self.config["categories"][slug]
        return names.get(edition) or names["en"]

    def nav(self, edition: str) -> list[dict[str, str | None]]:
        """Navigation entries in page order; `@videos` is the empty video widget."""
        entries: list[dict[str, str | None]] = []
        for key in self.config["nav"]:
            if key == "@videos":
                entries.append({"label": None, "href": None})
            else:
                label = self.category_name(key, edition)
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
    def slug(self) -> str:
        return self.record["slug"]

    @property
    def name(self) -> str:
        return self.record["name"]

    @property
    def lastmod(self) -> datetime:
        return parse_lastmod(self.record["lastmod"])

    @property
    def day(self) -> date:
        """The daily post sitemap that lists the page: its own `day`, else its lastmod's day.

        An edit bumps `lastmod` but keeps `day`, so an edited article stays in its day's file
        (whose <lastmod> in the index then moves), as a crawler's high-water marks expect."""
        day = self.record.get("day")
        return date.fromisoformat(day) if day else self.lastmod.date()

    @property
    def meta(self) -> dict[str, bool]:
        return {**META_DEFAULTS, **self.record.get("meta", {})}

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs in page order, the standfirst (sapo) first."""
        sapo = self.record.get("sapo")
        body = [b["text"] for b in self.record["body"] if b["type"] == "p"]
        return [sapo, *body] if sapo else body

    @property
    def images(self) -> list[dict[str, Any]]:
        return [b for b in self.record["body"] if b["type"] == "image"]

    @property
    def thumb(self) -> str | None:
        return next((b["src"] for b in self.record["body"] if b["type"] == "image"), None)


def section_of(site: SiteData, view: ArticleView) -> str | None:
    """The section a page shows: its breadcrumb's last crumb (older template), the category
    link above the headline, or JSON-LD `articleSection`; None when the page names none."""
    record = view.record
    crumbs = record.get("breadcrumbs")
    if crumbs:
        return crumbs[-1]
    category = record.get("category")
    if category and (record.get("show_category") or view.meta["jsonld"]):
        return site.category_name(category, view.edition)
    return None


def parse_lastmod(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_site(content_dir: Path | None = None, portal: str = DEFAULT_PORTAL) -> SiteData:
    """Read site.json, teasers.json and every article record, then resolve the views."""
    root = (content_dir or CONTENT_DIR) / portal
    config = json.loads((root / "site.json").read_text("utf-8"))
    teasers_path = root / "teasers.json"
    teasers = json.loads(teasers_path.read_text("utf-8")) if teasers_path.exists() else {}
    teasers.pop("_comment", None)
    records: list[dict[str, Any]] = []
    hand: dict[str, Path] = {}
    for path in sorted((root / "articles").rglob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        record = json.loads(path.read_text("utf-8"))
        records.append(record)
        expected = path.with_name(path.stem + ".expected.json")
        if expected.exists():
            hand[record["name"]] = expected
    return site_from_records(config, teasers, records, hand_expected=hand)


def site_from_records(
    config: dict[str, Any],
    teasers: dict[str, Any],
    records: Iterable[dict[str, Any]],
    hand_expected: dict[str, Path] | None = None,
) -> SiteData:
    """Views for records (from files or synthesized), with translations and related lists."""
    site = SiteData(config=config, teasers=teasers)
    hand_expected = hand_expected or {}
    for record in records:
        page_path = site.article_path(
            record["edition"], record["slug"], bool(record.get("trailing_slash"))
        )
        site.articles.append(
            ArticleView(
                record=record,
                path=page_path,
                url=site.absolute(page_path),
                hand_expected=hand_expected.get(record["name"]),
            )
        )
    _resolve(site)
    return site


def _resolve(site: SiteData) -> None:
    """Fill translations (hreflang groups) and related lists from the other records.

    A page with `meta.hreflang` false prints no alternates and is left out of its group's:
    such editions are linked only by their shared slug (the archive's job, not the parser's)."""
    by_key = {(a.edition, a.slug): a for a in site.articles}
    groups: dict[str, list[ArticleView]] = {}
    for article in site.articles:
        if article.meta["hreflang"]:
            groups.setdefault(article.record.get("group", article.slug), []).append(article)
    order = {edition: i for i, edition in enumerate(site.editions)}
    for members in groups.values():
        alternates = sorted(((a.edition, a.url) for a in members), key=lambda e: order[e[0]])
        for article in members:
            article.alternates = alternates
    for article in site.articles:
        related = article.record.get("related", {})
        article.related = [
            (relation, [_related_item(site, by_key, article.edition, slug)
                        for slug in related.get(relation, [])])
            for relation in RELATIONS
        ]


def _related_item(
    site: SiteData, by_key: dict[tuple[str, str], ArticleView], edition: str, slug: str
) -> RelatedItem:
    target = by_key.get((edition, slug))
    if target is not None:
        path, thumb, headline = target.path, target.thumb, target.record["headline"]
    else:
        teaser = site.teasers[slug]
        path = site.article_path(edition, slug)
        thumb = teaser.get("thumbs", {}).get(edition, teaser.get("thumb"))
        headline = teaser["headline"][edition]
    return RelatedItem(href=path, url=site.absolute(path), headline=headline, thumb=thumb)
