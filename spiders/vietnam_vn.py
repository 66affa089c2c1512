"""www.vietnam.vn: discovery only. Parsing is `portal_crawler.extract()`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from portal_crawler.clock import now_iso
from portal_crawler.discovery.sitemaps import (
    CATEGORY,
    NotASitemap,
    daily_sitemap_day,
    in_window,
    read_sitemap,
)
from portal_crawler.extract import extract
from portal_crawler.identity import edition_of
from portal_crawler.items import FetchFailure, RawPage
from portal_crawler.portals import VIETNAM_VN


class UsageError(ValueError):
    """A wrong spider argument: the crawl stops at start with one line naming it."""


def _languages(value: str | None) -> frozenset[str]:
    if not value:
        return frozenset(VIETNAM_VN.languages)
    langs = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = sorted(langs - set(VIETNAM_VN.languages))
    if unknown:
        raise UsageError(
            f"unknown language {', '.join(unknown)}; known: {', '.join(VIETNAM_VN.languages)}"
        )
    return langs


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


class VietnamVnSpider(scrapy.Spider):
    name = "vietnam_vn"
    portal = VIETNAM_VN
    allowed_domains = ["vietnam.vn"]
    sitemap_index = "https://www.vietnam.vn/sitemap.xml"

    def __init__(self, lang: str | None = None, since: str | None = None,
                 until: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arguments = {"lang": lang, "since": since, "until": until}
        self.languages = _languages(lang)
        self.since, self.until = _day("since", since), _day("until", until)
        if self.since and self.until and self.since > self.until:
            raise UsageError(f"since={since} is after until={until}")

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.sitemap_index, self.parse_index, errback=self.failed)

    def parse_index(self, response: Response) -> Iterator[Any]:
        """Only the daily post sitemaps of the requested days, and the category listings."""
        try:
            entries = read_sitemap(response.body, "sitemapindex")
        except NotASitemap as exc:
            yield self._failure(response.url, str(exc), response.status)
            return
        for entry in entries:
            if in_window(daily_sitemap_day(entry.loc), self.since, self.until):
                yield response.follow(entry.loc, self.parse_post_sitemap, errback=self.failed)
            elif CATEGORY.search(entry.loc):
                yield response.follow(entry.loc, self.parse_category_sitemap,
                                      errback=self.failed)

    def parse_post_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            entries = read_sitemap(response.body, "urlset")
        except NotASitemap as exc:
            yield self._failure(response.url, str(exc), response.status)
            return
        for entry in entries:
            yield from self._article_request(response, entry.loc)

    def parse_category_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            entries = read_sitemap(response.body, "urlset")
        except NotASitemap as exc:
            yield self._failure(response.url, str(exc), response.status)
            return
        for entry in entries:
            yield response.follow(entry.loc, self.parse_listing, errback=self.failed)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield self._failure(response.url, "listing is not text", response.status)
            return
        for href in response.css("a.v-link-title::attr(href)").getall():
            yield from self._article_request(response, response.urljoin(href))

    def _article_request(self, response: Response, url: str) -> Iterator[scrapy.Request]:
        if edition_of(url, self.portal) in self.languages:
            yield response.follow(url, self.parse_article, errback=self.failed)

    def parse_article(self, response: Response) -> Iterator[Any]:
        fetched_at = now_iso(self.settings.get("PORTAL_CRAWLER_NOW"))
        if not isinstance(response, TextResponse):
            yield self._failure(response.url, "not an HTML page", response.status)
            return
        yield RawPage(
            url=response.url,
            request_url=response.request.url if response.request else response.url,
            status=response.status,
            headers={k.decode("latin-1"): [v.decode("latin-1") for v in vs]
                     for k, vs in response.headers.items()},
            body=response.body,
            encoding=response.encoding,
            fetched_at=fetched_at,
            redirect_urls=list(response.meta.get("redirect_urls", [])),
        )
        yield extract(response.body, response.url, fetched_at=fetched_at,
                      encoding=response.encoding)

    def failed(self, failure: Failure) -> Iterator[FetchFailure]:
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield self._failure(request.url if request else "", reason, status)

    def _failure(self, url: str, reason: str, status: int | None) -> FetchFailure:
        self.logger.warning("failed %s: %s", url, reason)
        return FetchFailure(url=url, reason=reason, status=status, at=now_iso())
