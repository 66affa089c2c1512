"""dantri.com.vn replica: `article` > `.singular-content` with `.singular-sapo`
(VIETNAMESE_PORTALS.md), the lead opening with the dateline "(Dân trí) - ", discovered through
the sitemaps robots.txt declares: a news sitemap and one per section."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from ..resource import Resource
from . import _daily
from ._daily import HANOI, HTML, TEXT, XML, Daily, Story

PORTAL = "dantri.com.vn"
PARSER = "dantri/1"
NEWS = "/sitemaps/news.xml"
NEWS_ITEMS = 3
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


def article_path(record: dict[str, Any]) -> str:
    return f"/{record['section']}/{record['slug']}-{record['id']}.htm"


def print_date(moment: datetime) -> str:
    """"Thứ năm, 10/07/2025 - 10:30", as dantri prints a date line."""
    local = moment.astimezone(HANOI)
    return f"{WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y - %H:%M}"


@cache
def daily() -> Daily:
    return _daily.load_daily(PORTAL, PARSER, article_path, print_date)


def render_story(story: Story) -> str:
    return _daily.render_story(daily(), story, "dantri/article.html")


def sitemaps(site: Daily) -> dict[str, str]:
    """path -> XML: the news sitemap (the newest few) and one sitemap per section."""
    out = {NEWS: _daily.render("vn_dailies/news_sitemap.xml", publication="Dân trí", entries=[
        {"loc": s.url, "published": s.record["date_published"], "title": s.record["headline"]}
        for s in site.newest_first()[:NEWS_ITEMS]])}
    for slug in site.config["sections"]:
        members = [s for s in site.stories if s.record["section"] == slug]
        out[f"/sitemaps/{slug}.xml"] = _daily.urlset(site, members)
    return out


def build() -> dict[tuple[str, str], Resource]:
    site = daily()
    newest = _daily.newest(site)
    pages = {story.path: (render_story(story), HTML, story.published) for story in site.stories}
    pages.update(_daily.listing_pages(site))
    maps = sitemaps(site)
    pages.update({path: (body, XML, newest) for path, body in maps.items()})
    pages["/robots.txt"] = (_daily.robots(site, list(maps)), TEXT, newest)
    return _daily.served(site, pages)


def golden_pairs() -> dict[str, tuple[str, str]]:
    return _daily.golden_pairs(daily(), render_story)
