"""A spider that only fetches the given URLs (no parsing, no items): the fetch ceiling."""

from __future__ import annotations

from pathlib import Path

import scrapy


class BareFetchSpider(scrapy.Spider):
    name = "bare_fetch"
    custom_settings = {"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "SPIDER_MIDDLEWARES": {}}

    def __init__(self, urls: str = "", **kwargs):
        super().__init__(**kwargs)
        self.urls = Path(urls).read_text().split()

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, self.parse, meta={"download_slot": "vietnam.vn"})

    def parse(self, response):
        self.crawler.stats.inc_value("bare/bytes", len(response.body))
