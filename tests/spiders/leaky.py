"""A spider that tries to leave 127.0.0.1: offline mode must refuse it and fail the run."""

from __future__ import annotations

import scrapy

from portal_crawler.items import FetchFailure, send_record


class LeakySpider(scrapy.Spider):
    name = "leaky"

    async def start(self):
        for url in ("https://www.vietnam.vn/robots.txt", "https://example.org/"):
            yield scrapy.Request(url, self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        self.logger.info("fetched %s", response.url)

    def failed(self, failure):
        send_record(self.crawler,
                    FetchFailure(url=failure.request.url, reason=repr(failure.value)))
