"""Worker mode wherever PORTAL_CRAWLER_FRONTIER is set (`crawl --frontier`, `scrapy crawl -s`,
scrapyd): a Scrapy add-on that swaps the archive's components for the frontier's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .scheduler import FRONTIER
from .worker import SHARED_DELAYS

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

HERE = "portal_crawler.distributed"
SWAPS = {
    "ITEM_PIPELINES": {"portal_crawler.pipelines.archive.ArchivePipeline": None,
                       f"{HERE}.worker.StreamPipeline": 900},
    "EXTENSIONS": {"portal_crawler.crawl_runs.CrawlRunRecorder": None,
                   f"{HERE}.worker.WorkerRecorder": 100},
    "SPIDER_MIDDLEWARES": {f"{HERE}.worker.ListedCarrier": 60},
    "DOWNLOADER_MIDDLEWARES": {f"{HERE}.worker.SharedRateLimit": 100},
}


def _set(settings: BaseSettings, name: str, value: object) -> None:
    """At the priority the value had (a `-s` value is replaced, not shadowed)."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, 20))


class Frontier:
    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get(FRONTIER):
            return
        _set(settings, "SCHEDULER", f"{HERE}.scheduler.LeasedScheduler")
        _set(settings, "DUPEFILTER_CLASS", f"{HERE}.scheduler.RunDupeFilter")
        for name, swaps in SWAPS.items():
            _set(settings, name, {**settings.getdict(name), **swaps})
        # One download rate per portal across workers: the delays move to SharedRateLimit.
        slots = settings.getdict("DOWNLOAD_SLOTS")
        shared = {slot: float(config.get("delay", 0)) for slot, config in slots.items()}
        shared[""] = settings.getfloat("DOWNLOAD_DELAY")
        _set(settings, SHARED_DELAYS, shared)
        _set(settings, "DOWNLOAD_SLOTS", {slot: {**config, "delay": 0}
                                          for slot, config in slots.items()})
        _set(settings, "DOWNLOAD_DELAY", 0)
