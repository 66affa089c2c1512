"""Reading portal sitemaps: which children to fetch, which URLs they list.

Pure functions over bytes so that spiders stay thin and tests need no engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

DAILY_POST = re.compile(r"/sitemap-post/(\d{4}-\d{2}-\d{2})\.xml(?:\.gz)?$")
GZIP_MAGIC = b"\x1f\x8b\x08"
NEWS = re.compile(r"/news-sitemap\.xml(?:\.gz)?$")
CATEGORY = re.compile(r"/sitemap-category\.xml(?:\.gz)?$")


class NotASitemap(ValueError):
    """The body is not a sitemap (a challenge page, an error page): a failure, never 'no news'."""


@dataclass(frozen=True)
class Entry:
    loc: str
    lastmod: str | None


def read_sitemap(body: bytes, kind: str, max_size: int = 50 * 1024 * 1024) -> list[Entry]:
    """Entries of a `urlset` or `sitemapindex`; anything else raises NotASitemap."""
    if body[:3] == GZIP_MAGIC:
        body = gunzip(body, max_size=max_size)
    try:
        sitemap = Sitemap(body)
    except Exception as exc:  # lxml raises several types on garbage
        raise NotASitemap(f"not a sitemap: {exc.__class__.__name__}") from None
    if sitemap.type != kind:
        raise NotASitemap(f"expected <{kind}>, got <{sitemap.type}>")
    return [Entry(e["loc"].strip(), e.get("lastmod")) for e in sitemap if e.get("loc")]


def daily_sitemap_day(url: str) -> date | None:
    match = DAILY_POST.search(url)
    return date.fromisoformat(match.group(1)) if match else None


def in_window(day: date | None, since: date | None, until: date | None) -> bool:
    """Inclusive window; an open end admits everything on that side."""
    if day is None:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


def reaches_newest(entries: list[Entry], until: date | None) -> bool:
    """Whether a window ending `until` covers the newest daily sitemap's day: then the news
    sitemap (the newest articles, some not yet in a daily file) is worth reading."""
    days = [d for e in entries if (d := daily_sitemap_day(e.loc)) is not None]
    return bool(days) and (until is None or until >= max(days))
