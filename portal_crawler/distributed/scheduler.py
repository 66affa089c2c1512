"""scrapy-redis's Scheduler and duplicate filter under a run's key prefix, with leases.

scrapy-redis 0.9.1 with Scrapy 2.19: its Scheduler builds itself from settings (we build it
from the crawler, keys per run), never flushes here (SCHEDULER_PERSIST: other workers may still
be running), and its RFPDupeFilter is used for the fingerprints and the seen set. What this adds:

- enqueueing is one Lua script: "not seen" and "queued" happen together, so a worker killed
  between the two loses nothing; an article request is deduplicated by its canonical article
  id (articles pass Scrapy's filter with dont_filter, as in one process);
- popping leases the request (a hash per worker, see run.py) until its response or failure has
  been handled by the spider and every request and item it produced is queued or pushed: the
  scraper's `enqueue_scrape` is the one place Scrapy finishes a response, so it is wrapped;
- a request that comes back from the downloader (a retry, a redirect) carries its lease, which
  is released in the same script that queues it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from ..identity import article_id, canonical_url
from .run import RunKeys, connect, worker_name

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

FRONTIER = "PORTAL_CRAWLER_FRONTIER"
LEASE = "_frontier_lease"
LISTED = "_frontier_listed"

ENQUEUE = """
local added = 1
if ARGV[5] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 0
    and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[5]) then return -1 end
if ARGV[6] ~= '' then redis.call('SADD', KEYS[4], ARGV[3]) end
if ARGV[3] ~= '' then added = redis.call('SADD', KEYS[2], ARGV[3]) end
if added == 1 then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
return added
"""

POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, r[2] .. '|' .. r[1])
return {id, r[1]}
"""


def run_keys(crawler: Crawler, spider: Spider) -> RunKeys:
    from ..crawl_runs import job_name

    job = crawler.settings.get("PORTAL_CRAWLER_JOB") or job_name(
        spider.name, getattr(spider, "arguments", {}))
    return RunKeys(job)


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's fingerprints in the run's set; close() keeps the set (other workers)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunDupeFilter:
        return cls(connect(crawler.settings[FRONTIER]), key="",
                   debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))

    def close(self, reason: str = "") -> None:
        pass


class LeasedScheduler(Scheduler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(connect(crawler.settings[FRONTIER]), persist=True)
        self.crawler = crawler
        self.stats = crawler.stats
        self.worker = worker_name()
        self.keys: RunKeys | None = None
        # Leases of the requests this process holds (popped, not yet finished or passed on).
        self.in_hand: set[str] = set()
        self._enqueue = self.server.register_script(ENQUEUE)
        self._pop = self.server.register_script(POP)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasedScheduler:
        return cls(crawler)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.keys = run_keys(self.crawler, spider)
        self.queue = PriorityQueue(self.server, spider, self.keys.queue.replace("%", "%%"))
        self.df = RunDupeFilter(self.server, self.keys.dupefilter,
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self._watch_scraper()
        pending = len(self.queue)
        if pending:
            logger.info("joining run %r: %s requests queued", self.keys.job, pending)

    def close(self, reason: str) -> None:
        """Never flush: the run's keys belong to every worker until the writer ends the run."""

    @property
    def leased(self) -> str:
        assert self.keys is not None
        return self.keys.leased(self.worker)

    def enqueue_request(self, request: Request) -> bool:
        from .worker import WorkerRecorder

        recorder = self.crawler.get_extension(WorkerRecorder)
        if recorder is not None and recorder.refused:
            return False
        assert self.keys is not None
        lease = request.meta.pop(LEASE, None)
        self.in_hand.discard(lease)
        filter_set, member, limit = self.keys.dupefilter, "", ""
        if lease is None and request.meta.get("kind") == "article":
            filter_set, member = self.keys.articles, _article_key(request.url)
            # --max-articles counts the run's article requests, whichever worker made them.
            limit = getattr(getattr(self.spider, "args", None), "max_articles", None) or ""
        elif not request.dont_filter:
            member = self.df.request_fingerprint(request)
        # Listed by a sitemap of the window (ListedCarrier): said even when deduplicated.
        listed = "1" if request.meta.pop(LISTED, False) and filter_set == self.keys.articles \
            else ""
        added = self._enqueue(
            keys=[self.keys.queue, filter_set, self.leased, self.keys.listed],
            args=[self.queue._encode_request(request), -request.priority, member,
                  lease or "", limit, listed])
        if added == -1:
            self.spider.truncated = True
            return False
        if not added:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        from .worker import WorkerRecorder

        recorder = self.crawler.get_extension(WorkerRecorder)
        if self.keys is None or (recorder is not None and recorder.refused):
            return None
        popped = self._pop(keys=[self.keys.queue, self.leased, self.keys.lease_ids])
        if not popped:
            return None
        lease, data = popped
        request = self.queue._decode_request(data)
        request.meta[LEASE] = lease.decode() if isinstance(lease, bytes) else str(lease)
        self.in_hand.add(request.meta[LEASE])
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return self.keys is not None and len(self.queue) > 0

    def release(self, request: Request) -> None:
        lease = request.meta.get(LEASE)
        if lease is not None:
            self.server.hdel(self.leased, lease)
            self.in_hand.discard(lease)

    def _watch_scraper(self) -> None:
        """Release a lease once the scraper is done with its response or failure."""
        scraper = self.crawler.engine.scraper
        original = scraper.enqueue_scrape

        def enqueue_scrape(result: Any, request: Request) -> Any:
            deferred = original(result, request)
            deferred.addBoth(self._released, request)
            return deferred

        scraper.enqueue_scrape = enqueue_scrape

    def _released(self, result: Any, request: Request) -> Any:
        self.release(request)
        return result


def _article_key(url: str) -> str:
    try:
        return article_id(canonical_url(url))
    except ValueError:
        return url
