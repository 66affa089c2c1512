"""Offline mode: every portal host answered by the replica on 127.0.0.1, nothing else reached.

Routing happens in the download handler, below every middleware, so that requests, responses,
redirects and archived URLs all keep the portal's real host names; only the socket differs,
as with a hosts-file entry.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest

from .portals import portal_for

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

REPLICA_SETTING = "PORTAL_CRAWLER_REPLICA"
BLOCKED_STAT = "offline/blocked_requests"


class OfflineViolation(IgnoreRequest):
    """A request in offline mode that would have left 127.0.0.1."""


def parse_replica_address(address: str) -> tuple[str, int]:
    """`127.0.0.1:8123` -> ("127.0.0.1", 8123); anything but loopback is refused."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"{REPLICA_SETTING} must be a loopback address, got {address!r}")
    return host, int(port)


class ReplicaAwareDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler; with PORTAL_CRAWLER_REPLICA set, routes to the replica."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        address = crawler.settings.get(REPLICA_SETTING) or os.environ.get(REPLICA_SETTING)
        self._replica = parse_replica_address(address) if address else None
        self._stats = crawler.stats

    async def download_request(self, request: Request) -> Response:
        if self._replica is None:
            return await super().download_request(request)
        parts = urlsplit(request.url)
        if portal_for(request.url) is None:
            if self._stats is not None:
                self._stats.inc_value(BLOCKED_STAT)
            logger.error("offline mode: refused %s (not a portal host)", request.url)
            raise OfflineViolation(f"offline mode: {request.url} would leave 127.0.0.1")
        host, port = self._replica
        local = urlunsplit(("http", f"{host}:{port}", parts.path or "/", parts.query, ""))
        routed = request.replace(url=local)
        routed.headers["Host"] = parts.netloc
        response = await super().download_request(routed)
        return response.replace(url=request.url)
