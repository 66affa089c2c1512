"""Progress of a long crawl on stderr: a line rewritten in place on a terminal, a plain line
every PORTAL_CRAWLER_PROGRESS_INTERVAL seconds otherwise (cron logs, pipes).

Off unless PORTAL_CRAWLER_PROGRESS is true (`portal-crawler crawl` sets it; `scrapy crawl`
keeps Scrapy's own LogStats lines). Written to the stream directly, not through logging, so
that LOG_LEVEL=WARNING keeps it. On a terminal, a log record about to be written to the same
terminal first erases the progress line (a filter on the log handlers), so every log line
starts at column 0; the next tick redraws the progress below it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from .crawl_runs import ARCHIVED, CrawlRunRecorder

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

ENABLED = "PORTAL_CRAWLER_PROGRESS"
INTERVAL = "PORTAL_CRAWLER_PROGRESS_INTERVAL"
TTY_INTERVAL = 0.5  # seconds between redraws of the terminal line


def progress_line(figures: dict[str, int], seconds: float) -> str:
    """`discovered 120, fetched 80, archived 75, failed 1, out of window 4, 96 pages/min`."""
    rate = 60 * figures["fetched"] / seconds if seconds > 0 else 0.0
    return (f"discovered {figures['discovered']}, fetched {figures['fetched']}, "
            f"archived {figures['archived']}, failed {figures['failed']}, "
            f"out of window {figures['out_of_window']}, {rate:.0f} pages/min")


class Progress:
    def __init__(self, crawler: Crawler, stream: IO[str], interval: float) -> None:
        self.crawler = crawler
        self.stream = stream
        self.tty = stream.isatty()
        self.interval = TTY_INTERVAL if self.tty else interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self.drawn = False  # a progress line without its newline is on the terminal
        self.handlers: list[logging.Handler] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool(ENABLED):
            raise NotConfigured
        progress = cls(crawler, sys.stderr, crawler.settings.getfloat(INTERVAL, 30.0))
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def figures(self) -> dict[str, int]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        recorder = self.crawler.get_extension(CrawlRunRecorder)
        counts: Any = recorder.counts if recorder is not None else {}
        return {"discovered": stats.get("articles/discovered", 0),
                "fetched": stats.get("articles/pages_fetched", 0),
                "archived": sum(counts.get(k, 0) for k in ARCHIVED),
                "failed": counts.get("failed", 0),
                "out_of_window": counts.get("out_of_window", 0)}

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        if self.tty:
            self.handlers = [h for h in logging.getLogger().handlers
                             if _same_terminal(getattr(h, "stream", None), self.stream)]
            for handler in self.handlers:
                handler.addFilter(self.erase)
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def show(self, final: bool = False) -> None:
        line = progress_line(self.figures(), time.monotonic() - self.started)
        if self.tty:
            # \r and erase-to-end: one line rewritten in place, a newline when done.
            self.stream.write(f"\r\x1b[K{line}" + ("\n" if final else ""))
            self.drawn = not final
        else:
            self.stream.write(f"progress: {line}\n")
        self.stream.flush()

    def erase(self, record: logging.LogRecord) -> bool:
        """A logging filter that lets every record through, after erasing the progress line."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
        return True

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show(final=True)
        for handler in self.handlers:
            handler.removeFilter(self.erase)
        self.handlers = []


def _same_terminal(stream: Any, terminal: IO[str]) -> bool:
    """Whether a log handler's stream writes where the progress line is drawn."""
    if stream is terminal:
        return True
    try:
        return os.path.sameopenfile(stream.fileno(), terminal.fileno())
    except (AttributeError, OSError, ValueError):
        return False
