"""A worker's Scrapy components: it records nothing in an archive, it publishes.

- WorkerRecorder (in place of CrawlRunRecorder): joins the run, keeps a heartbeat, keeps the
  spider open while other workers hold requests, and at the end leaves its stats and counts
  for the writer, its own unfinished leases back in the queue.
- StreamPipeline (in place of ArchivePipeline): each article with its raw page, each failure
  and 304 goes to the run's Redis Stream; it waits while the stream holds more than
  PORTAL_CRAWLER_STREAM_BACKLOG entries.
- ListedCarrier: "a sitemap of the window listed this article" (what lets an undated article
  in) travels in Redis, since another worker may fetch the article.
- SharedRateLimit: one download delay per portal across all workers, reserved in Redis.
"""

from __future__ import annotations

import json
import logging
import pickle
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from ..article import Article
from ..clock import now_iso
from ..crawl_runs import CrawlRunRecorder, _plain, recorded_settings, window_of
from ..items import FetchFailure, NotModified, RawPage, archive_record
from .run import (
    RunMismatch,
    connect,
    heartbeat,
    identity,
    in_flight,
    join_run,
    recover_dead,
    requeue,
)
from .scheduler import FRONTIER, LISTED, _article_key, run_keys

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

BACKLOG = "PORTAL_CRAWLER_STREAM_BACKLOG"
SHARED_DELAYS = "PORTAL_CRAWLER_SHARED_DELAYS"
# An idle worker asks Redis for work this often (Scrapy's engine: every 5 s).
POLL_INTERVAL = 0.5
BACKLOG_CHECK = 0.2  # seconds


async def sleep(seconds: float) -> None:
    """Wait on the running reactor (imported late: importing it installs one)."""
    from twisted.internet import reactor, task

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


def encode(kind: str, payload: Any) -> dict[bytes, bytes]:
    """A stream entry. Pickle, as scrapy-redis's request queue: Redis is trusted like the
    archive (docs/distributed.md)."""
    return {b"kind": kind.encode(), b"data": pickle.dumps(payload, protocol=5)}


class WorkerRecorder(CrawlRunRecorder):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.client = connect(crawler.settings[FRONTIER])
        self.refused = ""
        self.keys = None
        self.worker = ""
        self._beat: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerRecorder:
        if not crawler.settings.get(FRONTIER):
            raise NotConfigured(f"{FRONTIER} is not set")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.spider_idle, signal=signals.spider_idle)
        return recorder

    def open(self, spider: Spider) -> Any:
        raise RuntimeError("a worker never opens the archive")

    async def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import reactor, task

        from .scheduler import LeasedScheduler

        self.keys = run_keys(self.crawler, spider)
        self.job = self.keys.job
        scheduler = self.crawler.engine._slot.scheduler if self.crawler.engine._slot else None
        self.worker = getattr(scheduler, "worker", "") if isinstance(
            scheduler, LeasedScheduler) else ""
        ours = identity(spider.name, getattr(spider, "arguments", {}),
                        self.crawler.settings.get("PORTAL_CRAWLER_NOW"))
        try:
            recorded = recorded_settings(self.crawler.settings)
            # The portal's delay is the workers' shared limit here (the local slots' is 0).
            recorded["shared_delays"] = self.crawler.settings.getdict(SHARED_DELAYS)
            join_run(self.client, self.keys, ours, recorded)
        except RunMismatch as exc:
            self.refused = str(exc)
            logger.error("%s", exc)
            reactor.callLater(0, self._close, "run_mismatch")
            return
        heartbeat(self.client, self.keys, self.worker)
        self._beat = task.LoopingCall(heartbeat, self.client, self.keys, self.worker)
        self._beat.start(1.0, now=False)
        # Scrapy's engine asks an idle scheduler every 5 s; work may appear any time here.
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = POLL_INTERVAL
        if self.crawler.settings.getbool("PORTAL_CRAWLER_INCREMENTAL", True):
            await self._wait_for_state()

    async def _wait_for_state(self) -> None:
        """An incremental crawl starts from the archive's state, which the writer publishes
        when the run starts: until then this worker waits (and says so, once)."""
        from .state import PUBLISHED, PublishedState

        assert self.keys is not None
        said = False
        while not self.client.hexists(self.keys.meta, PUBLISHED):
            if not said:
                logger.info("waiting for the writer (portal-crawler ingest) to publish the "
                            "archive's state for run %r", self.keys.job)
                said = True
            await sleep(0.2)
        self.archive = PublishedState(self.client, self.keys)  # type: ignore[assignment]

    def _close(self, reason: str) -> None:
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def spider_idle(self) -> None:
        """Idle here is not the end of the crawl while any worker holds requests: their
        responses may bring more, and a dead worker's come back to the queue."""
        if self.refused or self.keys is None:
            return
        # A lease of this worker that this process does not hold is an orphan (a pop whose
        # answer a Redis restart lost): its request goes back to the queue.
        scheduler = self.crawler.engine._slot.scheduler if self.crawler.engine._slot else None
        in_hand = getattr(scheduler, "in_hand", set())
        requeue(self.client, self.keys, self.worker,
                keep=frozenset(lease.encode() for lease in in_hand))
        recover_dead(self.client, self.keys)
        if self.client.zcard(self.keys.queue) or in_flight(self.client, self.keys):
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        if self.refused or self.keys is None:
            self.outcome = "failed"
            return
        window = window_of(spider)
        if window and self.crawler.stats:
            self.crawler.stats.set_value("crawl/window", window)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        keys, client = self.keys, self.client
        requeue(client, keys, self.worker)  # interrupted: what it held goes back to the queue
        pipe = client.pipeline(transaction=True)
        pipe.hset(keys.closed, self.worker, json.dumps(
            {"reason": reason, "counts": dict(self.counts),
             "stats": {k: _plain(v) for k, v in stats.items()},
             # The sitemaps' <lastmod> this worker read, for the run's marks (writer.py).
             "marks": self.pending_marks, "truncated": bool(getattr(spider, "truncated", 0))}))
        pipe.delete(keys.alive(self.worker))
        pipe.execute()
        self.outcome = "ok" if reason == "finished" else "failed"
        logger.info("worker %s of run %r closed (%s)", self.worker, keys.job, reason)


