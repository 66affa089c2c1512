"""The `portal-crawler` command: thin click commands over extract(), the crawl and the archive.

One module per command group; each registers its commands on `main`.
"""

from __future__ import annotations

from . import (  # noqa: F401  (register commands)
    analysis,
    browsing,
    crawling,
    distributed,
    exporting,
    extracting,
    reparsing,
    reporting,
)
from .app import main

__all__ = ["main"]
