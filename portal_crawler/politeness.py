"""Retries that respect the site: backoff, Retry-After, and a pause when the site blocks us.

The live vietnam.vn answers bursts with a temporary 403 that clears after about 15 minutes:
those requests are retried after a pause of the whole portal, not recorded as failures. A wait
is a `not_before` instant in the request's meta, honoured before the request is downloaded.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor, task

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


def slot_of(request: Request) -> str:
    return str(request.meta.get("download_slot") or request.url.split("/")[2])


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, plus exponential backoff, Retry-After (capped) and block pauses."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.backoff = settings.getfloat("PORTAL_CRAWLER_RETRY_BACKOFF", 2.0)
        self.retry_after_max = settings.getfloat("PORTAL_CRAWLER_RETRY_AFTER_MAX", 300.0)
        self.block_statuses = {int(s) for s in settings.getlist("PORTAL_CRAWLER_BLOCK_STATUS",
                                                                 [403])}
        self.block_burst = settings.getint("PORTAL_CRAWLER_BLOCK_BURST", 5)
        self.block_window = settings.getfloat("PORTAL_CRAWLER_BLOCK_WINDOW", 60.0)
        self.block_pause = settings.getfloat("PORTAL_CRAWLER_BLOCK_PAUSE", 900.0)
        self.block_retries = settings.getint("PORTAL_CRAWLER_BLOCK_RETRIES", 3)
        self.recent_blocks: dict[str, deque[float]] = {}
        self.paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PoliteRetryMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        # Until neither the request's own wait nor a pause that began meanwhile holds it.
        while True:
            wake = max(request.meta.get("not_before", 0.0),
                       self.paused_until.get(slot_of(request), 0.0))
            delay = wake - time.monotonic()
            if delay <= 0:
                return
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.block_statuses:
            return self._blocked(request, response)
        if response.status in self.retry_http_codes:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is None:
                wait = self.backoff * 2 ** request.meta.get("retry_times", 0)
            wait = min(wait, self.retry_after_max)
            retry = self._retry(request, response_status_message(response.status))
            if retry is None:
                return response
            retry.meta["not_before"] = time.monotonic() + wait
            return retry
        return response

    def _blocked(self, request: Request, response: Response) -> Request | Response:
        """One 403 is retried once after a short wait; a burst pauses the whole slot."""
        slot, now = slot_of(request), time.monotonic()
        recent = self.recent_blocks.setdefault(slot, deque())
        recent.append(now)
        while recent and recent[0] < now - self.block_window:
            recent.popleft()
        stats = self.crawler.stats
        if len(recent) >= self.block_burst and self.paused_until.get(slot, 0.0) < now:
            self.paused_until[slot] = now + self.block_pause
            self._hold_download_slot(request, self.paused_until[slot])
            recent.clear()
            logger.warning("%s answers 403 to a burst: pausing it for %.0f s", slot,
                           self.block_pause)
            if stats is not None:
                stats.inc_value("politeness/block_pauses")
        tries = request.meta.get("block_retries", 0)
        if tries >= self.block_retries:
            return response
        retry = get_retry_request(request, spider=self.crawler.spider,
                                  reason=f"blocked ({response.status})",
                                  max_retry_times=self.block_retries + self.max_retry_times,
                                  stats_base_key="politeness/blocked_retry")
        if retry is None:
            return response
        retry.meta["block_retries"] = tries + 1
        retry.meta["not_before"] = max(self.paused_until.get(slot, 0.0),
                                       now + self.backoff * 2 ** tries)
        return retry

    def _hold_download_slot(self, request: Request, until: float) -> None:
        """Requests already past this middleware wait in Scrapy's download slot: mark the slot
        as last used at `until`, so that its delay keeps them there until the pause is over
        (a slot without a delay, as offline, is not held)."""
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is None:
            return
        held = downloader.slots.get(downloader.get_slot_key(request))
        if held is not None:
            held.lastseen = max(held.lastseen, until)
