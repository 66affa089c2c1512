"""Crawl plans: recurring jobs named in a TOML file (docs/scheduling.md).

    archive = "archive.db"            # default archive; relative to the plan file's folder
    replica = "127.0.0.1:8123"        # optional: offline mode, every job against the replica
    concurrent = true                 # optional: different portals' jobs side by side
    [settings]                        # optional: Scrapy settings for every job
    LOG_LEVEL = "INFO"

    [[job]]
    name = "vietnam-id-en-daily"      # recorded as crawl_runs.job (layout alarms compare by it)
    spider = "vietnam_vn"             # or site = "https://..." (the generic spider)
    editions = ["id", "en"]           # default: every edition of the portal
    window = "last 2 days"            # or since = 2023-09-01 (until = ..., default today)
    max_articles = 500                # optional; also follow_related, follow_sources,
                                      # settings, archive

The whole plan is checked before any job runs (unknown keys, windows, spiders, editions), each
problem on one line. Days are the portal's local days by the project's clock
(`clock.now()`, fixed by $PORTAL_CRAWLER_NOW), taken once when the plan is loaded.

Running a plan: plan_run.py.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .archive.store import DB_ENV
from .clock import now
from .crawl import PROCESS_SETTINGS, check_arguments, portal_of
from .discovery.arguments import ArgumentError
from .portals import Portal

PLAN_KEYS = ("archive", "replica", "concurrent", "settings", "job")
JOB_KEYS = ("name", "spider", "site", "timezone", "editions", "window", "since", "until",
            "max_articles", "follow_related", "follow_sources", "settings", "archive")
SITE_SPIDER = "portal"  # the generic spider, for a job with `site = URL`
FLAGS = ("follow_sources",)  # spider arguments that are flags of `crawl` (no value)
WINDOW = re.compile(r"last\s+(\d+)\s+days?", re.IGNORECASE)
SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# Set by the plan's own keys, not through `settings`.
RESERVED_SETTINGS = {
    "PORTAL_CRAWLER_DB": "the `archive` key",
    "PORTAL_CRAWLER_JOB": "the job's `name`",
    "PORTAL_CRAWLER_REPLICA": "the plan's `replica` key",
}


class PlanError(ValueError):
    """A plan that cannot run; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Job:
    name: str
    spider: str
    editions: tuple[str, ...]  # empty: every edition
    since: date | None  # None (a site job without a window): every date the site lists
    until: date | None
    archive: Path
    max_articles: int | None = None
    follow_related: int = 0
    settings: dict[str, str] = field(default_factory=dict)
    site: str | None = None  # the generic spider's site=URL
    timezone: str | None = None  # with site: the zone of a site not in the registry
    portal: str = ""  # the portal it crawls (jobs of one portal never run at once)
    follow_sources: bool = False

    def arguments(self) -> dict[str, str]:
        """The spider's arguments (as `scrapy crawl -a`): what `command` passes as options."""
        arguments = {"site": self.site, "timezone": self.timezone,
                     "lang": ",".join(self.editions) or None,
                     "since": self.since.isoformat() if self.since else None,
                     "until": self.until.isoformat() if self.until else None,
                     "max_articles": None if self.max_articles is None else str(self.max_articles),
                     "follow_related": str(self.follow_related) if self.follow_related else None,
                     "follow_sources": "1" if self.follow_sources else None}
        return {k: v for k, v in arguments.items() if v is not None}

    def command(self, replica: str | None = None) -> list[str]:
        """The `portal-crawler crawl` process that runs this job."""
        cmd = [sys.executable, "-m", "portal_crawler", "crawl", self.spider,
               "--db", str(self.archive)]
        for name, value in self.arguments().items():
            option = f"--{name.replace('_', '-')}"
            cmd += [option] if name in FLAGS else [option, value]
        if replica:
            cmd += ["--replica", replica]
        for name, value in self.settings.items():
            cmd += ["-s", f"{name}={value}"]
        cmd += ["-s", f"PORTAL_CRAWLER_JOB={self.name}"]
        return cmd

    def describe(self) -> str:
        editions = ",".join(self.editions) or "all editions"
        window = f"{self.since or ''}..{self.until or ''}" if self.since or self.until \
            else "all dates"
        what = f"{self.spider} {self.site}" if self.site else self.spider
        return f"{what} {editions} {window} -> {self.archive}"


@dataclass(frozen=True)
class Plan:
    path: Path
    jobs: tuple[Job, ...]
    replica: str | None = None
    # Jobs of different portals run at the same time, in one process (run_concurrently).
    concurrent: bool = False
    settings: dict[str, str] = field(default_factory=dict)  # [settings]: every job's


