"""`scrapy bench`, as Scrapy's, without writing the archive (see __init__.py)."""

from __future__ import annotations

from scrapy.commands.bench import Command as ScrapyBench

from . import ReadOnly


class Command(ReadOnly, ScrapyBench):
    pass
