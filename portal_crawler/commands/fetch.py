"""`scrapy fetch`, as Scrapy's, without writing the archive (see __init__.py)."""

from __future__ import annotations

from scrapy.commands.fetch import Command as ScrapyFetch

from . import ReadOnly


class Command(ReadOnly, ScrapyFetch):
    pass
