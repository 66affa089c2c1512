"""`crawl` and `demo`: run the real Scrapy engine into the archive."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from ..archive.lock import ArchiveLocked
from ..archive.store import Archive, NotAnArchive, resolve_db_path
from ..crawl import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CrawlResult,
    check_arguments,
    check_writable,
    run_crawl,
)
from ..discovery.arguments import ArgumentError
from ..offline import ReplicaAddressError, parse_replica_address, replica_problem
from ..portals import VIETNAM_VN, portal_for
from .app import DB_OPTION, main


@main.command()
@click.argument("spider", default="vietnam_vn")
@DB_OPTION
@click.option("--lang", help="Editions, comma separated (e.g. id,en) [default: all].")
@click.option("--since", help="First day of publication, YYYY-MM-DD [default: yesterday].")
@click.option("--until", help="Last day of publication, YYYY-MM-DD [default: today].")
@click.option("--max-articles", type=int, help="Fetch at most this many article pages.")
@click.option("--follow-related", type=int, default=0, show_default=True,
              help="Also follow the related-article lists, to this depth.")
@click.option("--follow-sources", is_flag=True,
              help="Also fetch the original each archived article credits on another news "
                   "site (its source_url), whatever its date, and archive it as an article "
                   "of its own portal, linked both ways (docs/following-sources.md).")
@click.option("--replica", metavar="HOST:PORT",
              help="Offline mode: route every portal host to a replica on loopback "
                   "(e.g. 127.0.0.1:8123).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting, as with `scrapy crawl -s` (repeatable).")
@click.option("--site", metavar="URL",
              help="Crawl any site with the generic `portal` spider (see "
                   "docs/adding-a-portal.md); without --since/--until, all it lists.")
@click.option("--timezone", metavar="ZONE",
              help="With --site, for a site not in the registry: its time zone [default: UTC].")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False), metavar="PATH",
              help="Run the jobs of a crawl plan (TOML, see docs/scheduling.md): one after "
                   "another, or different portals' side by side (`concurrent = true`), "
                   "instead of SPIDER and the options above.")
@click.option("--frontier", metavar="redis://HOST:PORT/DB",
              help="Be one worker of a distributed crawl sharing this Redis: no archive "
                   "here, `portal-crawler ingest` writes it (docs/distributed.md).")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Crawl with N worker processes and one writer on this machine (a private "
                   "redis-server unless --frontier is given).")
def crawl(spider: str, db: str | None, lang: str | None, since: str | None,
          until: str | None, max_articles: int | None, follow_related: int,
          follow_sources: bool, replica: str | None, overrides: tuple[str, ...],
          site: str | None, timezone: str | None, plan_path: str | None,
          frontier: str | None, workers: int | None) -> None:
    """Crawl a portal into the archive.

    Only articles published from --since to --until (the portal's local days) are archived,
    however they were found. Progress goes to stderr (a line on a terminal, else a plain line
    every 30 s); a summary with counts ends the run on stdout.

    Exit status: 0 ok, 1 failed, 2 bad arguments, 3 degraded, 130 interrupted (Ctrl-C: run
    the same command again to resume). With --plan: 0 when every job is ok, else the worst
    job's (1 failed or archive locked, 3 degraded); 2 for a bad plan; 130 interrupted.
    With --workers: the run's, as above. With --frontier alone (one worker): 0 when its part
    is done, 2 when the run in progress has other arguments, 130 interrupted, else 1.

    Example: portal-crawler crawl vietnam_vn --lang id,en --since 2023-09-01 --until 2023-09-30

    Example: portal-crawler crawl --plan plan.toml
    """
    if plan_path is not None:
        sys.exit(_crawl_plan(plan_path))
    arguments = {"lang": lang, "since": since, "until": until,
                 "max_articles": max_articles, "follow_related": follow_related or None,
                 "follow_sources": follow_sources or None}
    settings = {}
    for pair in overrides:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        settings[name.strip()] = value
    _check_log_level(settings.get("LOG_LEVEL"))
    if site is not None or timezone is not None:
        spider, arguments = _site_job(spider, site, timezone, arguments)
    if frontier is not None or workers is not None:
        from .distributed import crawl_distributed

        sys.exit(crawl_distributed(spider, db, replica, arguments, settings, frontier, workers))
    result = _crawl(spider, db, replica, arguments, {"PORTAL_CRAWLER_PROGRESS": "1",
                                                     **settings})
    click.echo(summary(result))
    sys.exit(result.exit_code)


def _check_log_level(level: str | None) -> None:
    """Scrapy hands LOG_LEVEL to logging, which raises on a name it does not know."""
    names = list(logging.getLevelNamesMapping())
    if level is not None and level not in names:
        raise click.BadParameter(f"LOG_LEVEL={level!r} is not a log level (one of "
                                 f"{', '.join(names)})", param_hint="--set")


def summary(result: CrawlResult) -> str:
    """The run in one line: outcome and what it did (the run record has the same counts)."""
    counts = result.counts
    archived = {k: counts[k] for k in ("new", "updated", "unchanged", "alias") if counts[k]}
    parts = [f"{sum(archived.values())} archived"
             + (f" ({', '.join(f'{n} {k}' for k, n in archived.items())})" if archived else ""),
             f"{counts['failed']} failed",
             f"{counts['out_of_window']} out of window",
             f"{result.stats.get('articles/pages_fetched', 0)} article pages fetched"]
    if counts["followed_source"] or counts["failed_source"]:
        parts.append(f"{counts['followed_source']} followed sources"
                     + (f" ({counts['failed_source']} not fetched)"
                        if counts["failed_source"] else ""))
    line = f"crawl {'interrupted' if result.interrupted else result.outcome}: " + \
        ", ".join(parts)
    if result.interrupted:
        line += "; run the same command again to resume (what is archived is kept)"
    elif result.outcome == "ok" and not archived and not counts["failed"]:
        line += "; " + nothing_archived(result.stats)
    return line


def nothing_archived(stats: dict[str, Any]) -> str:
    """Why an ok run archived nothing: a quiet window, or all of it archived already."""
    if stats.get("incremental/skipped") or stats.get("incremental/sitemaps_skipped"):
        return "nothing new since the last run"
    window = stats.get("crawl/window")
    return f"nothing published in the window {window}" if window else "nothing found"


def _site_job(spider: str, site: str | None, timezone: str | None,
              arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`--site URL`: the generic spider's job, its arguments checked before any engine."""
    from click.core import ParameterSource

    from ..spiders.portal import SiteArguments

    ctx = click.get_current_context()
    problem = None
    if site is None:
        problem = "--timezone goes with --site"
    elif ctx.get_parameter_source("spider") == ParameterSource.COMMANDLINE and spider != "portal":
        problem = f"--site crawls with the portal spider, not {spider}"
    elif arguments.get("follow_related"):
        problem = "--follow-related is not for --site"
    if problem is None:
        try:
            SiteArguments.parse(site, timezone=timezone, since=arguments["since"],
                                until=arguments["until"],
                                max_articles=arguments["max_articles"], lang=arguments["lang"],
                                follow_sources=arguments.get("follow_sources"))
        except ArgumentError as exc:
            problem = str(exc)
    if problem is not None:
        click.echo(f"portal-crawler: {problem}", err=True)
        sys.exit(EXIT_USAGE)
    site_arguments = {k: v for k, v in arguments.items() if k != "follow_related"}
    return "portal", {**site_arguments, "site": site, "timezone": timezone}


def _crawl_plan(plan_path: str) -> int:
    from click.core import ParameterSource

    from ..plan import PlanError, load_plan
    from ..plan_run import run_plan

    ctx = click.get_current_context()
    given = [f"--{name.replace('_', '-')}" if name != "spider" else "SPIDER"
             for name in ("spider", "db", "lang", "since", "until", "max_articles",
                          "follow_related", "follow_sources", "replica", "overrides", "site",
                          "timezone", "frontier", "workers")
             if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]
    if given:
        click.echo(f"portal-crawler: --plan takes no {', '.join(given)}: "
                   "the plan names its jobs' spiders, options and archives", err=True)
        return EXIT_USAGE
    try:
        plan = load_plan(plan_path)
    except PlanError as exc:
        for problem in exc.problems:
            click.echo(f"portal-crawler: {problem}", err=True)
        return EXIT_USAGE
    try:
        return run_plan(plan, echo=click.echo, summarize=counts_line)
    except KeyboardInterrupt:  # the running job got the same Ctrl-C and recorded its run
        click.echo(f"plan {plan_path}: interrupted; run the same command again to resume "
                   "(what is archived is kept)")
        return EXIT_INTERRUPTED


def _crawl(spider: str, db: str | Path | None, replica: str | None,
           arguments: dict[str, Any], settings: dict[str, Any] | None = None) -> CrawlResult:
    """Check everything a user can get wrong before the engine starts: one line each, exit 2
    for a bad argument, 1 for what is wrong at run time (archive locked, no replica)."""
    try:
        check_arguments(spider, **arguments)
        if replica is not None:
            parse_replica_address(replica)
    except (ArgumentError, ReplicaAddressError) as exc:
        click.echo(f"portal-crawler: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        check_writable(db)
    except (ArchiveLocked, NotAnArchive) as exc:
        click.echo(f"portal-crawler: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # read-only media, a folder that is not there, no permission
        where = exc.filename or resolve_db_path(db)
        click.echo(f"portal-crawler: cannot write the archive {where}: "
                   f"{exc.strerror or exc}", err=True)
        sys.exit(1)
    problem = replica_problem(replica)
    if problem is not None:
        click.echo(f"portal-crawler: {problem[1]}", err=True)
        sys.exit(problem[0])
    return run_crawl(spider, db, replica=replica, settings=settings, **arguments)


@main.command()
@DB_OPTION
def demo(db: str | None) -> None:
    """Serve the offline replicas (www.vietnam.vn and the other portals' on 127.0.0.1) and
    crawl them side by side into one archive, as a concurrent crawl plan.

    Example: portal-crawler demo --db /tmp/demo.db
    """
    from ..demo import demo_plan
    from ..plan_run import run_plan
    from ..replica.generate import build_all
    from ..replica.server import ReplicaServer

    db_path = resolve_db_path(db)
    try:
        check_writable(db_path)
    except (ArchiveLocked, NotAnArchive) as exc:
        click.echo(f"portal-crawler: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"portal-crawler: cannot write the archive {exc.filename or db_path}: "
                   f"{exc.strerror or exc}", err=True)
        sys.exit(1)
    site = build_all()
    with ReplicaServer(site) as server:
        plan = demo_plan(vietnam_vn_days(site), {host for host, _ in site},
                         f"127.0.0.1:{server.port}", db_path)
        served = sorted({p.name for host, _ in site if (p := portal_for(host)) is not None})
        click.echo(f"replicas of {', '.join(served)} serving on {server.base_url}; "
                   f"crawling {', '.join(job.portal for job in plan.jobs)}")
        code = run_plan(plan, echo=click.echo, summarize=counts_line)
    click.echo(f"archive {db_path}")
    print_summary(db_path)
    sys.exit(code)


def vietnam_vn_days(site: Any) -> list[Any]:
    """The days of the vietnam.vn replica's daily sitemaps (not the other portals')."""
    from ..replica.generate import SiteMap

    return SiteMap({k: v for k, v in site.items() if k[0] in VIETNAM_VN.hosts}).days()


def counts_line(result: CrawlResult) -> str:
    """summary() without its `crawl <outcome>: ` head (the job's line says the outcome)."""
    return summary(result).split(": ", 1)[1]


def print_summary(db_path: Path) -> None:
    """The archive's totals, then per portal its articles (one line each)."""
    try:
        archive = Archive.open_reader(db_path)
    except (NotAnArchive, ArchiveLocked) as exc:
        raise click.ClickException(str(exc)) from None
    with archive:
        rows = list(archive.db.query(
            "select id, portal, language, date_published, source, headline from articles "
            "order by portal, published_utc, language"))
        counts = {t: archive.count(t) for t in ("articles", "images", "links", "pages",
                                                 "failures")}
    click.echo(", ".join(f"{n} {t}" for t, n in counts.items()))
    portals: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        portals.setdefault(row["portal"], []).append(row)
    for portal, articles in portals.items():
        languages = Counter(row["language"] for row in articles)
        click.echo(f"{portal}: {len(articles)} articles ("
                   f"{', '.join(f'{lang} {n}' for lang, n in languages.most_common())})")
        for row in articles:
            click.echo(f"{row['id']}  {row['language']:<5} {row['date_published'] or '-':<25} "
                       f"{(row['source'] or '-')[:16]:<16}  {row['headline'][:70]}")
