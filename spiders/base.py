"""What every article spider shares: the article page's prelude (304, non-HTML), failures and
errbacks, the publication window, and the extract-and-archive step.

A spider subclass keeps its discovery; it says how its window is read (`_window()`, and
`_window_listed()` for an undated article a sitemap or feed dated) and calls `_page()`,
`_extracted()` and `_keep()` from its own `parse_article`.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from portal_crawler.archive.republications import SourceLink, credited_source
from portal_crawler.article import Article
from portal_crawler.challenge import challenge
from portal_crawler.clock import now_iso
from portal_crawler.crawl_runs import CrawlRunRecorder
from portal_crawler.discovery.listings import canonical_link, is_listing_url
from portal_crawler.discovery.window import Verdict, judge
from portal_crawler.extract import extract
from portal_crawler.identity import article_id, canonical_url
from portal_crawler.items import FetchFailure, NotModified, RawPage, send_record
from portal_crawler.offline import REPLICA_SETTING
from portal_crawler.parsers.generic import NOT_ARTICLE
from portal_crawler.portals import Portal, portal_for, register
from portal_crawler.registry import derive_portal


class ArticleSpider(scrapy.Spider):
    """A portal's spider: discovery in the subclass, the article page's handling here."""

    portal: Portal | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Article id -> the sitemaps (or feeds) that listed it: a failed article keeps their
        # marks back, even when it was requested first from elsewhere.
        self.listed_by: dict[str, set[str]] = {}
        self.truncated = False  # max_articles left listed articles out (set by the gate)
        self.sources_requested: set[str] = set()  # ids of the originals followed this run
        # Ids of the originals archived this run: the validation pipeline keeps them out of the
        # crawl's own coverage and yield.
        self.followed_ids: set[str] = set()

    def _now(self) -> str:
        """The project's clock: PORTAL_CRAWLER_NOW as a setting or variable, else now."""
        return now_iso(self.settings.get("PORTAL_CRAWLER_NOW"))

    # -- the article page ---------------------------------------------------------------
    def _page(self, response: Response) -> tuple[str, str] | None:
        """(fetched_at, encoding) of an HTML page to extract; None when a 304 (the archived
        copy is current) or not HTML (a recorded failure)."""
        fetched_at = self._now()
        if response.status == 304:
            self.record(NotModified(url=response.url, fetched_at=fetched_at))
            return None
        if not isinstance(response, HtmlResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            self._failure(response.url, f"not an HTML page ({content_type or 'no type'})",
                          response.status, kind=response.meta.get("kind", "article"),
                          via=response.meta.get("via"))
            return None
        return fetched_at, body_encoding(response)

    def _extracted(self, response: Response, fetched_at: str, encoding: str) -> Article:
        self.crawler.stats.inc_value("articles/pages_fetched")
        return extract(response.body, response.url, fetched_at=fetched_at, encoding=encoding)

    def _keep(self, response: Response, article: Article, encoding: str,
              fetched_at: str) -> Article:
        """The article goes to the pipelines and its raw page to the archive beside it."""
        self.record(RawPage.from_response(response, encoding, fetched_at))
        return article

    # -- followed sources (docs/following-sources.md) -------------------------------------
    def _sources(self, response: Response, article: Article) -> Iterator[Any]:
        """With follow_sources: the original an archived article credits on another site,
        requested once per run with that host's robots.txt and its own download slot."""
        args = getattr(self, "args", None)
        if not getattr(args, "follow_sources", False) or response.meta.get("kind") == "source":
            return
        source = credited_source(article)
        if source is None:
            return
        key = article_id(source)
        if key in self.sources_requested:  # the archive links the other credits by URL
            return
        self.sources_requested.add(key)
        url = article.source_url or source
        if self._offline() and portal_for(url) is None:
            # offline.py would refuse it: a recorded failure, never a request that leaves
            # 127.0.0.1 (which would fail the whole run).
            # Expected offline (only some papers have a replica): counted in the summary and
            # recorded, logged at INFO so the demo's console is not a wall of warnings.
            self.crawler.stats.inc_value("sources/refused_offline")
            reason = "offline mode: not a portal host served by the replica"
            self.logger.info("not followed %s: %s", url, reason)
            self.record(FetchFailure(url=url, reason=reason, at=self._now(), kind="source"))
            return
        self.crawler.stats.inc_value("sources/requested")
        self._allow_host(url)
        portal = portal_for(url)
        slot = portal.name if portal is not None else source_portal(url).name
        yield scrapy.Request(url, self.parse_source, errback=self.failed, dont_filter=True,
                             meta={"kind": "source", "download_slot": slot,
                                   "allow_offsite": True, "republication": article.id})

    def parse_source(self, response: Response) -> Iterator[Any]:
        """A followed original -> an Article of its own portal (the registry's entry, else one
        derived from the URL), whatever the window; its parser if it has one, else the
        generic path. Not an article: a recorded failure."""
        page = self._page(response)
        if page is None:
            return
        fetched_at, encoding = page
        if reason := challenge(response.body):
            self._failure(response.url, reason, response.status, kind="source")
            return
        portal = portal_for(response.url)
        if portal is None:
            portal = register(source_portal(response.url))
        self.crawler.stats.inc_value("sources/pages_fetched")
        article = extract(response.body, response.url, fetched_at=fetched_at,
                          encoding=encoding)
        if NOT_ARTICLE in article.messages or not article.body:
            self._failure(response.url, "not an article", response.status, kind="source")
            return
        article = with_page_identity(response, article, portal)
        self.followed_ids.add(article.id)
        self.crawler.stats.inc_value("sources/followed")
        CrawlRunRecorder.count(self.crawler, "followed_source")
        yield self._keep(response, article, encoding, fetched_at)
        request_url = response.request.url if response.request else response.url
        self.record(SourceLink(republication_id=response.meta["republication"],
                               original_id=article.id, source_url=request_url))

    def _allow_host(self, url: str) -> None:
        """Scrapy's offsite filter reads allowed_domains on every request: the source's host
        joins them, or the robots.txt request Scrapy makes for it would be filtered (and the
        host's rules never read). The spider's own checks still keep discovery on-portal."""
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        allowed = list(getattr(self, "allowed_domains", None) or [])
        if host and allowed and host not in allowed:
            self.allowed_domains = [*allowed, host]

    def _offline(self) -> bool:
        return bool(self.settings.get(REPLICA_SETTING) or os.environ.get(REPLICA_SETTING))

    # -- the window ---------------------------------------------------------------------
    def _window(self, response: Response) -> tuple[date, date] | None:
        """(since, until) the page is judged by; None: no window (archived whatever its date)."""
        raise NotImplementedError

    def _window_listed(self, response: Response) -> bool:
        """Whether a sitemap or feed read for the window dated this page."""
        raise NotImplementedError

    def _in_window(self, response: Response, article: Article) -> bool:
        """Every path of discovery ends here (discovery/window.py): an article published
        outside the window is counted and neither it nor its raw page is archived. An
        undated one is kept only when a sitemap or feed of the window listed it."""
        window = self._window(response)
        if window is None:
            return True
        assert self.portal is not None
        verdict = judge(article.date_published, self.portal.timezone, window[0], window[1],
                        self._window_listed(response))
        if verdict is Verdict.IN:
            return True
        stats = self.crawler.stats
        if verdict is Verdict.UNDATED:
            stats.inc_value("articles/undated")
            return True
        stats.inc_value("articles/out_of_window")
        CrawlRunRecorder.count(self.crawler, "out_of_window")
        self.logger.debug("outside the window %s..%s (published %s): %s", window[0], window[1],
                          article.date_published or "undated", response.url)
        return False

    # -- failures -----------------------------------------------------------------------
    def sitemaps_listing(self, url: str) -> set[str]:
        """The sitemaps that listed this article (its id, whatever the mirror)."""
        try:
            return set(self.listed_by.get(article_id(canonical_url(url)), ()))
        except ValueError:  # an invalid URL was never listed under an id
            return set()

    def failed(self, failure: Failure) -> None:
        """The errback: a request that got no usable response is a recorded failure; one
        refused by robots.txt is recorded as denied (the site's rule, not our failure)."""
        request = getattr(failure, "request", None)
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        meta = request.meta if request is not None else {}
        kind = meta.get("kind", "article")
        url = request.url if request is not None else ""
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.record(FetchFailure(url=url, reason="forbidden by robots.txt", at=self._now(),
                                     kind=kind, denied=True, via=meta.get("via")))
            return
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self._failure(url, reason, status, kind, meta.get("via"))

    def _failure(self, url: str, reason: str, status: int | None,
                 kind: str = "article", via: str | None = None) -> None:
        self.logger.warning("failed %s: %s", url, reason)
        self.record(FetchFailure(url=url, reason=reason, status=status, at=self._now(),
                                 kind=kind, via=via))

    def record(self, record: Any) -> None:
        """To the archive, not to the item pipelines: only Articles are items (and rows of a
        `scrapy crawl -O` feed)."""
        send_record(self.crawler, record)


def source_portal(url: str) -> Portal:
    """The registry entry of a source outside the registry, derived from its URL as the
    generic spider derives one (its host and www/bare twin, UTC, <html lang>)."""
    return derive_portal(url)


def with_page_identity(response: Response, article: Article, portal: Portal) -> Article:
    """The page's rel=canonical, when on the same site, is the article's identity."""
    link = canonical_link(response.body, response.url)
    if not link or not portal.owns(link) or is_listing_url(link):
        return article
    try:
        canonical = canonical_url(link)
    except ValueError:
        return article
    return replace(article, canonical_url=canonical, id=article_id(canonical))


def body_encoding(response: TextResponse) -> str:
    """The response's encoding, unless the body labelled UTF-8 is latin-1 bytes (a misconfigured
    server): then windows-1252, which reads every latin-1 byte as latin-1 does, instead of
    replacement characters. A UTF-8 page with a few damaged bytes stays UTF-8."""
    encoding = response.encoding
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return encoding
    if utf8:
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            text = response.body.decode("utf-8", "replace")
            damaged = text.count("\ufffd")
            multibyte = sum(1 for c in text if c > "\x7f") - damaged
            if damaged > multibyte:
                return "cp1252"
    return encoding
