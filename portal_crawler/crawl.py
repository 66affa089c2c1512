"""Running a spider through the real Scrapy engine from Python (the CLI, the demo, tests)."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from twisted.python.failure import Failure

from .archive.lock import WriterLock
from .archive.ownership import check_file
from .archive.store import resolve_db_path
from .crawl_runs import SHUTDOWN, CrawlRunRecorder
from .discovery.arguments import ArgumentError, CrawlArguments
from .portals import Portal

logger = logging.getLogger(__name__)

EXIT_CODES = {"ok": 0, "failed": 1, "degraded": 3}
EXIT_USAGE = 2
# 128 + SIGINT, as shells report a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130
# Settings of a whole process (its log, its reactor), not of one crawl among several in it.
PROCESS_SETTINGS = re.compile(r"LOG_.*|TWISTED_REACTOR|ASYNCIO_EVENT_LOOP|"
                              r"REACTOR_THREADPOOL_MAXSIZE|(TWISTED_)?DNS_RESOLVER")


@dataclass
class CrawlResult:
    """What one crawl did: its recorded outcome, why it finished, its counts and stats."""

    outcome: str
    finish_reason: str | None = None
    counts: Counter[str] = field(default_factory=Counter)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        return self.finish_reason == SHUTDOWN

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_CODES.get(self.outcome, 1)


def project_settings(**overrides: Any) -> Settings:
    """The project's settings module wherever the command runs (no scrapy.cfg needed)."""
    settings = Settings()
    settings.setmodule("portal_crawler.settings", priority="project")
    for key, value in overrides.items():
        if value is not None:
            settings.set(key, value, priority="cmdline")
    return settings


def portal_of(spider: str) -> Portal | None:
    """The portal a spider crawls (None for a spider without one); ArgumentError if unknown."""
    try:
        spider_cls = get_spider_loader(project_settings()).load(spider)
    except KeyError:
        raise ArgumentError(f"unknown spider {spider!r}") from None
    return getattr(spider_cls, "portal", None)


def check_arguments(spider: str, **arguments: Any) -> None:
    """Raise ArgumentError before any engine starts (unknown spider, bad language or date)."""
    portal = portal_of(spider)
    if portal is not None:
        CrawlArguments.parse(portal, **arguments)


def check_writable(db: str | Path | None) -> None:
    """Refuse early, naming the holder, when another process writes the archive, and a file
    that is not an archive (NotAnArchive) before anything writes to it."""
    check_file(resolve_db_path(db))
    lock = WriterLock(resolve_db_path(db))
    lock.acquire("lock check")
    lock.release()


def run_crawl(spider: str, db: str | Path | None = None, *, replica: str | None = None,
              settings: dict[str, Any] | None = None, **arguments: Any) -> CrawlResult:
    """Crawl once in this process (a Twisted reactor runs only once): the run's outcome (from
    this crawl's own recorder, never another run's row), finish reason, counts and stats."""
    process = CrawlerProcess(project_settings(**crawl_settings(db, replica, settings)))
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **{k: v for k, v in arguments.items() if v is not None})
    process.start()
    return result_of(crawler)


def crawl_settings(db: str | Path | None, replica: str | None,
                   settings: dict[str, Any] | None) -> dict[str, Any]:
    """The settings a crawl runs with: its archive, offline mode's profile, then its own."""
    from .settings import REPLICA_PROFILE

    overrides: dict[str, Any] = {"PORTAL_CRAWLER_DB": str(resolve_db_path(db))}
    if replica:
        overrides.update(REPLICA_PROFILE, PORTAL_CRAWLER_REPLICA=replica)
    overrides.update(settings or {})
    return overrides


def result_of(crawler: Crawler) -> CrawlResult:
    """What a finished crawler did, from its own recorder and stats (a crawler that failed
    before its extensions or stats existed: `failed`, with nothing counted)."""
    extensions, collector = crawler._extensions, crawler._stats  # None before the crawl began
    recorder = crawler.get_extension(CrawlRunRecorder) if extensions is not None else None
    stats = collector.get_stats() if collector is not None else {}
    return CrawlResult(
        outcome=(recorder.outcome if recorder is not None else None) or "failed",
        finish_reason=stats.get("finish_reason"),
        counts=Counter(recorder.counts) if recorder is not None else Counter(),
        stats=dict(stats))


@dataclass(frozen=True)
class CrawlJob:
    """One crawl among several in one process (run_crawls)."""

    name: str
    spider: str
    db: Path
    # The portal it crawls: the crawls of one lane run one after another, so a portal is
    # never fetched by two crawls (two download slots) at once.
    lane: str
    arguments: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


Finished = Callable[[CrawlJob, CrawlResult, float], None]


def run_crawls(jobs: Sequence[CrawlJob], *, replica: str | None = None,
               settings: dict[str, Any] | None = None,
               finished: Finished | None = None) -> dict[str, CrawlResult]:
    """Several crawls in this one process, on one reactor: the lanes (portals) side by side,
    each lane's crawls in order; each crawl has its own crawler (its own downloader: one slot
    per portal, with that crawl's politeness settings), run record and outcome. Archives are
    shared through writers.py (hold them with `writers.holding` to lock each once).

    Returns the result of every crawl that ran, by job name; after Ctrl-C (a crawl finished
    by `shutdown`) no lane starts another crawl. `finished(job, result, seconds)` is called
    as each crawl ends."""
    # The process's own settings are only what is the process's (its log, its reactor):
    # Scrapy merges them into every crawler's, over a crawl's own at the same priority.
    process = CrawlerProcess(project_settings(**{
        k: v for k, v in (settings or {}).items() if PROCESS_SETTINGS.fullmatch(k)}))
    lanes: dict[str, list[CrawlJob]] = {}
    for job in jobs:
        lanes.setdefault(job.lane, []).append(job)
    results: dict[str, CrawlResult] = {}
    reactor_installed = False

    def start(lane: list[CrawlJob]) -> None:
        nonlocal reactor_installed
        job, rest = lane[0], lane[1:]
        own = crawl_settings(job.db, replica, {**(settings or {}), **job.settings})
        crawler = Crawler(process.spider_loader.load(job.spider), project_settings(**own),
                          init_reactor=not reactor_installed)
        reactor_installed = True
        began = time.monotonic()

        def done(outcome: object) -> None:
            if isinstance(outcome, Failure):  # the crawl raised; its run says `failed`
                logger.error("crawl %s: %s", job.name, outcome.getErrorMessage())
            result = results[job.name] = result_of(crawler)
            if finished is not None:
                finished(job, result, time.monotonic() - began)
            if rest and not any(r.interrupted for r in results.values()):
                start(rest)

        deferred = process.crawl(
            crawler, **{k: v for k, v in job.arguments.items() if v is not None})
        deferred.addBoth(done)

    for lane in lanes.values():
        start(lane)
    process.start()
    return results
