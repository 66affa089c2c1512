"""Running a spider through the real Scrapy engine from Python (the CLI, the demo, tests)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from .archive.lock import WriterLock
from .archive.ownership import check_file
from .archive.store import resolve_db_path
from .crawl_runs import SHUTDOWN, CrawlRunRecorder
from .discovery.arguments import ArgumentError, CrawlArguments
from .portals import Portal

EXIT_CODES = {"ok": 0, "failed": 1, "degraded": 3}
EXIT_USAGE = 2
# 128 + SIGINT, as shells report a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


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
    from .settings import REPLICA_PROFILE

    db_path = resolve_db_path(db)
    overrides: dict[str, Any] = {"PORTAL_CRAWLER_DB": str(db_path)}
    if replica:
        overrides.update(REPLICA_PROFILE, PORTAL_CRAWLER_REPLICA=replica)
    overrides.update(settings or {})
    process = CrawlerProcess(project_settings(**overrides))
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **{k: v for k, v in arguments.items() if v is not None})
    process.start()
    recorder = crawler.get_extension(CrawlRunRecorder) if crawler.extensions else None
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    return CrawlResult(
        outcome=(recorder.outcome if recorder is not None else None) or "failed",
        finish_reason=stats.get("finish_reason"),
        counts=Counter(recorder.counts) if recorder is not None else Counter(),
        stats=dict(stats))
