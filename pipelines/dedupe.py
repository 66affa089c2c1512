"""Within one crawl, one article per canonical URL (mirrors, www/bare, trailing slashes).

Across crawls the archive applies the identity rules; this only saves it repeated work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from portal_crawler.article import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class DuplicateArticle(DropItem):
    """Seen already in this crawl under the same canonical URL."""


class DedupePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: object) -> object:
        if not isinstance(item, Article):
            return item
        if item.id in self.seen:
            self.stats.inc_value("articles/duplicate_in_run")
            raise DuplicateArticle(f"duplicate of {item.canonical_url}: {item.url}")
        self.seen.add(item.id)
        return item
