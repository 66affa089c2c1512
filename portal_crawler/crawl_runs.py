"""A Scrapy extension that owns the archive for one crawl and records it in `crawl_runs`,
however the crawl was started (scrapy crawl, portal-crawler, scrapyd).

`scrapy crawl` exits 0 even when callbacks raised, so the outcome is judged here from the
crawl's own counts and stats and stored with them.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from . import writers
from .alarms import RunFigures, degraded_fields
from .archive.lock import ArchiveLocked
from .archive.ownership import NotAnArchive
from .archive.schema import SchemaTooNew

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from .archive.store import Archive

logger = logging.getLogger(__name__)

MAX_FAILED_SHARE = "PORTAL_CRAWLER_MAX_FAILED_SHARE"
WRITE_ARCHIVE = "PORTAL_CRAWLER_WRITE_ARCHIVE"
# The effective politeness settings, recorded with the run (the live site's or the replica's).
RECORDED_SETTINGS = ("AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS",
                     "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_SLOTS", "DOWNLOAD_TIMEOUT",
                     "RETRY_TIMES", "ROBOTSTXT_OBEY")
ARCHIVED = ("new", "updated", "unchanged", "alias")
# Scrapy's finish reason after SIGINT or SIGTERM (Ctrl-C, scrapyd's cancel): a graceful stop.
SHUTDOWN = "shutdown"
# The stat naming the run's window of publication days ("2024-01-01..2024-01-02").
WINDOW_STAT = "crawl/window"


class CrawlRunRecorder:
    @classmethod
    def count(cls, crawler: Crawler, name: str) -> None:
        """Add one to the run's count `name`, if this crawl records a run (not under
        `scrapy parse` or `check`, where the recorder is off)."""
        recorder = crawler.get_extension(cls) if crawler.extensions else None
        if recorder is not None:
            recorder.counts[name] += 1

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_path = crawler.settings.get("PORTAL_CRAWLER_DB")
        self.max_failed_share = crawler.settings.getfloat(MAX_FAILED_SHARE, 0.05)
        self.archive: Archive | None = None
        self.refused = ""  # the close reason when the archive could not be opened
        self.run_id: int | None = None
        self.counts: Counter[str] = Counter()
        self.outcome: str | None = None
        self.job = ""
        # Sitemap URL -> <lastmod> seen this run, and the sitemaps whose articles failed.
        self.pending_marks: dict[str, str] = {}
        self.spoiled_sitemaps: set[str] = set()
        # Article URLs that failed this run: the spider names the sitemaps that listed them.
        self.failed_urls: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        if not crawler.settings.getbool(WRITE_ARCHIVE, True):
            # scrapy shell / parse / check (portal_crawler.commands): no lock, no run.
            raise NotConfigured(f"{WRITE_ARCHIVE} is off")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def open(self, spider: Spider) -> Archive:
        """Open the archive as its one writer; a held lock closes the crawl, naming the holder."""
        if self.refused:  # said once already (the signal and the pipeline both open it)
            raise CloseSpider(self.refused)
        if self.archive is None:
            try:
                # Shared with the other crawlers of this process (writers.py).
                self.archive = writers.acquire(self.db_path,
                                               purpose=f"scrapy crawl {spider.name}")
            except (ArchiveLocked, NotAnArchive, SchemaTooNew) as exc:
                logger.error("%s", exc)
                self.refused = ("archive_locked" if isinstance(exc, ArchiveLocked)
                                else "not_an_archive")
                raise CloseSpider(self.refused) from None
            arguments = getattr(spider, "arguments", {})
            self.job = self.crawler.settings.get("PORTAL_CRAWLER_JOB") or job_name(
                spider.name, arguments)
            self.run_id = self.archive.start_run(
                spider=spider.name, job=self.job,
                arguments={k: _plain(v) for k, v in arguments.items()},
                settings=recorded_settings(self.crawler.settings),
            )
            logger.info("archive %s: run %s started", self.archive.path, self.run_id)
        return self.archive

    def spider_opened(self, spider: Spider) -> None:
        self.open(spider)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """After the engine stopped: the finish reason and final stats are known here."""
        if self.archive is None or self.run_id is None:
            return
        window = window_of(spider)
        if window and self.crawler.stats:
            self.crawler.stats.set_value(WINDOW_STAT, window)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.outcome = decide_outcome(reason, stats, self.counts, self.max_failed_share)
        figures = run_figures(stats)
        alarms: list[str] = []
        if self.outcome == "ok":
            # More than the 5 compared: quiet windows' ok runs are no baseline (alarms.py).
            history = [run_figures(json.loads(r["stats"] or "{}"))
                       for r in self.archive.recent_runs(self.job, limit=50,
                                                         before=self.run_id)]
            alarms = degraded_fields(figures, history)
            if alarms:
                self.outcome = "degraded"
                logger.warning("run %s degraded (layout change?): %s", self.run_id,
                               ", ".join(alarms))
        if self.outcome == "ok" and not getattr(spider, "truncated", False):
            self._save_marks(spider)
        self.archive.finish_run(
            self.run_id, outcome=self.outcome, finish_reason=reason,
            counts=dict(self.counts), coverage=figures.coverage, yield_pct=figures.yield_pct,
            alarms=alarms,
            stats={k: _plain(v) for k, v in stats.items()},
        )
        logger.info("archive %s: run %s %s %s", self.archive.path, self.run_id, self.outcome,
                    dict(self.counts))
        writers.release(self.archive)
        self.archive = None


    def _save_marks(self, spider: Spider) -> None:
        """High-water marks of the sitemaps this run read completely: none that listed an
        article which failed, so the next run reads them again and archives the rest."""
        assert self.archive is not None
        spoiled = set(self.spoiled_sitemaps)
        listing = getattr(spider, "sitemaps_listing", None)
        if listing is not None:
            for url in self.failed_urls:
                spoiled |= listing(url)
        marks = {url: mark for url, mark in self.pending_marks.items() if url not in spoiled}
        self.archive.save_sitemap_marks(marks, self.run_id)


def window_of(spider: Spider) -> str | None:
    """The days the run archived ("since..until", an open end as ".."), None without one."""
    args = getattr(spider, "args", None)
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if since is None and until is None:
        return None
    return f"{since or ''}..{until or ''}"


def recorded_settings(settings: BaseSettings) -> dict[str, Any]:
    """Offline mode and the politeness settings the run had, as JSON values."""
    recorded: dict[str, Any] = {"replica": settings.get("PORTAL_CRAWLER_REPLICA")}
    for name in RECORDED_SETTINGS:
        if name in ("AUTOTHROTTLE_ENABLED", "ROBOTSTXT_OBEY"):
            recorded[name] = settings.getbool(name)
        elif name == "DOWNLOAD_SLOTS":
            recorded[name] = settings.getdict(name)
        else:
            number = settings.getfloat(name)
            recorded[name] = int(number) if number.is_integer() else number
    return recorded


def job_name(spider: str, arguments: dict[str, Any]) -> str:
    """Spider + editions + options other than the window: runs of one job are comparable."""
    options = [f"{k}={v}" for k, v in sorted(arguments.items())
               if v not in (None, "") and k not in ("since", "until")]
    return " ".join([spider, *options])


def _plain(value: Any) -> Any:
    """Stats and arguments as JSON-friendly values."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return str(value)


