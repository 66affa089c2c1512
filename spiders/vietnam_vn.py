"""www.vietnam.vn: discovery only. Parsing is `portal_crawler.extract()`.

Sitemap index -> only the daily post sitemaps of the requested days (by file name) -> article
pages; the category sitemap -> listing pages -> article pages; optionally the related lists.
Listings and related lists reach every year: each article is judged on its own publication
date after extraction (discovery/window.py), and only those inside the window are archived.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse

from portal_crawler.article import Article
from portal_crawler.clock import now
from portal_crawler.discovery.arguments import ArgumentError, CrawlArguments
from portal_crawler.discovery.sitemaps import (
    CATEGORY,
    NEWS,
    Entry,
    NotASitemap,
    daily_sitemap_day,
    in_window,
    reaches_newest,
    read_sitemap,
)
from portal_crawler.discovery.window import printed_day
from portal_crawler.identity import article_id, canonical_url, edition_of
from portal_crawler.killpoints import SETTING as KILL_SETTING
from portal_crawler.killpoints import maybe_kill
from portal_crawler.offline import REPLICA_SETTING, replica_problem
from portal_crawler.portals import VIETNAM_VN

from .base import ArticleSpider

FOLLOWED_RELATIONS = ("same_topic", "same_category", "same_author")
SITEMAP_INDEX = re.compile(r"^/sitemap\.xml(?:\.gz)?$")
LISTING = re.compile(r"^(?:/[a-z]{2}(?:-[a-z]{2})?)?/category/[^/]+/?$")


def callback_name(url: str) -> str:
    """The callback for a portal URL by its shape, as discovery would have chosen it: for
    `scrapy parse URL` without `-c`, and any request made without a callback."""
    path = urlsplit(url).path
    if SITEMAP_INDEX.search(path):
        return "parse_index"
    if daily_sitemap_day(url) is not None:
        return "parse_post_sitemap"
    if NEWS.search(path):
        return "parse_news_sitemap"
    if CATEGORY.search(path):
        return "parse_category_sitemap"
    if LISTING.search(path):
        return "parse_listing"
    return "parse_article"


class VietnamVnSpider(ArticleSpider):
    name = "vietnam_vn"
    portal = VIETNAM_VN
    allowed_domains = ["vietnam.vn"]
    sitemap_index = "https://www.vietnam.vn/sitemap.xml"

    def __init__(self, lang: str | None = None, since: str | None = None,
                 until: str | None = None, max_articles: str | None = None,
                 follow_related: str | None = None, follow_sources: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arguments = {"lang": lang, "since": since, "until": until,
                          "max_articles": max_articles, "follow_related": follow_related}
        if follow_sources is not None:
            self.arguments["follow_sources"] = follow_sources
        # A wrong argument stops the crawl at start with one line naming it (see start()),
        # rather than a traceback from the constructor, and the run is recorded as failed.
        self.argument_error: str | None = None
        try:
            self.args = CrawlArguments.parse(self.portal, lang=lang, since=since, until=until,
                                             max_articles=max_articles,
                                             follow_related=follow_related,
                                             follow_sources=follow_sources)
        except ArgumentError as exc:
            self.argument_error = str(exc)
            self.args = CrawlArguments.parse(self.portal)
        # Article ids listed by a sitemap read for the window's days: an undated article is
        # archived only with that evidence (discovery/window.py).
        self.sitemap_dated: set[str] = set()
        self.discovered: set[str] = set()  # article ids found in the editions asked for

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> VietnamVnSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        clock = crawler.settings.get("PORTAL_CRAWLER_NOW")
        if clock and not spider.argument_error:  # the default window reads the same clock
            spider.args = CrawlArguments.parse(spider.portal, clock=now(clock),
                                               **spider.arguments)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        if self.argument_error:
            self.logger.error("bad argument: %s", self.argument_error)
            raise CloseSpider("bad_arguments")
        problem = replica_problem(self.settings.get(REPLICA_SETTING)
                                  or os.environ.get(REPLICA_SETTING))
        if problem is not None:  # offline mode that cannot work: one line, no traceback
            self.logger.error("%s: %s", REPLICA_SETTING, problem[1])
            raise CloseSpider("bad_replica" if problem[0] == 2 else "replica_unreachable")
        yield scrapy.Request(self.sitemap_index, self.parse_index, errback=self.failed,
                             meta={"kind": "sitemap", "download_slot": self.portal.name})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Any portal URL, dispatched by its shape (see callback_name()).

        @url https://www.vietnam.vn/id/nga-trieu-tien-tang-cuong-hop-tac-quoc-phong-sau-hoi-nghi-thuong-dinh-my-han-ngoi-tren-dong-lua
        @returns items 1 1
        """
        yield from getattr(self, callback_name(response.url))(response)

    def parse_index(self, response: Response) -> Iterator[Any]:
        """The sitemap index -> the daily, news and category sitemaps in the window.

        @url https://www.vietnam.vn/sitemap.xml
        @returns items 0 0
        @returns requests 1
        """
        entries = self._sitemap(response, "sitemapindex")
        newest = reaches_newest(entries, self.args.until)
        for entry in entries:
            if in_window(daily_sitemap_day(entry.loc), self.args.since, self.args.until):
                yield self._follow(response, entry.loc, self.parse_post_sitemap, "sitemap",
                                   lastmod=entry.lastmod)
            elif newest and NEWS.search(entry.loc):
                yield self._follow(response, entry.loc, self.parse_news_sitemap, "sitemap")
            elif CATEGORY.search(entry.loc):
                yield self._follow(response, entry.loc, self.parse_category_sitemap, "sitemap")

    def parse_post_sitemap(self, response: Response) -> Iterator[Any]:
        """A daily sitemap -> its article pages in the editions asked for.

        @url https://www.vietnam.vn/sitemap/sitemap-post/2023-09-14.xml
        @returns items 0 0
        @returns requests 1
        """
        entries = self._sitemap(response, "urlset")
        maybe_kill(self.settings.get(KILL_SETTING), "discovery")
        for entry in entries:
            yield from self._article(response, entry.loc, lastmod=entry.lastmod,
                                     via=response.url)

    def parse_news_sitemap(self, response: Response) -> Iterator[Any]:
        """The newest articles; their daily sitemap, read too, gives them their marks."""
        for entry in self._sitemap(response, "urlset"):
            yield from self._article(response, entry.loc, dated=True, lastmod=entry.lastmod)

    def parse_category_sitemap(self, response: Response) -> Iterator[Any]:
        for entry in self._sitemap(response, "urlset"):
            yield self._follow(response, entry.loc, self.parse_listing, "listing")

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """A category listing -> its article pages.

        @url https://www.vietnam.vn/category/kinh-te
        @returns items 0 0
        @returns requests 1
        """
        if not isinstance(response, TextResponse):
            self._failure(response.url, "listing is not text", response.status, "listing")
            return
        windowed = response.meta.get("kind") == "listing"  # not a listing asked for by URL
        for link in response.css("a.v-link-title"):
            href = link.attrib.get("href")
            if not href:
                continue
            # An entry printed with a day outside the window is not fetched: listings reach
            # every year. Without a printed day, the article page decides.
            day = printed_day(" ".join(link.xpath(
                "following-sibling::*[contains(@class, 'date')][1]//text()").getall()))
            if windowed and day is not None and not self.args.since <= day <= self.args.until:
                self.crawler.stats.inc_value("window/listed_out_of_window")
                continue
            yield from self._article(response, response.urljoin(href))

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page -> one Article item; its raw page goes to the archive beside it.

        @url https://www.vietnam.vn/id/nga-trieu-tien-tang-cuong-hop-tac-quoc-phong-sau-hoi-nghi-thuong-dinh-my-han-ngoi-tren-dong-lua
        @returns items 1 1
        @returns requests 0 0
        @filled id url canonical_url language headline body source date_published
        """
        page = self._page(response)
        if page is None:
            return
        fetched_at, encoding = page
        article = self._extracted(response, fetched_at, encoding)
        if not self._in_window(response, article):
            return
        yield self._keep(response, article, encoding, fetched_at)
        yield from self._sources(response, article)
        depth = response.meta.get("related_depth", 0)
        if depth < self.args.follow_related:
            yield from self._related(response, article, depth + 1)

    def _window(self, response: Response) -> tuple[date, date] | None:
        """A page asked for by URL (`scrapy parse`, `scrapy check`) has no window."""
        if response.meta.get("kind") != "article":
            return None
        return self.args.since, self.args.until

    def _window_listed(self, response: Response) -> bool:
        return any(self._sitemap_key(url) in self.sitemap_dated
                   for url in (response.url, response.request.url if response.request
                               else response.url))

    @staticmethod
    def _sitemap_key(url: str) -> str | None:
        try:
            return article_id(canonical_url(url))
        except ValueError:
            return None

    def _related(self, response: Response, article: Article, depth: int) -> Iterator[Any]:
        # The related lists are ranked by the site: they come after the sitemaps' articles.
        for link in article.related_links:
            if link["relation"] in FOLLOWED_RELATIONS and self.portal.owns(link["url"]):
                yield from self._article(response, link["url"], related_depth=depth)

    def _sitemap(self, response: Response, kind: str) -> list[Entry]:
        """Entries of a sitemap; a body that is not one is a failure, never 'no news today'."""
        try:
            return read_sitemap(response.body, kind)
        except NotASitemap as exc:
            self._failure(response.url, str(exc), response.status, "sitemap")
            return []

    def _article(self, response: Response, url: str, dated: bool = False,
                 **meta: Any) -> Iterator[Any]:
        """A request for every portal article URL in the editions asked for. One per canonical
        article, skipping what the archive already holds and the max_articles limit are the
        ArticleGate's job (incremental.py): a URL found first in a listing, without the
        sitemap's <lastmod>, must not hide its sitemap entry."""
        try:
            ours = self.portal.owns(url) and urlsplit(url).scheme in ("http", "https")
            edition, key = edition_of(url, self.portal), article_id(canonical_url(url))
        except ValueError:  # "https://[www.vietnam.vn/..." in a sitemap: one entry, not all
            self._failure(url, "invalid URL", None, via=meta.get("via"))
            return
        if not ours:
            # Article requests pass the scheduler's filters (dont_filter, below), Scrapy's
            # offsite filter included: an off-portal URL in a sitemap or listing stops here.
            self.crawler.stats.inc_value("offsite/skipped_urls")
            self.logger.info("not a %s URL, not fetched: %s", self.portal.name, url)
            return
        if edition not in self.args.languages:
            return
        if meta.get("via"):
            self.listed_by.setdefault(key, set()).add(meta["via"])
        if dated or meta.get("via"):
            self.sitemap_dated.add(key)
        if key not in self.discovered:
            self.discovered.add(key)
            self.crawler.stats.inc_value("articles/discovered")
        yield self._follow(response, url, self.parse_article, "article", **meta)

    def _follow(self, response: Response, url: str, callback: Any, kind: str,
                **meta: Any) -> scrapy.Request:
        """Every portal request shares one download slot: politeness is per portal, not per
        mirror host."""
        # Articles are deduplicated by canonical URL (the gate); past the scheduler's duplicate
        # filter, a redirect back to the URL itself (a loop) ends in "max redirections"
        # through the errback instead of vanishing as a filtered duplicate.
        # Listings come after the sitemaps, so an article is first met with its <lastmod>.
        return response.follow(url, callback, errback=self.failed, dont_filter=kind == "article",
                               priority=-10 if kind == "listing" else 0,
                               meta={"kind": kind, "download_slot": self.portal.name, **meta})
