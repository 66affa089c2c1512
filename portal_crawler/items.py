"""What spiders hand to the archive besides articles: raw responses, failures, 304s.

Only Articles are Scrapy items (feeds such as `scrapy crawl -O out.jsonl` export items, and a
raw page is no row for an analyst); these records travel on the `archive_record` signal,
which the archive pipeline listens to, sent by `send_record()` from callbacks and errbacks
alike (an errback's output bypasses spider middlewares)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .article import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["Article", "FetchFailure", "NotModified", "RawPage", "archive_record",
           "send_record"]

# Signal: `record` is a RawPage, FetchFailure or NotModified for the archive.
archive_record = object()


@dataclass
class RawPage:
    """A response as fetched, kept compressed so re-parsing needs no network."""

    url: str = ""
    request_url: str = ""
    status: int = 0
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    encoding: str | None = None
    fetched_at: str = ""
    redirect_urls: list[str] = field(default_factory=list)
    # The <lastmod> the sitemap gave when we fetched it: a later one means the page changed,
    # whatever the two sites' clocks say.
    sitemap_lastmod: str | None = None

    @classmethod
    def from_response(cls, response: Response, encoding: str | None,
                      fetched_at: str) -> RawPage:
        """The bytes and headers as the server sent them, whichever spider fetched them."""
        return cls(
            url=response.url,
            request_url=response.request.url if response.request else response.url,
            status=response.status,
            headers={k.decode("latin-1"): [v.decode("latin-1") for v in vs]
                     for k, vs in response.headers.items()},
            body=response.body, encoding=encoding, fetched_at=fetched_at,
            redirect_urls=list(response.meta.get("redirect_urls", [])),
            sitemap_lastmod=response.meta.get("lastmod"),
        )


@dataclass
class FetchFailure:
    """A URL the crawl could not turn into an article, and why: never silently lost."""

    url: str = ""
    reason: str = ""
    status: int | None = None
    at: str = ""
    # What the URL was for: "article", "sitemap", "listing" (a sitemap failure fails the run).
    kind: str = "article"
    # Refused by the site's own rules (robots.txt): recorded, but not a failure of the crawl.
    denied: bool = False
    # The sitemap that listed the URL: its high-water mark must not hide a failed article.
    via: str | None = None


@dataclass
class NotModified:
    """A conditional revisit answered 304: the archived article is still current."""

    url: str = ""
    fetched_at: str = ""


def send_record(crawler: Crawler, record: RawPage | FetchFailure | NotModified) -> None:
    """Hand a record to the archive (when one listens: `scrapy parse` and `shell` have none)."""
    crawler.signals.send_catch_log(signal=archive_record, record=record)
