"""`scrapy shell`, as Scrapy's, without writing the archive (see __init__.py)."""

from __future__ import annotations

from scrapy.commands.shell import Command as ScrapyShell

from . import ReadOnly


class Command(ReadOnly, ScrapyShell):
    pass
