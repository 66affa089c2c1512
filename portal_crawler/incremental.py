"""Which article requests go out: one per canonical article, only what is new or changed,
up to max_articles. Incremental crawls, and resuming by running the same command again.

A small async spider middleware in place of scrapy-deltafetch (broken on Scrapy 2.16+). It asks
the archive, which knows what is done even after a killed run:
- a daily sitemap whose <lastmod> is not newer than the mark of the last ok run is not fetched;
- an article not archived is fetched; one archived is revisited (conditionally, with its stored
  ETag / Last-Modified) when its sitemap <lastmod> is newer than our copy or when it was
  published inside the revisit window (default 3 days by the project's clock); else skipped.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy import Request

from .clock import now, parse_instant
from .crawl_runs import CrawlRunRecorder
from .discovery.sitemaps import daily_sitemap_day
from .identity import article_id, canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from .archive.store import PageState

logger = logging.getLogger(__name__)

ENABLED = "PORTAL_CRAWLER_INCREMENTAL"
REVISIT_DAYS = "PORTAL_CRAWLER_REVISIT_DAYS"


def needs_fetch(state: PageState | None, lastmod: str | None, window_start: datetime) -> bool:
    """Pure decision: new, changed since our copy, or young enough to be edited still."""
    if state is None:
        return True
    changed_at = parse_instant(lastmod)
    # Compare with the <lastmod> we saw when we fetched it (the site's own clock); only
    # without one, with our fetch time.
    seen_at = parse_instant(state.sitemap_lastmod) or parse_instant(state.fetched_at)
    if changed_at and seen_at and changed_at > seen_at:
        return True
    published = parse_instant(state.published_utc)
    return published is None or published >= window_start


class ArticleGate:
    """Spider middleware in front of the scheduler, for requests with meta kind "article" (and
    "sitemap" for the marks). Order matters: a request the archive does not need is dropped
    before it counts as this run's request for that article, so the same article found again
    in its sitemap (with a <lastmod>) is judged on its own."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.requested: set[str] = set()  # canonical article ids let through this run
        self.enabled = crawler.settings.getbool(ENABLED, True)
        self.revisit = timedelta(days=crawler.settings.getfloat(REVISIT_DAYS, 3))
        self._marks: dict[str, str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleGate:
        return cls(crawler)

    @cached_property
    def recorder(self) -> CrawlRunRecorder | None:
        return self.crawler.get_extension(CrawlRunRecorder)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]
                                    ) -> AsyncIterator[Any]:
        async for item in result:
            if not isinstance(item, Request) or self._keep(item):
                yield item

    def _keep(self, request: Request) -> bool:
        kind = request.meta.get("kind")
        if kind == "sitemap":
            return self._keep_sitemap(request)
        if kind != "article":
            return True
        key = article_id(canonical_url(request.url))
        if key in self.requested:
            return False
        if not self._needed(request):
            return False
        spider = self.crawler.spider
        limit = getattr(getattr(spider, "args", None), "max_articles", None)
        if limit is not None and len(self.requested) >= limit:
            spider.truncated = True
            return False
        self.requested.add(key)
        return True

    def _needed(self, request: Request) -> bool:
        recorder = self.recorder
        if not self.enabled or recorder is None or recorder.archive is None:
            return True
        state = recorder.archive.page_state(request.url)
        if not needs_fetch(state, request.meta.get("lastmod"), self._window_start()):
            self._inc("incremental/skipped")
            return False
        if state is not None:
            self._conditional(request, state)
        return True

    def _window_start(self) -> datetime:
        return now(self.crawler.settings.get("PORTAL_CRAWLER_NOW")) - self.revisit

    def _keep_sitemap(self, request: Request) -> bool:
        """A daily sitemap inside the revisit window is always read (its articles are
        revisited); an older one only when its <lastmod> passed our mark."""
        lastmod = request.meta.get("lastmod")
        recorder = self.recorder
        if not lastmod or not self.enabled or recorder is None or recorder.archive is None:
            return True
        day = daily_sitemap_day(request.url)
        if day is not None and day >= self._window_start().date():
            return True
        if self._marks is None:
            self._marks = recorder.archive.sitemap_marks()
        recorder.pending_marks[request.url] = lastmod
        known = parse_instant(self._marks.get(request.url))
        if known is not None and (parse_instant(lastmod) or known) <= known:
            self._inc("incremental/sitemaps_skipped")
            return False
        return True

    def _conditional(self, request: Request, state: PageState) -> None:
        if state.etag:
            request.headers["If-None-Match"] = state.etag
        if state.last_modified:
            request.headers["If-Modified-Since"] = state.last_modified
        request.meta["handle_httpstatus_list"] = [*request.meta.get(
            "handle_httpstatus_list", []), 304]
        self._inc("incremental/conditional")

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
