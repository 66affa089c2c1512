"""`ingest`, and `crawl --frontier` / `crawl --workers N`: one crawl over several processes or
machines (docs/distributed.md)."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import redis

from ..archive.lock import ArchiveLocked
from ..archive.store import Archive, NotAnArchive, resolve_db_path
from ..crawl import EXIT_INTERRUPTED, EXIT_USAGE, CrawlResult, check_arguments, run_crawl
from ..discovery.arguments import ArgumentError
from ..distributed.run import (
    KEY_ROOT,
    FrontierError,
    RunKeys,
    connect,
    identity,
    run_identity,
)
from ..distributed.scheduler import FRONTIER
from ..offline import ReplicaAddressError, parse_replica_address, replica_problem
from .app import DB_OPTION, main


def _fail(message: str, code: int) -> int:
    click.echo(f"portal-crawler: {message}", err=True)
    return code


class Stop:
    """SIGINT / SIGTERM: finish the batch in hand, commit, exit 130."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def install(self) -> None:
        def handler(signum: int, frame: Any) -> None:
            self.requested = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def reach(frontier: str) -> redis.Redis:
    """A client that answered PING; FrontierError (2) or ConnectionError (1) otherwise (at
    once: the retries that ride out a Redis restart are for a run under way)."""
    connect(frontier, retries=0).ping()
    return connect(frontier)


def _reach_or_fail(frontier: str) -> redis.Redis | int:
    """`reach()`, or the exit code after its one line: 2 for a bad address, 1 for no answer."""
    try:
        return reach(frontier)
    except FrontierError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except redis.ConnectionError as exc:
        return _fail(f"cannot reach the frontier {frontier}: {exc}", 1)


def find_run(client: redis.Redis, job: str | None, stop: Callable[[], bool]) -> RunKeys | None:
    """The run to ingest: --job's, else the only one at the frontier (waiting for a worker to
    start one); None when stopped first. ValueError when several runs are in progress."""
    while not stop():
        if job is not None:
            return RunKeys(job)
        jobs = sorted(key.decode()[len(KEY_ROOT) + 1:-len(":meta")]
                      for key in client.scan_iter(match=f"{KEY_ROOT}:*:meta"))
        if len(jobs) > 1:
            raise ValueError("several runs at this frontier, name one with --job: "
                             + "; ".join(jobs))
        if jobs:
            return RunKeys(jobs[0])
        time.sleep(0.2)
    return None


def ingest_into(db: str | Path | None, frontier: str, job: str | None, batch_size: int,
                stop: Callable[[], bool], done: Callable[[CrawlResult], None] | None = None,
                end_on_stop: bool = False) -> int:
    """The writer's loop; `end_on_stop`: a stop ends the run as interrupted (a private Redis
    is about to go, nobody can resume this run)."""
    from ..distributed.writer import Writer

    client = _reach_or_fail(frontier)
    if isinstance(client, int):
        return client
    try:
        archive = Archive.open_writer(resolve_db_path(db), purpose="portal-crawler ingest")
    except (ArchiveLocked, NotAnArchive) as exc:
        return _fail(str(exc), 1)
    except OSError as exc:
        return _fail(f"cannot write the archive {exc.filename or db}: {exc.strerror or exc}", 1)
    with archive:
        try:
            keys = find_run(client, job, stop)
        except ValueError as exc:
            return _fail(str(exc), EXIT_USAGE)
        if keys is None:
            return EXIT_INTERRUPTED
        writer = Writer(client, keys, archive, batch_size=batch_size)
        code = writer.run(stop)
        if code == EXIT_INTERRUPTED and end_on_stop and writer.run_id is not None:
            code = writer.finish(interrupted=True)
        if done is not None and writer.result is not None:
            done(writer.result)
        return code


@main.command()
@DB_OPTION
@click.option("--frontier", required=True, metavar="redis://HOST:PORT/DB",
              help="The Redis of the run's workers.")
