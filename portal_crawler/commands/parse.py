"""`scrapy parse`, as Scrapy's, without writing the archive (see __init__.py)."""

from __future__ import annotations

from scrapy.commands.parse import Command as ScrapyParse

from . import ReadOnly


class Command(ReadOnly, ScrapyParse):
    pass