class StreamPipeline:
    def __init__(self, crawler: Crawler, recorder: WorkerRecorder) -> None:
        self.crawler = crawler
        self.recorder = recorder
        self.backlog = crawler.settings.getint(BACKLOG, 10_000)
        self.pages: dict[str, RawPage] = {}
        self._checked_at = -BACKLOG_CHECK
        self._over = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StreamPipeline:
        recorder = crawler.get_extension(WorkerRecorder)
        if recorder is None:
            raise NotConfigured("no WorkerRecorder")
        pipeline = cls(crawler, recorder)
        crawler.signals.connect(pipeline.record, signal=archive_record)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    def _push(self, kind: str, payload: Any) -> None:
        keys = self.recorder.keys
        if keys is None or self.recorder.refused:
            return
        self.recorder.client.xadd(keys.stream, encode(kind, payload))

    def _over_backlog(self) -> bool:
        """Asked of Redis at most every BACKLOG_CHECK seconds, not for every article."""
        keys = self.recorder.keys
        if keys is None:
            return False
        now = time.monotonic()
        if now - self._checked_at >= BACKLOG_CHECK:
            self._checked_at = now
            self._over = self.recorder.client.xlen(keys.stream) > self.backlog
        return self._over

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            while self._over_backlog():
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value("frontier/backlog_waits")
                await sleep(BACKLOG_CHECK)
            # Articles with their raw page, one entry: the page never stands for an article
            # version that is not archived.
            self._push("article", (item, self.pages.pop(item.url, None)))
        return item

    def record(self, record: object) -> None:
        if isinstance(record, RawPage):
            self.pages[record.url] = record
        elif isinstance(record, FetchFailure | NotModified):
            self._push(type(record).__name__, record)

    def item_dropped(self, item: Any, response: Response, exception: Exception,
                     spider: Any) -> None:
        from ..pipelines.dedupe import DuplicateArticle

        if isinstance(item, Article):
            self.pages.pop(item.url, None)
            if not isinstance(exception, DuplicateArticle):
                self._push("FetchFailure", FetchFailure(
                    url=item.url, reason=str(exception), status=response.status,
                    at=now_iso(), via=response.meta.get("via")))

    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        self._push("FetchFailure", FetchFailure(
            url=response.url, reason=f"{failure.type.__name__}: {failure.getErrorMessage()}",
            status=response.status, at=now_iso(), via=response.meta.get("via"),
            kind=response.meta.get("kind", "article")))


class ListedCarrier:
    """Spider middleware: the spider's `sitemap_dated` set, shared through the run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.client = connect(crawler.settings[FRONTIER])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ListedCarrier:
        if not crawler.settings.get(FRONTIER):
            raise NotConfigured(f"{FRONTIER} is not set")
        return cls(crawler)

    def _listed_key(self) -> str | None:
        recorder = self.crawler.get_extension(WorkerRecorder)
        return recorder.keys.listed if recorder is not None and recorder.keys else None

    def process_spider_input(self, response: Response) -> None:
        spider = self.crawler.spider
        dated = getattr(spider, "sitemap_dated", None)
        listed = self._listed_key()
        if dated is None or listed is None or response.meta.get("kind") != "article":
            return
        urls = {response.url, response.request.url if response.request else response.url}
        for key in {_article_key(url) for url in urls}:
            if self.client.sismember(listed, key):
                dated.add(key)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]
                                    ) -> AsyncIterator[Any]:
        dated = getattr(self.crawler.spider, "sitemap_dated", None)
        listed = self._listed_key()
        async for item in result:
            if (dated and listed and isinstance(item, Request)
                    and item.meta.get("kind") == "article" and _article_key(item.url) in dated):
                item.meta[LISTED] = True  # the scheduler adds it to the run's set, queueing
            yield item


RATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, nxt)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], at + delay, 'PX', at + delay - now + 60000)
return at - now
"""


class SharedRateLimit:
    """Downloader middleware: each request of a download slot (a portal) reserves the next
    free instant of that slot in Redis, `delay` after the previous one of any worker, and
    waits for it. The local slots' delays are 0 in worker mode (the add-on moves them here)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.client = connect(crawler.settings[FRONTIER])
        self.delays: dict[str, float] = crawler.settings.getdict(SHARED_DELAYS)
        self.default = float(self.delays.pop("", 0.0))
        self._rate = self.client.register_script(RATE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateLimit:
        if not crawler.settings.get(FRONTIER):
            raise NotConfigured(f"{FRONTIER} is not set")
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        slot = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        delay = float(self.delays.get(slot, self.default))
        recorder = self.crawler.get_extension(WorkerRecorder)
        if delay <= 0 or recorder is None or recorder.keys is None:
            return
        wait_ms = int(self._rate(keys=[recorder.keys.rate(slot)],
                                 args=[int(delay * 1000)]))
        if wait_ms > 0:
            await sleep(wait_ms / 1000)
