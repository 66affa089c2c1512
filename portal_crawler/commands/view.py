"""`scrapy view`, as Scrapy's, without writing the archive (see __init__.py)."""

from __future__ import annotations

from scrapy.commands.view import Command as ScrapyView

from . import ReadOnly


class Command(ReadOnly, ScrapyView):
    pass