@click.option("--job", help="The run's job name, when several runs share the frontier.")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Records per archive transaction.")
def ingest(db: str | None, frontier: str, job: str | None, batch_size: int) -> None:
    """Write a distributed crawl into the archive: the run's one writer.

    Workers (`portal-crawler crawl ... --frontier URL`, on any machine) push articles, raw
    pages and failures to the run's Redis Stream; this reads them, commits, then acknowledges
    them. Start it before, with or after the workers; restart it after a crash (what it had
    not committed is read again). It records the run once, with the workers' stats merged,
    when the crawl is done and the stream drained.

    Exit status: the run's (0 ok, 1 failed, 3 degraded); 1 archive locked or frontier
    unreachable; 2 bad arguments; 130 interrupted (what it read is committed: run it again).

    Example: portal-crawler ingest --frontier redis://127.0.0.1:6379/0 --db data/archive.db
    """
    stop = Stop()
    stop.install()
    sys.exit(ingest_into(db, frontier, job, batch_size, stop))


def crawl_distributed(spider: str, db: str | None, replica: str | None,
                      arguments: dict[str, Any], settings: dict[str, Any],
                      frontier: str | None, workers: int | None) -> int:
    """`crawl --frontier` (this process is one worker) or `crawl --workers N`."""
    from click.core import ParameterSource

    from .crawling import summary

    try:
        check_arguments(spider, **arguments)
        if replica is not None:
            parse_replica_address(replica)
    except (ArgumentError, ReplicaAddressError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    problem = replica_problem(replica)
    if problem is not None:
        return _fail(problem[1], problem[0])
    if workers is None:
        db_source = click.get_current_context().get_parameter_source("db")
        if db_source == ParameterSource.COMMANDLINE:
            return _fail("a worker never opens the archive: give --db to "
                         "`portal-crawler ingest`", EXIT_USAGE)
        assert frontier is not None
        client = _reach_or_fail(frontier)
        if isinstance(client, int):
            return client
        from ..crawl_runs import job_name

        keys = RunKeys(settings.get("PORTAL_CRAWLER_JOB") or job_name(spider, arguments))
        theirs = run_identity(client, keys)
        ours = identity(spider, arguments, settings.get("PORTAL_CRAWLER_NOW"))
        if theirs is not None and theirs != ours:
            return _fail(f"the run of job {keys.job!r} in progress at {frontier} has "
                         f"{theirs['arguments']} for {theirs['window']}; this worker has "
                         f"{ours['arguments']} for {ours['window']}", EXIT_USAGE)
        result = run_crawl(spider, None, replica=replica,
                           settings={**settings, FRONTIER: frontier}, **arguments)
        if result.finish_reason == "run_mismatch":
            return EXIT_USAGE
        if result.interrupted:
            return EXIT_INTERRUPTED
        return 0 if result.finish_reason == "finished" else 1
    return _crawl_workers(spider, db, replica, arguments, settings, frontier, workers,
                          summary)


def _crawl_workers(spider: str, db: str | None, replica: str | None,
                   arguments: dict[str, Any], settings: dict[str, Any],
                   frontier: str | None, workers: int, summary: Callable[..., str]) -> int:
    from ..crawl import check_writable
    from ..distributed.launcher import Workers, worker_command
    from ..distributed.server import NoRedisServer

    try:
        check_writable(db)
    except (ArchiveLocked, NotAnArchive) as exc:
        return _fail(str(exc), 1)
    except OSError as exc:
        return _fail(f"cannot write the archive {exc.filename or resolve_db_path(db)}: "
                     f"{exc.strerror or exc}", 1)
    pool = Workers(workers, frontier)
    try:
        url = pool.start_frontier()
    except NoRedisServer as exc:
        return _fail(str(exc), 1)
    stop = Stop()
    stop.install()
    code = EXIT_INTERRUPTED
    recorded: list[CrawlResult] = []

    def done(result: CrawlResult) -> None:
        recorded.append(result)
        click.echo(summary(result))

    try:
        pool.start(worker_command(spider, arguments, url, replica, settings))
        code = ingest_into(db, url, None, 200, lambda: stop() or (
            not pool.alive() and _no_run(url)), done=done, end_on_stop=frontier is None)
    finally:
        # A writer that stopped before the run's end (Ctrl-C, an error) stops the workers.
        pool.stop(interrupted=not recorded or recorded[0].interrupted)
    return code


def _no_run(frontier: str) -> bool:
    """Every worker exited and none started a run (they all failed at start)."""
    client = connect(frontier)
    return not list(client.scan_iter(match=f"{KEY_ROOT}:*:meta"))
