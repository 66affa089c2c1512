"""thanhnien.vn replica: articles in the two templates VIETNAMESE_PORTALS.md documents
(`.detail-content` with `.detail-sapo`, and the older `.detail__content`), discovered through
a sitemap index (robots.txt) and a news sitemap of the last two days."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from ..resource import Resource
from . import _daily
from ._daily import HTML, TEXT, XML, Daily, Story

PORTAL = "thanhnien.vn"
PARSER = "thanhnien/1"
INDEX = "/sitemap.xml"
NEWS = "/sitemaps/news.xml"
NEWS_DAYS = 2  # the news sitemap lists what is at most this old (Google News' rule)


def article_path(record: dict[str, Any]) -> str:
    return f"/{record['slug']}-{record['id']}.htm"


@cache
def daily() -> Daily:
    return _daily.load_daily(PORTAL, PARSER, article_path, _daily.gmt7)


def render_story(story: Story) -> str:
    return _daily.render_story(daily(), story, "thanhnien/article.html")


def sitemaps(site: Daily) -> dict[str, str]:
    """path -> XML: the index, the news sitemap, one sitemap per month."""
    newest = _daily.newest(site)
    recent = [s for s in site.stories if newest - s.published <= timedelta(days=NEWS_DAYS)]
    news = _daily.render("vn_dailies/news_sitemap.xml", publication="Thanh Niên", entries=[
        {"loc": s.url, "published": s.record["date_published"], "title": s.record["headline"]}
        for s in site.newest_first(recent)])
    out = {NEWS: news}
    months: dict[str, list[Story]] = {}
    for story in site.stories:
        months.setdefault(story.published.strftime("%Y-%m"), []).append(story)
    for month in sorted(months, reverse=True):
        out[f"/sitemaps/articles-{month}.xml"] = _daily.urlset(site, months[month])
    index = [{"loc": site.base_url + path, "lastmod": None} for path in out]
    out[INDEX] = _daily.render("sitemap_index.xml", entries=index)
    return out


def build() -> dict[tuple[str, str], Resource]:
    site = daily()
    newest: datetime = _daily.newest(site)
    pages = {story.path: (render_story(story), HTML, story.published) for story in site.stories}
    pages.update(_daily.listing_pages(site))
    pages.update({path: (body, XML, newest) for path, body in sitemaps(site).items()})
    pages["/robots.txt"] = (_daily.robots(site, [INDEX]), TEXT, newest)
    return _daily.served(site, pages)


def golden_pairs() -> dict[str, tuple[str, str]]:
    return _daily.golden_pairs(daily(), render_story)