def load_plan(path: str | os.PathLike[str], clock: datetime | None = None) -> Plan:
    """Read and check a whole plan; raise PlanError listing every problem."""
    path = Path(path)
    label = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError([f"{label}: cannot read the plan: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise PlanError([f"{label}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError([f"{label}: not valid TOML: {exc}"]) from None

    problems: list[str] = []
    base = path.resolve().parent
    moment = clock or now()
    unknown = sorted(set(data) - set(PLAN_KEYS))
    if unknown:
        problems.append(f"{label}: unknown key {_names(unknown)} (known: {', '.join(PLAN_KEYS)})")

    default_archive = replica = None
    plan_settings: dict[str, str] = {}
    try:
        default_archive = _archive(data.get("archive"), base)
    except ArgumentError as exc:
        problems.append(f"{label}: {exc}")
        default_archive = base  # reported once here, not again for every job
    try:
        replica = _replica(data.get("replica"))
    except ArgumentError as exc:
        problems.append(f"{label}: {exc}")
    try:
        plan_settings = _settings(data.get("settings"))
    except ArgumentError as exc:
        problems.append(f"{label}: {exc}")
    concurrent = data.get("concurrent", False)
    if not isinstance(concurrent, bool):
        problems.append(f"{label}: concurrent={concurrent!r} is not true or false")
        concurrent = False

    entries = data.get("job")
    if not isinstance(entries, list) or not entries or not all(
            isinstance(entry, dict) for entry in entries):
        problems.append(f"{label}: no jobs: add one [[job]] table per job")
        entries = []

    jobs: list[Job] = []
    names: set[str] = set()
    for number, entry in enumerate(entries, 1):
        name = entry.get("name")
        where = f"{label}: job {name!r}" if isinstance(name, str) and name else \
            f"{label}: job #{number}"
        try:
            job = _job(entry, default_archive, plan_settings, base, moment)
            if concurrent:
                _check_concurrent(entry)
        except ArgumentError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if job.name in names:
            problems.append(f"{where}: another job has the same name")
        names.add(job.name)
        jobs.append(job)
    if problems:
        raise PlanError(problems)
    return Plan(path=path, jobs=tuple(jobs), replica=replica, concurrent=concurrent,
                settings=plan_settings)


def _check_concurrent(entry: dict[str, Any]) -> None:
    settings = entry.get("settings")
    for name in settings if isinstance(settings, dict) else ():
        if PROCESS_SETTINGS.fullmatch(name):
            raise ArgumentError(f"setting {name} is the whole process's in a concurrent plan: "
                                "set it in the plan's [settings]")


def _job(entry: dict[str, Any], default_archive: Path | None, plan_settings: dict[str, str],
         base: Path, moment: datetime) -> Job:
    unknown = sorted(set(entry) - set(JOB_KEYS))
    if unknown:
        raise ArgumentError(f"unknown key {_names(unknown)} (known: {', '.join(JOB_KEYS)})")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or not name.isprintable():
        raise ArgumentError("needs a name (a one-line string)")
    site, timezone = entry.get("site"), entry.get("timezone")
    spider = entry.get("spider", SITE_SPIDER if site is not None else None)
    if not isinstance(spider, str) or not spider:
        raise ArgumentError("needs a spider (e.g. spider = \"vietnam_vn\") or a site "
                            "(site = \"https://...\")")
    editions = _editions(entry.get("editions"))
    max_articles = _count(entry, "max_articles")
    follow_related = _count(entry, "follow_related") or 0
    follow_sources = entry.get("follow_sources", False)
    if not isinstance(follow_sources, bool):
        raise ArgumentError(f"follow_sources = {follow_sources!r}: expected true or false")
    if site is not None or timezone is not None or spider == SITE_SPIDER:
        portal = _site_portal(spider, site, timezone, follow_related)
        since, until = _window(entry, _today(portal.timezone, moment), everything=True)
        _check_site(site, timezone, editions, since, until, max_articles)
    else:
        portal = portal_of(spider)
        since, until = _window(entry, _today(portal.timezone if portal else "UTC", moment))
        check_arguments(spider, lang=",".join(editions) or None, since=_iso(since),
                        until=_iso(until), max_articles=max_articles,
                        follow_related=follow_related)
    settings = {**plan_settings, **_settings(entry.get("settings"))}
    archive = _archive(entry.get("archive"), base) or default_archive
    if archive is None:
        if not os.environ.get(DB_ENV):
            raise ArgumentError("no archive: set `archive` in the plan or in the job")
        archive = Path(os.environ[DB_ENV]).resolve()
    return Job(name=name.strip(), spider=spider, editions=editions, since=since, until=until,
               archive=archive, max_articles=max_articles, follow_related=follow_related,
               settings=settings, site=site, timezone=timezone,
               portal=portal.name if portal is not None else spider,
               follow_sources=follow_sources)


def _site_portal(spider: str, site: Any, timezone: Any, follow_related: int) -> Portal:
    """The portal of a `site = URL` job (the registry's entry, else one derived from it)."""
    from .spiders.portal import SiteArguments

    if spider != SITE_SPIDER:
        key = "site" if site is not None else "timezone"
        raise ArgumentError(f"{key} goes with the {SITE_SPIDER} spider, not {spider}")
    if not isinstance(site, str) or not site:
        raise ArgumentError(f"the {SITE_SPIDER} spider needs a site (site = \"https://...\")")
    if timezone is not None and not isinstance(timezone, str):
        raise ArgumentError(f"timezone={timezone!r} is not a zone name (e.g. \"Asia/Hanoi\")")
    if follow_related:
        raise ArgumentError("follow_related is not for a site job")
    return SiteArguments.parse(site, timezone=timezone).portal


def _check_site(site: str, timezone: str | None, editions: tuple[str, ...], since: date | None,
                until: date | None, max_articles: int | None) -> None:
    from .spiders.portal import SiteArguments

    SiteArguments.parse(site, timezone=timezone, since=_iso(since), until=_iso(until),
                        max_articles=max_articles, lang=",".join(editions) or None)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _today(zone: str, moment: datetime) -> date:
    """Today in the portal's own time zone."""
    return moment.astimezone(ZoneInfo(zone)).date()


def _window(entry: dict[str, Any], today: date,
            everything: bool = False) -> tuple[date | None, date | None]:
    """`window = "last N days"` (today and the N-1 days before), or since [+ until]; neither:
    the last 2 days, or (`everything`, a site job, as `crawl --site`) no window at all."""
    window = entry.get("window")
    since, until = entry.get("since"), entry.get("until")
    if window is not None:
        if since is not None or until is not None:
            raise ArgumentError("give either window or since/until, not both")
        match = WINDOW.fullmatch(window.strip()) if isinstance(window, str) else None
        if not match or int(match.group(1)) < 1:
            raise ArgumentError(f"window={window!r} is not \"last N days\" (N >= 1)")
        return today - timedelta(days=int(match.group(1)) - 1), today
    if since is None:
        if until is not None:
            raise ArgumentError("until needs since (or use window = \"last N days\")")
        if everything:
            return None, None
        return today - timedelta(days=1), today  # the crawl's own default: last 2 days
    first = _date("since", since)
    last = _date("until", until) if until is not None else today
    if first > last:
        raise ArgumentError(f"since={first} is after until={last}")
    return first, last


def _date(name: str, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ArgumentError(f"{name}={value!r} is not a date (YYYY-MM-DD)")


def _editions(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ArgumentError(f"editions={value!r} is not a list of language codes")
    editions = tuple(v.strip().lower() for v in value if v.strip())
    if not editions:
        raise ArgumentError("editions is empty (leave it out for every edition)")
    return editions


def _count(entry: dict[str, Any], name: str) -> int | None:
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgumentError(f"{name}={value!r} is not a whole number >= 0")
    return value


def _archive(value: Any, base: Path) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError(f"archive={value!r} is not a path")
    archive = Path(value).expanduser()
    return archive if archive.is_absolute() else (base / archive).resolve()


def _replica(value: Any) -> str | None:
    from .offline import parse_replica_address

    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        parse_replica_address(value)
    except ValueError:
        raise ArgumentError(f"replica={value!r} is not a loopback HOST:PORT "
                            "(e.g. \"127.0.0.1:8123\")") from None
    return value


def _settings(value: Any) -> dict[str, str]:
    """Scrapy settings as `-s NAME=VALUE` strings (tables as JSON, arrays comma separated)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ArgumentError("settings must be a table of NAME = value")
    settings = {}
    for name, item in value.items():
        if not SETTING_NAME.fullmatch(name):
            raise ArgumentError(f"setting {name!r} is not a Scrapy setting name (UPPER_CASE)")
        if name in RESERVED_SETTINGS:
            raise ArgumentError(f"setting {name} comes from {RESERVED_SETTINGS[name]}")
        if isinstance(item, str | int | float):  # booleans as True / False
            settings[name] = str(item)
        elif isinstance(item, list) and all(isinstance(v, str | int | float) for v in item):
            settings[name] = ",".join(str(v) for v in item)
        elif isinstance(item, dict):
            settings[name] = json.dumps(item, default=str)
        else:
            raise ArgumentError(f"setting {name}={item!r} is not a string, number, boolean, "
                                "list or table")
    return settings


def _names(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)
