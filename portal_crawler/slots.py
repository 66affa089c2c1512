"""One download slot per portal, whoever makes the request and however many crawlers run.

Spiders put their requests in the slot named after the portal (`download_slot` meta), so its
politeness (DOWNLOAD_SLOTS / DOWNLOAD_DELAY) holds over all its hosts. Two gaps remain:

- requests that Scrapy's own components make (the robots.txt middleware's) carry no slot and
  would get one per host name: `PortalSlotMiddleware` puts every request to a portal's host
  in the portal's slot;
- crawlers that run side by side in one process (a concurrent plan) each have their own
  downloader, hence their own slots: two of them fetching one portal (a job following the
  sources its articles credit, beside a job of a source's portal) would each keep the delay
  alone. `PacedDownloadHandler` keeps the portal's delay between two requests of the
  process to it from different crawlers, just before they are sent (a crawl of the portal
  that starts right after another one ended, in one lane of a plan, included).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from .offline import ReplicaAwareDownloadHandler
from .portals import portal_for

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

SLOT = "download_slot"


class PortalSlotMiddleware:
    """A request to a portal's host without a slot goes in the portal's slot."""

    def process_request(self, request: Request) -> None:
        if request.meta.get(SLOT) is None and (portal := portal_for(request.url)) is not None:
            request.meta[SLOT] = portal.name


class _Pace:
    """Per slot, for the whole process: the crawlers using it, and the last request sent or
    waiting to be sent, as (crawler, when, delay), when in time.monotonic()."""

    users: dict[str, set[int]] = {}
    last: dict[str, tuple[int, float, float]] = {}
    sent: dict[str, tuple[int, float]] = {}  # the last request that really went: (crawler, when)

    @classmethod
    def turn(cls, slot: str, crawler: int, delay: float) -> float:
        """Seconds this crawler's request waits for its turn: none while the crawler has the
        slot to itself and its last request has left (its own downloader spaces its requests,
        jitter and all); else a delay after the last request, whichever crawler sent it."""
        users = cls.users.setdefault(slot, set())
        users.add(crawler)
        now = time.monotonic()
        at = now
        last = cls.last.get(slot)
        if last is not None and (len(users) > 1 or last[0] != crawler or last[1] > now):
            at = max(now, last[1] + max(delay, last[2]))
        cls.last[slot] = (crawler, at, delay)
        return at - now

    @classmethod
    def still(cls, slot: str, crawler: int, delay: float) -> float:
        """Seconds still to wait after a wait: another crawler's request that woke up late
        went out less than a delay ago."""
        sent = cls.sent.get(slot)
        if sent is None or sent[0] == crawler:
            return 0.0
        return max(0.0, sent[1] + delay - time.monotonic())

    @classmethod
    def going(cls, slot: str, crawler: int) -> None:
        cls.sent[slot] = (crawler, time.monotonic())

    @classmethod
    def leave(cls, crawler: int) -> None:
        for users in cls.users.values():
            users.discard(crawler)


class PacedDownloadHandler(ReplicaAwareDownloadHandler):
    """The HTTP(S) handler, sending a shared slot's requests one delay apart (see above)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawler = crawler
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _closed(self) -> None:
        _Pace.leave(id(self._crawler))

    def _delay(self, slot: str) -> float:
        """The slot's delay now (AutoThrottle moves it), else as configured."""
        engine = self._crawler._engine
        live = engine.downloader.slots.get(slot) if engine is not None else None
        if live is not None:
            return live.delay
        configured = self._crawler.settings.getdict("DOWNLOAD_SLOTS").get(slot, {})
        return float(configured.get("delay", self._crawler.settings.getfloat("DOWNLOAD_DELAY")))

    def _sent_now(self, slot: str) -> None:
        """Its own slot counts its delay from now, when the request really leaves, not from
        when it left the slot's queue to wait here."""
        engine = self._crawler._engine
        live = engine.downloader.slots.get(slot) if engine is not None else None
        if live is not None:
            live.lastseen = time.monotonic()

    async def download_request(self, request: Request) -> Response:
        slot = request.meta.get(SLOT)
        if slot is not None:
            crawler, delay = id(self._crawler), self._delay(slot)
            wait = _Pace.turn(slot, crawler, delay)
            if wait > 0:
                from twisted.internet import reactor  # the one Scrapy installed

                while wait > 0:
                    await maybe_deferred_to_future(deferLater(reactor, wait))
                    wait = _Pace.still(slot, crawler, delay)
                self._sent_now(slot)
            _Pace.going(slot, crawler)
        return await super().download_request(request)
