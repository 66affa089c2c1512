"""Validation: recompute `messages`, count field coverage, refuse what is not an article."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from portal_crawler.article import COVERAGE_FIELDS, Article, with_validation_messages

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector



class NotAnArticle(DropItem):
    """A page with neither headline nor body: recorded as a failure, never archived."""


# A "not found" page served with status 200 (soft 404), in the portal's languages.
NOT_FOUND = re.compile(
    r"\b(404|not found|does not exist|no longer available|không tìm thấy|không tồn tại|"
    r"tidak ditemukan|introuvable|nicht gefunden)\b", re.I)
SOFT_404_BODY = 400  # characters: a real article says more than an error page


def soft_404(item: Article) -> bool:
    """An undated page with a short body whose headline or body says "not found" (a real
    article may well have "not found" in its headline: it says more than an error page)."""
    if item.date_published or len(item.body) >= SOFT_404_BODY:
        return False
    return bool(NOT_FOUND.search(item.headline) or NOT_FOUND.search(item.body))


def refusal(item: Article) -> str | None:
    """Why this is not an article to archive, or None. The crawl and `reparse` both ask."""
    if not item.headline and not item.body:
        return f"no headline and no body at {item.url}"
    if not item.id or not item.canonical_url:
        return f"no identity for {item.url}"
    if soft_404(item):
        return f"soft 404: the page says {item.headline[:80]!r} at {item.url}"
    return None


class ValidatePipeline:
    def __init__(self, stats: StatsCollector, crawler: Crawler | None = None) -> None:
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, crawler)

    def _followed(self, item: Article) -> bool:
        """An original fetched with --follow-sources: another portal's article, kept out of
        this crawl's coverage and yield (its alarms compare the crawl's own portal)."""
        spider = self.crawler.spider if self.crawler is not None else None
        return item.id in getattr(spider, "followed_ids", ())

    def process_item(self, item: object) -> object:
        if not isinstance(item, Article):
            return item
        reason = refusal(item)
        if reason is not None:
            raise NotAnArticle(reason)
        item = with_validation_messages(item)
        if self._followed(item):
            self.stats.inc_value("sources/validated")
            return item
        self.stats.inc_value("articles/validated")
        for name in COVERAGE_FIELDS:
            if getattr(item, name):
                self.stats.inc_value(f"coverage/{name}")
        return item
