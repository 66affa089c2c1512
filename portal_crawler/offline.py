"""Offline mode: every portal host answered by the replica on 127.0.0.1, nothing else reached.

Routing happens in the download handler, below every middleware, so that requests, responses,
redirects and archived URLs all keep the portal's real host names; only the socket differs,
as with a hosts-file entry.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
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


class ReplicaAddressError(ValueError):
    """A replica address that is not HOST:PORT on loopback; the message is one line."""


def parse_replica_address(address: str) -> tuple[str, int]:
    """`127.0.0.1:8123` (or `[::1]:8123`) -> (host, port). The one check of a replica address,
    for --replica, the setting and variable, and crawl plans: a loopback IP and a port."""
    host, sep, port = str(address).strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    example = "HOST:PORT on loopback, e.g. 127.0.0.1:8123"
    if not sep or not host:
        raise ReplicaAddressError(f"replica {address!r} is not {example}")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise ReplicaAddressError(f"replica {address!r}: {host!r} is not an IP address "
                                  f"({example})") from None
    if not loopback:
        raise ReplicaAddressError(f"replica {address!r} is not on loopback: offline mode "
                                  f"never leaves this machine ({example})")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ReplicaAddressError(f"replica {address!r}: {port!r} is not a port "
                                  "(1-65535)")
    return host, int(port)


def replica_answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether something accepts connections at the replica's address (a runtime check)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def replica_problem(address: str | None) -> tuple[int, str] | None:
    """(exit code, one line) when offline mode cannot work: 2 for a malformed address, 1 when
    nothing answers there; None when fine or not in offline mode."""
    if not address:
        return None
    try:
        host, port = parse_replica_address(address)
    except ReplicaAddressError as exc:
        return 2, str(exc)
    if not replica_answers(host, port):
        return 1, (f"no replica answers at {address} (start one: python -m "
                   f"portal_crawler.replica.server --port {port})")
    return None


class ReplicaAwareDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler; with PORTAL_CRAWLER_REPLICA set, routes to the replica."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        address = crawler.settings.get(REPLICA_SETTING) or os.environ.get(REPLICA_SETTING)
        self._replica: tuple[str, int] | None = None
        # A malformed address refuses every request (never the live site instead); the
        # spider reports it in one line at start (replica_problem), not a traceback here.
        self._broken: str | None = None
        if address:
            try:
                self._replica = parse_replica_address(address)
            except ReplicaAddressError as exc:
                self._broken = str(exc)
        self._stats = crawler.stats

    async def download_request(self, request: Request) -> Response:
        if self._broken is not None:
            raise OfflineViolation(f"offline mode: {self._broken}")
        if self._replica is None:
            return await super().download_request(request)
        parts = urlsplit(request.url)
        if portal_for(request.url) is None:
            if self._stats is not None:
                self._stats.inc_value(BLOCKED_STAT)
            logger.error("offline mode: refused %s (not a portal host)", request.url)
            raise OfflineViolation(f"offline mode: {request.url} would leave 127.0.0.1")
        host, port = self._replica
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # IPv6 in brackets
        local = urlunsplit(("http", netloc, parts.path or "/", parts.query, ""))
        routed = request.replace(url=local)
        routed.headers["Host"] = parts.netloc
        response = await super().download_request(routed)
        return response.replace(url=request.url)
