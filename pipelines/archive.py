"""Write articles, raw pages and failures to the SQLite archive in batched transactions, and
record the crawl in `crawl_runs`, whatever started it (scrapy crawl, the CLI, scrapyd)."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy import signals

from portal_crawler.archive.store import Archive
from portal_crawler.article import Article
from portal_crawler.clock import now_iso
from portal_crawler.items import FetchFailure, RawPage
from portal_crawler.offline import BLOCKED_STAT

from .dedupe import DuplicateArticle

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "unchanged", "alias")


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("PORTAL_CRAWLER_DB")
        self.batch_size = settings.getint("PORTAL_CRAWLER_BATCH_SIZE", 50)
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.articles: list[Article] = []
        self.pages: list[RawPage] = []
        self.failures: list[FetchFailure] = []
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # -- lifecycle ----------------------------------------------------------------------
    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        self.archive = Archive.open_writer(self.db_path, purpose=f"scrapy crawl {spider.name}")
        arguments = getattr(spider, "arguments", {})
        self.run_id = self.archive.start_run(
            spider=spider.name, job=spider.name,
            arguments={k: _plain(v) for k, v in arguments.items()},
            settings={"replica": self.crawler.settings.get("PORTAL_CRAWLER_REPLICA")},
        )
        logger.info("archive %s: run %s started", self.archive.path, self.run_id)

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        """After the engine stopped: the finish reason and final stats are known here."""
        if self.archive is None or self.run_id is None:
            return
        self.flush()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        outcome = decide_outcome(reason, stats, self.counts)
        self.archive.finish_run(
            self.run_id, outcome=outcome, finish_reason=reason,
            counts=dict(self.counts), coverage=coverage(stats),
            stats={k: _plain(v) for k, v in stats.items()},
        )
        logger.info("archive %s: run %s %s %s", self.archive.path, self.run_id, outcome,
                    dict(self.counts))
        self.archive.close()
        self.archive = None

    # -- items --------------------------------------------------------------------------
    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            self.articles.append(item)
        elif isinstance(item, RawPage):
            self.pages.append(item)
        elif isinstance(item, FetchFailure):
            self.failures.append(item)
        if len(self.articles) + len(self.pages) + len(self.failures) >= self.batch_size:
            self.flush()
        return item

    def item_dropped(self, item: Any, response: Response, exception: Exception,
                     spider: Any) -> None:
        if isinstance(item, Article) and not isinstance(exception, DuplicateArticle):
            self.failures.append(FetchFailure(url=item.url, reason=str(exception),
                                              status=response.status, at=now_iso()))

    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        self.failures.append(FetchFailure(
            url=response.url, reason=f"{failure.type.__name__}: {failure.getErrorMessage()}",
            status=response.status, at=now_iso()))

    def flush(self) -> None:
        if self.archive is None:
            return
        if self.pages:
            self.archive.save_pages(self.pages, self.run_id)
            self.pages = []
        if self.articles:
            outcomes = self.archive.save_articles(self.articles)
            self.counts.update(outcomes)
            stats = self.crawler.stats
            for outcome in outcomes:
                if stats is not None:
                    stats.inc_value(f"archive/{outcome}")
            self.articles = []
        if self.failures:
            self.archive.save_failures(self.failures, self.run_id)
            self.counts["failed"] += len(self.failures)
            self.failures = []


def _plain(value: Any) -> Any:
    """Stats and arguments as JSON-friendly values."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return str(value)


def coverage(stats: dict[str, Any]) -> dict[str, float]:
    """Share of validated articles with each field filled, in percent."""
    total = stats.get("articles/validated", 0)
    if not total:
        return {}
    return {key.removeprefix("coverage/"): round(100 * value / total, 1)
            for key, value in sorted(stats.items()) if key.startswith("coverage/")}


def decide_outcome(reason: str, stats: dict[str, Any], counts: Counter[str]) -> str:
    """`scrapy crawl` exits 0 even when callbacks raised: judge the run from its stats."""
    if reason != "finished" or stats.get(BLOCKED_STAT):
        return "failed"
    if stats.get("log_count/ERROR") or counts.get("failed"):
        return "partial"
    return "ok"
