"""Any site: `scrapy crawl portal -a site=URL`. Discovery only; parsing is `extract()`.

robots.txt Sitemap: lines (else the usual sitemap paths) -> sitemap indexes, sitemaps and news
sitemaps; feeds declared with <link rel=alternate> (else the usual feed paths); the home page
and registry listings -> article links by URL shape and position, more listings to a depth,
next pages to a limit. Every candidate page goes through `extract()`: what it calls "not an
article", listing-shaped URLs and bot challenges are never archived.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from portal_crawler.challenge import challenge
from portal_crawler.discovery.arguments import (
    ArgumentError,
    parse_count,
    parse_day,
    parse_flag,
)
from portal_crawler.discovery.feeds import (
    INDEX,
    Listed,
    NotAListing,
    local_day,
    read_listing,
    robots_sitemaps,
)
from portal_crawler.discovery.listings import (
    USUAL_FEEDS,
    USUAL_SITEMAPS,
    feed_links,
    is_listing_url,
    read_listing_page,
)
from portal_crawler.identity import article_id, canonical_url
from portal_crawler.parsers.generic import NOT_ARTICLE
from portal_crawler.portals import Portal, portal_for, register
from portal_crawler.registry import RegistryError, derive_portal

from .base import ArticleSpider, with_page_identity

DEFAULT_MAX_ARTICLES = 1000
LISTING_DEPTH = 2   # PORTAL_CRAWLER_LISTING_DEPTH: section/tag links followed from the home
LISTING_PAGES = 10  # PORTAL_CRAWLER_LISTING_PAGES: next pages followed per listing
QUIET = (404, 410)  # a probed usual path that is not there


@dataclass(frozen=True)
class SiteArguments:
    portal: Portal
    since: date | None = None
    until: date | None = None
    max_articles: int | None = DEFAULT_MAX_ARTICLES
    languages: frozenset[str] = frozenset()
    follow_sources: bool = False

    @classmethod
    def parse(cls, site: str | None, *, timezone: str | None = None, since: str | None = None,
              until: str | None = None, max_articles: str | int | None = None,
              lang: str | None = None,
              follow_sources: str | bool | None = None) -> SiteArguments:
        """The registry's entry for the site's host, else one derived from the URL; no window
        unless given; at most DEFAULT_MAX_ARTICLES articles unless given."""
        if not site:
            raise ArgumentError("site=URL is required (an http or https URL)")
        if urlsplit(site).scheme not in ("http", "https") or not urlsplit(site).hostname:
            raise ArgumentError(f"site={site!r} is not an http(s) URL")
        try:
            portal = portal_for(site) or derive_portal(site, timezone)
        except (RegistryError, ValueError) as exc:
            raise ArgumentError(str(exc)) from None
        first, last = parse_day("since", since), parse_day("until", until)
        if first and last and first > last:
            raise ArgumentError(f"since={first} is after until={last}")
        limit = parse_count("max_articles", max_articles, minimum=1)
        langs = frozenset(p.strip().lower() for p in (lang or "").split(",") if p.strip())
        return cls(portal, first, last, DEFAULT_MAX_ARTICLES if limit is None else limit, langs,
                   parse_flag("follow_sources", follow_sources))

    def in_window(self, day: date | None) -> bool:
        if self.since is None and self.until is None:
            return True
        return day is not None and (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until)


class PortalSpider(ArticleSpider):
    name = "portal"
    portal: Portal | None = None  # per crawl, from site=URL (crawl.check_arguments skips it)

    def __init__(self, site: str | None = None, since: str | None = None,
                 until: str | None = None, max_articles: str | None = None,
                 lang: str | None = None, timezone: str | None = None,
                 follow_sources: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arguments: dict[str, Any] = {"site": site, "since": since, "until": until,
                                          "max_articles": max_articles, "lang": lang,
                                          "timezone": timezone}
        if follow_sources is not None:
            self.arguments["follow_sources"] = follow_sources
        self.argument_error: str | None = None
        try:
            self.args = SiteArguments.parse(site, timezone=timezone, since=since, until=until,
                                            max_articles=max_articles, lang=lang,
                                            follow_sources=follow_sources)
        except ArgumentError as exc:
            self.argument_error = str(exc)
            self.args = SiteArguments(derive_portal("http://invalid.invalid/"))
        self.portal = register(self.args.portal) if self.args.portal.derived \
            else self.args.portal
        self.allowed_domains = sorted(self.portal.hosts)
        if self.portal.derived:  # recorded in the run, with its arguments
            self.arguments["registry_entry"] = (
                f"derived: name={self.portal.name} hosts={','.join(sorted(self.portal.hosts))} "
                f"timezone={self.portal.timezone} language=<html lang>")
        self.site_language: str | None = None
        # Articles a sitemap or feed dated inside the window (an undated page is kept then).
        self.window_dated: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        if self.argument_error:
            self.logger.error("bad argument: %s", self.argument_error)
            raise CloseSpider("bad_arguments")
        site = self.arguments["site"]
        portal = self.portal
        yield self._request(urljoin(site, "/robots.txt"), self.parse_robots, "robots")
        yield self._request(site, self.parse_listing, "listing", depth=0, page=0, home=True)
        for url in portal.sitemaps:
            yield self._request(portal.absolute(url), self.parse_sitemap, "sitemap")
        for url in portal.feeds:
            yield self._request(portal.absolute(url), self.parse_feed, "feed")
        for url in portal.listings:
            yield self._request(portal.absolute(url), self.parse_listing, "listing", depth=1,
                                page=0)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page of the site as an article candidate (`scrapy parse URL`)."""
        yield from self.parse_article(response)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        declared = robots_sitemaps(response.body) if response.status == 200 else []
        for url in declared:
            yield self._request(url, self.parse_sitemap, "sitemap")
        if not declared and not self.portal.sitemaps:
            yield from self._probe(USUAL_SITEMAPS, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """A sitemap index -> its sitemaps (not older than the window); a sitemap or news
        sitemap -> its pages in the window."""
        kind, entries = self._listing(response)
        if kind is None:
            return
        for entry in entries:
            if kind == INDEX:
                day = entry.day(self.portal.timezone)
                if self.args.since is None or day is None or day >= self.args.since:
                    yield self._request(response.urljoin(entry.url), self.parse_sitemap,
                                        "sitemap", lastmod=entry.lastmod)
            else:
                yield from self._listed(response, entry, via=response.url)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        kind, entries = self._listing(response)
        for entry in entries if kind is not None else ():
            yield from self._listed(response, entry, via=response.url)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """A listing page (the home first) -> article links, listings to LISTING_DEPTH, next
        pages to LISTING_PAGES; the home also -> its declared feeds (else the usual paths)."""
        if not isinstance(response, TextResponse):
            self._failure(response.url, "listing is not text", response.status, "listing")
            return
        if reason := challenge(response.body):
            self._failure(response.url, reason, response.status, "listing")
            return
        meta = response.meta
        if meta.get("home"):
            self.site_language = response.xpath("/html/@lang").get()
            self.logger.info("site %s: language %s", self.portal.name, self.site_language)
            if self.site_language:  # recorded with the run's stats
                self.crawler.stats.set_value("portal/site_language", self.site_language)
            feeds = feed_links(response.body, response.url)
            for url in feeds:
                yield self._request(url, self.parse_feed, "feed")
            if not feeds and not self.portal.feeds:
                yield from self._probe(USUAL_FEEDS, self.parse_feed)
        links = read_listing_page(response.body, response.url, self.portal.owns)
        for url in links.articles:
            yield from self._article(url)
        depth, page = meta.get("depth", 0), meta.get("page", 0)
        if depth < self.settings.getint("PORTAL_CRAWLER_LISTING_DEPTH", LISTING_DEPTH):
            for url in links.listings:
                yield self._request(url, self.parse_listing, "listing", depth=depth + 1,
                                    page=0)
        if page < self.settings.getint("PORTAL_CRAWLER_LISTING_PAGES", LISTING_PAGES):
            for url in links.next_pages:
                yield self._request(url, self.parse_listing, "listing", depth=depth,
                                    page=page + 1)

    def parse_article(self, response: Response) -> Iterator[Any]:
        """A candidate page -> one Article, unless it is not one (then nothing is archived)."""
        page = self._page(response)
        if page is None:
            return
        fetched_at, encoding = page
        if reason := challenge(response.body):
            self._failure(response.url, reason, response.status, via=response.meta.get("via"))
            return
        article = self._extracted(response, fetched_at, encoding)
        if NOT_ARTICLE in article.messages or not article.body:
            self._skip("not_articles", response.url, "not an article")
            return
        if self.args.languages and article.language.split("-")[0] not in {
                lang.split("-")[0] for lang in self.args.languages}:
            self._skip("other_language", response.url, f"language {article.language!r}")
            return
        if not self._in_window(response, article):
            return
        yield self._keep(response, self._identity(response, article), encoding, fetched_at)
        yield from self._sources(response, article)

    def _window(self, response: Response) -> tuple[date, date] | None:
        """As for vietnam_vn: judged on the article's own date in the portal's zone; no
        window unless --since or --until was given."""
        if self.args.since is None and self.args.until is None:
            return None
        return self.args.since or date.min, self.args.until or date.max

    def _window_listed(self, response: Response) -> bool:
        return article_id(canonical_url(response.url)) in self.window_dated

    def _identity(self, response: Response, article: Any) -> Any:
        return with_page_identity(response, article, self.portal)

    def _listed(self, response: Response, entry: Listed, via: str) -> Iterator[Any]:
        """An entry in the window by its publication date; one with only a <lastmod> unless
        changed before the window (the page's own date decides the rest)."""
        zone = self.portal.timezone
        if entry.published is not None:
            keep = self.args.in_window(local_day(entry.published, zone))
            if keep:
                with contextlib.suppress(ValueError):
                    self.window_dated.add(article_id(canonical_url(response.urljoin(
                        entry.url))))
        else:
            changed = local_day(entry.lastmod, zone)
            keep = self.args.since is None or changed is None or changed >= self.args.since
        if keep:
            yield from self._article(response.urljoin(entry.url), lastmod=entry.lastmod,
                                     via=via)

    def _article(self, url: str, **meta: Any) -> Iterator[Any]:
        try:
            ours = self.portal.owns(url) and urlsplit(url).scheme in ("http", "https")
            key = article_id(canonical_url(url))
        except ValueError:
            self._failure(url, "invalid URL", None, via=meta.get("via"))
            return
        if not ours:
            self.crawler.stats.inc_value("offsite/skipped_urls")
            return
        if is_listing_url(url):
            self.crawler.stats.inc_value("portal/listing_urls_skipped")
            return
        if meta.get("via"):
            self.listed_by.setdefault(key, set()).add(meta["via"])
        yield self._request(url, self.parse_article, "article", **meta)

    def _listing(self, response: Response) -> tuple[str | None, list[Listed]]:
        try:
            return read_listing(response.body)
        except NotAListing as exc:
            kind = response.meta.get("kind", "sitemap")
            if response.meta.get("probe"):
                self.crawler.stats.inc_value("portal/probes_not_listings")
            else:
                self._failure(response.url, str(exc), response.status, kind)
            return None, []

    def _probe(self, paths: tuple[str, ...], callback: Any) -> Iterator[scrapy.Request]:
        kind = "sitemap" if callback == self.parse_sitemap else "feed"
        for path in paths:
            yield self._request(urljoin(self.arguments["site"], path), callback, kind,
                                probe=True)

    def _request(self, url: str, callback: Any, kind: str, **meta: Any) -> scrapy.Request:
        """One download slot per site: politeness is per portal, not per mirror host."""
        return scrapy.Request(url, callback, errback=self.failed, dont_filter=kind == "article",
                              priority=-10 if kind == "listing" else 0,
                              meta={"kind": kind, "download_slot": self.portal.name, **meta})

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        meta = request.meta if request is not None else {}
        kind = meta.get("kind", "article")
        if kind == "robots" or (meta.get("probe") and failure.check(HttpError)
                                and status in QUIET):
            # No robots.txt, or no feed at a usual path: nothing declared, not a failure.
            self.crawler.stats.inc_value("portal/probes_missing")
            if kind == "robots" and not self.portal.sitemaps:
                for req in self._probe(USUAL_SITEMAPS, self.parse_sitemap):
                    self.crawler.engine.crawl(req)
            return
        super().failed(failure)

    def _skip(self, stat: str, url: str, why: str) -> None:
        self.crawler.stats.inc_value(f"portal/{stat}")
        self.logger.info("%s, not archived: %s", why, url)
