"""Running a crawl plan (plan.py reads and checks it; docs/scheduling.md).

By default each job runs as its own `python -m portal_crawler crawl ...` process (a Twisted
reactor starts once per process) with `-s PORTAL_CRAWLER_JOB=<name>`, one after another. A
concurrent plan runs every job in this process instead (crawl.run_crawls): one lane per
portal, lanes side by side, each archive locked once and shared (writers.py). Either way the
plan's exit code is the worst of its jobs': 1 failed (or archive locked by another run) over
3 degraded over 0 ok; 130 when interrupted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from . import writers
from .archive.lock import ArchiveLocked
from .archive.ownership import NotAnArchive
from .archive.schema import SchemaTooNew
from .crawl import EXIT_CODES, EXIT_INTERRUPTED, EXIT_USAGE, CrawlResult, check_writable
from .offline import replica_problem
from .plan import Job, Plan

# Worse outcomes rank higher; the plan exits with the worst job's code.
SEVERITY = {EXIT_CODES["ok"]: 0, EXIT_CODES["degraded"]: 1, EXIT_CODES["failed"]: 2}


@dataclass(frozen=True)
class JobResult:
    job: Job
    code: int
    outcome: str
    seconds: float
    crawl: CrawlResult | None = None  # a job run in this process (concurrent plan)


def run_plan(plan: Plan, echo: Callable[[str], None] = print,
             summarize: Callable[[CrawlResult], str] | None = None) -> int:
    """Run every job (one after another, each in its own process; or, for a concurrent plan,
    side by side in this one), one line per job; the worst code, 130 when interrupted."""
    def report(result: JobResult) -> None:
        echo(f"job {result.job.name}: {result.outcome} ({result.job.describe()}, "
             f"{result.seconds:.0f} s)")
        if result.crawl is not None and summarize is not None:
            echo(f"  {summarize(result.crawl)}")

    if plan.concurrent:
        results = run_concurrently(plan, report)
    else:
        results = []
        for job in plan.jobs:
            results.append(run_job(job, plan.replica))
            report(results[-1])
    code = max((r.code for r in results), key=SEVERITY.__getitem__, default=0)
    failed = [r.job.name for r in results if r.code != 0]
    summary = "ok" if not failed else f"{len(failed)} of {len(results)} not ok: " + \
        ", ".join(failed)
    echo(f"plan {plan.path}: {summary}")
    if any(r.crawl is not None and r.crawl.interrupted for r in results):
        echo(f"plan {plan.path}: interrupted; run the same command again to resume "
             "(what is archived is kept)")
        return EXIT_INTERRUPTED
    return code


def run_concurrently(plan: Plan, report: Callable[[JobResult], None]) -> list[JobResult]:
    """Every job in this process (crawl.run_crawls): one lane per portal, so a portal's jobs
    run one after another in its one download slot while other portals' run beside them;
    each archive's writer lock taken once, before the first job, and shared by its jobs."""
    from .crawl import CrawlJob, run_crawls

    results: dict[str, JobResult] = {}

    def judged(job: Job, code: int, outcome: str, seconds: float = 0.0,
               crawl: CrawlResult | None = None) -> None:
        results[job.name] = JobResult(job, code, outcome, seconds, crawl)
        report(results[job.name])

    with ExitStack() as held:
        refused = {}
        for archive in dict.fromkeys(job.archive for job in plan.jobs):
            try:
                held.enter_context(writers.holding(archive, f"portal-crawler crawl --plan "
                                                            f"{plan.path}"))
            except ArchiveLocked as exc:
                refused[archive] = f"locked: {exc}"
            except (NotAnArchive, SchemaTooNew) as exc:
                refused[archive] = f"refused: {exc}"
            except OSError as exc:
                refused[archive] = (f"refused: cannot write the archive {archive}: "
                                    f"{exc.strerror or exc}")
        problem = replica_problem(plan.replica)
        for job in plan.jobs:
            if job.archive in refused or problem is not None:
                judged(job, EXIT_CODES["failed"], refused.get(job.archive) or
                       f"failed: {problem[1] if problem else ''}")
        by_name = {job.name: job for job in plan.jobs if job.name not in results}

        def finished(crawl_job: CrawlJob, result: CrawlResult, seconds: float) -> None:
            outcome = "interrupted (run the plan again to resume)" if result.interrupted \
                else result.outcome
            code = EXIT_CODES["failed"] if result.interrupted else result.exit_code
            judged(by_name[crawl_job.name], code, outcome, seconds, result)

        if by_name:
            run_crawls([CrawlJob(name=job.name, spider=job.spider, db=job.archive,
                                 lane=job.portal, arguments=job.arguments(),
                                 settings={**job.settings, "PORTAL_CRAWLER_JOB": job.name})
                        for job in by_name.values()], replica=plan.replica,
                       settings=plan.settings, finished=finished)
    for job in plan.jobs:  # a lane that Ctrl-C stopped before its turn
        if job.name not in results:
            judged(job, EXIT_CODES["failed"], "not run (interrupted)")
    return [results[job.name] for job in plan.jobs]


def run_job(job: Job, replica: str | None = None) -> JobResult:
    started = time.monotonic()
    try:
        # The child would refuse too; checking here names the holder in the job's line.
        check_writable(job.archive)
    except (ArchiveLocked, NotAnArchive) as exc:
        kind = "locked" if isinstance(exc, ArchiveLocked) else "refused"
        return JobResult(job, EXIT_CODES["failed"], f"{kind}: {exc}",
                         time.monotonic() - started)
    sys.stdout.flush()
    sys.stderr.flush()
    process = subprocess.Popen(job.command(replica))
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        process.wait()  # the crawl got the same Ctrl-C and closes its run cleanly
        raise
    return JobResult(job, *_judge(returncode), time.monotonic() - started)


def _judge(returncode: int) -> tuple[int, str]:
    """The job's exit code as (plan code, outcome)."""
    outcomes = {code: outcome for outcome, code in EXIT_CODES.items()}
    if returncode in outcomes:
        return returncode, outcomes[returncode]
    if returncode == EXIT_INTERRUPTED:
        return EXIT_CODES["failed"], "interrupted (run the plan again to resume)"
    if returncode == EXIT_USAGE:
        return EXIT_CODES["failed"], "failed (the crawl refused its arguments)"
    if returncode < 0:
        return EXIT_CODES["failed"], f"failed (killed by signal {-returncode})"
    return EXIT_CODES["failed"], f"failed (exit {returncode})"
