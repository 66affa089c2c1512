"""portal-crawler: crawl news portals with Scrapy into a SQLite archive researchers can trust."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .article import Article

if TYPE_CHECKING:
    from .extract import extract

__all__ = ["Article", "extract"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy, so that `import portal_crawler.replica` does not load the parsers.
    if name == "extract":
        from .extract import extract

        return extract
    raise AttributeError(name)
