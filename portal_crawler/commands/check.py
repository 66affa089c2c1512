"""`scrapy check`, as Scrapy's, without writing the archive (see __init__.py)."""

from __future__ import annotations

from scrapy.commands.check import Command as ScrapyCheck

from . import ReadOnly


class Command(ReadOnly, ScrapyCheck):
    pass
