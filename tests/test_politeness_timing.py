"""Politeness, measured: a small crawl with the live delay, AutoThrottle and retry settings
against the replica, timed by the replica's request log.

The oracle is the clock of the server that was asked: when each request arrived. Only lower
bounds are asserted (a loaded machine makes waits longer, never shorter), so nothing flakes.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from conftest import cli
from test_crawl_e2e import expected_articles

from portal_crawler import settings as live
from portal_crawler.replica.faults import Fault, FaultPlan, retry_after
from portal_crawler.replica.resource import Resource
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.settings import REPLICA_PROFILE

# One day, two editions: its daily sitemap lists 3 articles; about 16 requests, 8 s at the
# live delay.
DAY, EDITIONS = "2023-09-14", ("id", "en")
SMALL = ["--since", DAY, "--until", DAY, "--lang", ",".join(EDITIONS)]
SLOT = "vietnam.vn"
# A request may reach the server up to this much later than the crawler sent it (thread
# scheduling on a loaded machine), which can shorten one measured gap by as much.
ARRIVAL_SLACK = 0.1


def live_settings(**changed: object) -> list[str]:
    """`-s` options that undo the replica's fast profile: the live values, as settings.py has
    them, for every setting the profile changes."""
    values = {name: getattr(live, name) for name in REPLICA_PROFILE} | changed
    return [arg for name, value in values.items()
            for arg in ("-s", f"{name}={json.dumps(value)}")]


def crawl_logged(site, tmp_path: Path, plan: FaultPlan, **changed: object) -> list[tuple]:
    with ReplicaServer(site, faults=plan) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(tmp_path / "a.db"), *SMALL, *live_settings(**changed))
        log = server.timed_requests
    assert result.returncode == 0, result.stdout + result.stderr
    return log


def listed_articles() -> list[str]:
    """Paths of the day's articles in those editions, from the reference pages: the daily
    sitemap lists them, so any crawl of the window fetches them."""
    paths = sorted(page["url"].split("www.vietnam.vn", 1)[1]
                   for page in expected_articles().values()
                   if page["language"] in EDITIONS and (page["date_published"] or "")[:10] == DAY)
    assert len(paths) == 3, paths
    return paths


def arrivals(log: list[tuple], path: str) -> list[float]:
    return [t for t, _method, _host, p in log if p == path]


def http_date_soon(seconds: int) -> Fault:
    """A 503 whose Retry-After is an HTTP-date `seconds` (whole) after it is served."""
    def answer(_page: Resource) -> Resource:
        moment = datetime.fromtimestamp(math.ceil(time.time()) + seconds, UTC)
        return Resource(status=503, body=b"busy", content_type="text/html",
                        headers={"Retry-After": format_datetime(moment, usegmt=True)})
    return Fault(transform=answer, times=1, kind="retry_after_date")


# -- the live defaults themselves ------------------------------------------------------------
def test_the_live_defaults_are_polite():
    """What the live site is crawled with (the replica's fast profile is offline only)."""
    slot = live.DOWNLOAD_SLOTS[SLOT]
    assert live.ROBOTSTXT_OBEY is True
    assert live.DOWNLOAD_DELAY >= 0.5 and slot["delay"] >= 0.5
    assert slot["concurrency"] <= 4 and live.CONCURRENT_REQUESTS_PER_DOMAIN <= 4
    assert live.AUTOTHROTTLE_ENABLED is True
    assert live.AUTOTHROTTLE_START_DELAY >= live.DOWNLOAD_DELAY
    assert slot["concurrency"] >= live.AUTOTHROTTLE_TARGET_CONCURRENCY
    assert live.PORTAL_CRAWLER_RETRY_BACKOFF >= 1
    assert live.PORTAL_CRAWLER_RETRY_AFTER_MAX >= 60  # a site's "come back in a minute" holds
    # The live 403 block clears after about 15 minutes (politeness.py): pause that long.
    assert live.PORTAL_CRAWLER_BLOCK_PAUSE >= 900
    assert 0 < live.PORTAL_CRAWLER_BLOCK_BURST <= 5
    assert not hasattr(live, "DOWNLOAD_DELAY_JITTER") or live.DOWNLOAD_DELAY_JITTER < 1


# -- delay and Retry-After, from one crawl ---------------------------------------------------
@pytest.fixture(scope="module")
def live_crawl(site, tmp_path_factory) -> list[tuple]:
    seconds, dated, _ = listed_articles()
    plan = FaultPlan({seconds: retry_after(2, status=503), dated: http_date_soon(3)})
    log = crawl_logged(site, tmp_path_factory.mktemp("live"), plan)
    assert plan.served == {seconds: 1, dated: 1}
    return log


def test_requests_to_the_portal_keep_the_configured_delay(live_crawl):
    from scrapy.settings.default_settings import DOWNLOAD_DELAY_JITTER

    # Scrapy spaces a slot's requests by its delay times a random 1 ± jitter.
    least = live.DOWNLOAD_SLOTS[SLOT]["delay"] * (1 - DOWNLOAD_DELAY_JITTER)
    times = sorted(t for t, _m, _h, path in live_crawl if path != "/robots.txt")
    assert len(times) >= 5
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= least - ARRIVAL_SLACK, gaps
    assert times[-1] - times[0] >= least * len(gaps)


def test_retry_after_seconds_is_waited_out(live_crawl):
    first, retry = arrivals(live_crawl, listed_articles()[0])
    assert retry - first >= 2


def test_retry_after_http_date_is_waited_out(live_crawl, site):
    first, retry = arrivals(live_crawl, listed_articles()[1])
    # The date was at least 2 s after the refusal was served (whole seconds, plus 3).
    assert retry - first >= 2
    assert retry >= math.ceil(first) + 3 - ARRIVAL_SLACK


# -- a burst of 403s pauses the portal -------------------------------------------------------
def test_a_403_burst_pauses_the_portal_for_the_configured_time(site, tmp_path):
    """The burst is the day's 3 articles refused once each (a burst of 3 here: the live 5 is
    tested by test_crawl_faults.py); the pause is set to 3 s."""
    pause = 3.0
    blocked = listed_articles()
    plan = FaultPlan({path: Fault(status=403, times=1) for path in blocked})
    log = crawl_logged(site, tmp_path, plan, PORTAL_CRAWLER_BLOCK_PAUSE=pause,
                       PORTAL_CRAWLER_BLOCK_BURST=len(blocked))
    refusals = sorted(arrivals(log, path)[0] for path in blocked)
    paused_at = refusals[-1]  # the burst's last 403: the pause starts once it is answered
    # Every refused page was fetched again, and not before the pause was over.
    for path in blocked:
        _refused, retry = arrivals(log, path)
        assert retry - paused_at >= pause - ARRIVAL_SLACK, path
    # Nothing else went to the portal meanwhile: the log has a silence as long as the pause.
    after = sorted(t for t, _m, _h, _p in log if t >= paused_at)
    silence = max(b - a for a, b in itertools.pairwise(after))
    assert silence >= pause - ARRIVAL_SLACK, [round(t - paused_at, 2) for t in after]
