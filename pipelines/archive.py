"""Write articles, raw pages and failures to the SQLite archive in batched transactions.

Articles arrive as items; raw pages, failures and 304s on the `archive_record` signal (they
are not items, so feeds never see them). The archive itself is opened, locked and closed by
the CrawlRunRecorder extension, which also records the run; this pipeline only buffers and
writes. Without the recorder (`scrapy shell`, `parse`, `check`) it is switched off."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from portal_crawler.archive.republications import SourceLink
from portal_crawler.article import Article
from portal_crawler.clock import now_iso
from portal_crawler.crawl_runs import CrawlRunRecorder
from portal_crawler.items import FetchFailure, NotModified, RawPage, archive_record
from portal_crawler.killpoints import SETTING as KILL_SETTING
from portal_crawler.killpoints import maybe_kill

from .dedupe import DuplicateArticle

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

GONE = (404, 410)


def _page_kind(response: Response) -> str:
    """An article of the crawl, or a followed source (whose failure is not the crawl's)."""
    return "source" if response.meta.get("kind") == "source" else "article"


class ArchivePipeline:
    def __init__(self, crawler: Crawler, recorder: CrawlRunRecorder) -> None:
        self.crawler = crawler
        self.recorder = recorder
        self.batch_size = crawler.settings.getint("PORTAL_CRAWLER_BATCH_SIZE", 50)
        self.articles: list[Article] = []
        self.pages: list[RawPage] = []
        self.failures: list[FetchFailure] = []
        self.not_modified: list[NotModified] = []
        self.links: list[SourceLink] = []
        self.kill_at = crawler.settings.get(KILL_SETTING)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        recorder = crawler.get_extension(CrawlRunRecorder)
        if recorder is None:  # a debugging command, or the extension switched off
            raise NotConfigured("no CrawlRunRecorder: nothing is written to the archive")
        pipeline = cls(crawler, recorder)
        crawler.signals.connect(pipeline.record, signal=archive_record)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    def open_spider(self) -> None:
        assert self.crawler.spider is not None
        archive = self.recorder.open(self.crawler.spider)
        if self.kill_at:
            archive.before_commit = lambda: maybe_kill(self.kill_at, "commit")

    def close_spider(self) -> None:
        self.flush()
        self.links = []  # their originals were refused (validation): nothing to link

    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            self.articles.append(item)
            self._maybe_flush()
        return item

    def record(self, record: object) -> None:
        """A raw page, failure or 304 from the spider (the `archive_record` signal)."""
        if isinstance(record, RawPage):
            # A raw page waits for its article: if validation refuses the article, the page
            # must not replace the archived one (item_dropped discards it).
            self.pages.append(record)
            return
        if isinstance(record, FetchFailure):
            self.failures.append(record)
        elif isinstance(record, NotModified):
            self.not_modified.append(record)
        elif isinstance(record, SourceLink):
            self.links.append(record)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if self.pending >= self.batch_size:
            self.flush()

    @property
    def pending(self) -> int:
        return (len(self.articles) + len(self.pages) + len(self.failures)
                + len(self.not_modified))

    def item_dropped(self, item: Any, response: Response, exception: Exception,
                     spider: Any) -> None:
        if isinstance(item, Article):
            self.pages = [page for page in self.pages if page.url != item.url]
        if isinstance(item, Article) and not isinstance(exception, DuplicateArticle):
            self.failures.append(FetchFailure(url=item.url, reason=str(exception),
                                              status=response.status, at=now_iso(),
                                              via=response.meta.get("via"),
                                              kind=_page_kind(response)))

    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """A callback raised: whatever it had not yielded yet is lost to this run, so the
        failure keeps the kind of the page (a sitemap's keeps its mark back)."""
        self.failures.append(FetchFailure(
            url=response.url, reason=f"{failure.type.__name__}: {failure.getErrorMessage()}",
            status=response.status, at=now_iso(), via=response.meta.get("via"),
            kind=response.meta.get("kind", "article")))

    def flush(self) -> None:
        archive = self.recorder.archive
        if archive is None:
            return
        counts = self.recorder.counts
        stats = self.crawler.stats
        # Articles before their raw pages: a stored page tells the next run "fetched", so it
        # must never stand for an article version that a kill kept out of the archive.
        if self.articles:
            outcomes = archive.save_articles(self.articles)
            counts.update(outcomes)
            for outcome in outcomes:
                if stats is not None:
                    stats.inc_value(f"archive/{outcome}")
            self.articles = []
        if self.links:  # after their articles: a link joins two archived articles; one
            # whose article is still on its way through the pipelines waits for the next batch
            self.links = archive.link_sources(self.links, now_iso())
        maybe_kill(self.kill_at, "batch")
        if self.pages:
            archive.save_pages(self.pages, self.recorder.run_id)
            self.pages = []
        for seen in self.not_modified:
            if archive.mark_seen(seen.url, seen.fetched_at):
                counts["unchanged"] += 1
        self.not_modified = []
        if self.failures:
            for failure in self.failures:
                if failure.via:
                    self.recorder.spoiled_sitemaps.add(failure.via)
                if failure.kind == "sitemap":  # not read completely, denied by robots included
                    self.recorder.spoiled_sitemaps.add(failure.url)
                if failure.kind == "article":
                    self.recorder.failed_urls.add(failure.url)
                if failure.denied:
                    counts["robots_denied"] += 1
                    continue
                if failure.kind == "source":  # a followed original: not this portal's failure
                    counts["failed_source"] += 1
                    continue
                if failure.status in GONE and archive.mark_withdrawn(failure.url, failure.at):
                    counts["withdrawn"] += 1
                    continue
                counts["failed"] += 1
                if failure.kind == "sitemap":
                    counts["failed_sitemap"] += 1
            archive.save_failures(self.failures, self.recorder.run_id)
            self.failures = []
