"""Only the portal's hosts are fetched, whatever redirects say, and nothing is lost silently.

Scrapy's OffsiteMiddleware drops an off-site redirect target without calling the errback, so
the article would vanish from the record. This middleware turns such a redirect into a failure
the spider's errback records."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from w3lib.url import safe_url_string

from .portals import portal_for

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class OffsiteRedirect(IgnoreRequest):
    """A portal page redirected to a host outside the portal."""


class BrokenBody(IgnoreRequest):
    """A body whose Content-Encoding does not decode to its end."""


class IntactBodyMiddleware:
    """Scrapy's gunzip keeps "as much data as possible" of a damaged gzip body, so a page cut or
    garbled in transit would be archived half. Seen before HttpCompressionMiddleware (590): a
    gzip body that does not decode to its end is a failure the errback records."""

    CHUNK = 1 << 16

    def process_response(self, request: Request, response: Response) -> Response:
        encodings = response.headers.getlist("Content-Encoding")
        if not response.body or not encodings:
            return response
        if encodings[-1].strip().lower() not in (b"gzip", b"x-gzip"):
            return response
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = response.body
        try:
            while data and not inflater.eof:
                inflater.decompress(data, self.CHUNK)
                data = inflater.unconsumed_tail
        except zlib.error as exc:
            raise BrokenBody(f"broken gzip body: {exc}") from None
        if not inflater.eof:
            raise BrokenBody("broken gzip body: the stream ends early")
        return response


class PortalBoundsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalBoundsMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = safe_url_string(response.urljoin(location.decode("latin-1")))
        if portal_for(request.url) is not None and portal_for(target) is None:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("bounds/offsite_redirects")
            raise OffsiteRedirect(f"redirect to a host outside the portal: {target}")
        return response