def run_figures(stats: dict[str, Any]) -> RunFigures:
    """Coverage, yield (validated articles per fetched article page) and articles parsed."""
    validated = stats.get("articles/validated", 0)
    fetched = stats.get("articles/pages_fetched", 0)
    return RunFigures(coverage=coverage(stats),
                      yield_pct=round(100 * validated / fetched, 1) if fetched else None,
                      archived=validated)


def coverage(stats: dict[str, Any]) -> dict[str, float]:
    """Share of validated articles with each field filled, in percent."""
    total = stats.get("articles/validated", 0)
    if not total:
        return {}
    return {key.removeprefix("coverage/"): round(100 * value / total, 1)
            for key, value in sorted(stats.items()) if key.startswith("coverage/")}


def decide_outcome(reason: str, stats: dict[str, Any], counts: Counter[str],
                   max_failed_share: float = 0.05) -> str:
    """`interrupted`: stopped by SIGINT/SIGTERM. `failed`: did not finish otherwise, a request
    left offline mode, a sitemap was unreadable, more than `max_failed_share` of article pages
    failed, or nothing at all could be read. A window in which nothing was published (or
    nothing new) is `ok`: discovery worked and found nothing to archive."""
    from .offline import BLOCKED_STAT

    if reason == SHUTDOWN:
        return "interrupted"
    if reason != "finished" or stats.get(BLOCKED_STAT) or counts.get("failed_sitemap"):
        return "failed"
    # Followed originals are another portal's articles: they neither hide nor add failures.
    archived = max(0, sum(counts.get(k, 0) for k in ARCHIVED) - counts.get("followed_source", 0))
    failed = counts.get("failed", 0) - counts.get("failed_sitemap", 0)
    attempted = archived + failed
    if attempted and failed / attempted > max_failed_share:
        return "failed"
    if not stats.get("response_received_count"):
        return "failed"  # not even the sitemap index or robots.txt answered
    return "ok"
