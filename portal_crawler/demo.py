"""The demo's crawl plan: vietnam.vn and more portals, side by side, against the replica.

`portal-crawler demo` serves `generate.build_all()` on loopback and runs this plan as a
concurrent plan (plan.py): one job per portal, each in its own download slot, one archive.
What it crawls is data here: a portal of DEMO_PORTALS joins as soon as the replica serves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from .clock import now
from .plan import SITE_SPIDER, Job, Plan
from .portals import PORTALS, VIETNAM_VN

# vietnam.vn's job follows the sources its articles credit (--follow-sources). Portals crawled
# beside vietnam.vn with the generic spider (portals.toml names), when the
# replica serves them; their whole replica, whatever the date.
DEMO_PORTALS: tuple[str, ...] = ("vnexpress.net",)


def served_portals(hosts: Iterable[str]) -> list[str]:
    """DEMO_PORTALS that the replica answers for (its canonical host among `hosts`)."""
    served = set(hosts)
    return [name for name in DEMO_PORTALS
            if name in PORTALS and PORTALS[name].canonical_host in served]


def demo_plan(days: list[date], hosts: Iterable[str], replica: str, archive: Path) -> Plan:
    """vietnam.vn over every day of its replica, up to today at least (a relative date,
    "2 giờ trước", is a day of the fetch), then each served portal of DEMO_PORTALS."""
    today = now().astimezone(ZoneInfo(VIETNAM_VN.timezone)).date()
    jobs = [Job(name=VIETNAM_VN.name, spider="vietnam_vn", editions=(), since=days[0],
                until=max(days[-1], today), archive=archive, portal=VIETNAM_VN.name,
                follow_sources=True)]
    for name in served_portals(hosts):
        portal = PORTALS[name]
        jobs.append(Job(name=name, spider=SITE_SPIDER, editions=(), since=None, until=None,
                        archive=archive, site=portal.home, portal=name))
    return Plan(path=Path("demo"), jobs=tuple(jobs), replica=replica, concurrent=True,
                settings={"LOG_LEVEL": "WARNING"})
