"""One crawl plan over several portals, run concurrently in one process: real `portal-crawler
crawl --plan` processes over real HTTP on 127.0.0.1 into real SQLite files.

Two small sites stand for two portals (tests/local_sites.py): one found through feeds at
127.0.0.1, one through sitemaps at `localhost`, both served by one replica server that
routes by Host header. Oracles: each site's own list of its articles, the server's request
log (arrival times: lower bounds on the gap between two requests to one portal, overlap in
time between the two portals), SQLite's own integrity check, and the lock file's `flock`.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import local_sites
import pytest
from conftest import ROOT

from portal_crawler import writers
from portal_crawler.archive.lock import ArchiveLocked, WriterLock
from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer

# Per-portal politeness of the plan below: each portal's own delay between two requests.
DELAY = {"127.0.0.1": 0.3, "localhost": 0.15}
# What a gap may fall short of the delay: a slot's first request also connects (and, on a
# loaded machine, the sockets' own scheduling), the next ones reuse the connection.
SLACK = 0.05


def rows(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def rekeyed(local: local_sites.LocalSite, host: str) -> SiteMap:
    """The site's pages under another Host name (the sites module keys them by 127.0.0.1)."""
    return SiteMap({(host, path): resource for (_, path), resource in local.site.items()})


@pytest.fixture(scope="module")
def two_sites():
    """(server, {host: LocalSite}): a feeds site at 127.0.0.1, a sitemaps site at localhost."""
    site = SiteMap()
    with ReplicaServer(site) as server:
        feeds = local_sites.feeds_site(f"http://127.0.0.1:{server.port}")
        sitemaps = local_sites.sitemaps_site(f"http://localhost:{server.port}")
        site.update(feeds.site)
        site.update(rekeyed(sitemaps, "localhost"))
        yield server, {"127.0.0.1": feeds, "localhost": sitemaps}


def plan_text(port: int, *extra_jobs: str, delay_scale: float = 1.0,
              feeds_archive: str = "shared.db", settings: str = "") -> str:
    a, b = (DELAY[h] * delay_scale for h in ("127.0.0.1", "localhost"))
    return f"""
archive = "shared.db"
concurrent = true

[settings]
LOG_LEVEL = "WARNING"
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY_JITTER = 0
{settings}
[[job]]
name = "feeds"
site = "http://127.0.0.1:{port}/"
settings = {{ DOWNLOAD_DELAY = {a} }}
archive = "{feeds_archive}"

[[job]]
name = "sitemaps"
site = "http://localhost:{port}/"
settings = {{ DOWNLOAD_DELAY = {b} }}
""" + "".join(extra_jobs)


def run_plan(path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "portal_crawler", "crawl", "--plan", str(path)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_two_portals_run_concurrently_one_slot_each_one_writer(two_sites, tmp_path):
    server, sites = two_sites
    again = f"""
[[job]]
name = "feeds again"
site = "http://127.0.0.1:{server.port}/"
settings = {{ DOWNLOAD_DELAY = {DELAY["127.0.0.1"]} }}
"""
    plan = tmp_path / "plan.toml"
    plan.write_text(plan_text(server.port, again), encoding="utf-8")
    before = len(server.timed_requests)
    result = run_plan(plan)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    log = server.timed_requests[before:]

    # Every article of each portal, and nothing else, in the one archive.
    db = tmp_path / "shared.db"
    for host, local in sites.items():
        base = f"http://{host}:{server.port}"
        archived = {r["url"].removeprefix(base) for r in rows(
            db, "select url from articles where url like ?", base + "%")}
        assert archived == set(local.articles), host
    assert len(rows(db, "select id from articles")) == sum(len(s.articles)
                                                           for s in sites.values())
    # One run row per job, each its own outcome; the portal's second job after its first.
    runs = {r["job"]: r for r in rows(db, "select * from crawl_runs")}
    assert set(runs) == {"feeds", "sitemaps", "feeds again"}
    assert {r["outcome"] for r in runs.values()} == {"ok"}
    assert runs["feeds again"]["started_at"] >= runs["feeds"]["finished_at"]
    lines = result.stdout.splitlines()
    assert sorted(line.split(":")[0] for line in lines if line.startswith("job ")) == [
        "job feeds", "job feeds again", "job sitemaps"]
    assert lines[-1] == f"plan {plan}: ok"

    # One download slot per portal, with its own delay: a lower bound on every gap between
    # two requests to the same portal (up to SLACK under the delay), and the two portals
    # fetched at the same time.
    times = {host: [t for t, _, h, _ in log if h == host] for host in sites}
    for host, arrivals in times.items():
        gaps = [b - a for a, b in pairwise(arrivals)]
        assert len(gaps) >= 5, host
        assert min(gaps) >= DELAY[host] - SLACK, (host, min(gaps))
    first_a, last_a = times["127.0.0.1"][0], times["127.0.0.1"][-1]
    first_b, last_b = times["localhost"][0], times["localhost"][-1]
    overlap = min(last_a, last_b) - max(first_a, first_b)
    assert overlap > 0.3, (first_a, last_a, first_b, last_b)
    # Side by side, the plan took less than its portals' crawls one after the other.
    assert max(last_a, last_b) - min(first_a, first_b) < (last_a - first_a) + (last_b - first_b)
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_a_bad_concurrent_plan_is_refused_one_line_per_problem(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text("""
concurrent = true
archive = "a.db"
[[job]]
name = "a"
site = "http://127.0.0.1:9/"
settings = { LOG_FILE = "a.log" }
[[job]]
name = "b"
spider = "vietnam_vn"
site = "https://www.vietnam.vn/"
""", encoding="utf-8")
    result = run_plan(plan)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"portal-crawler: {plan}: job 'a': setting LOG_FILE is the whole process's in a "
        "concurrent plan: set it in the plan's [settings]",
        f"portal-crawler: {plan}: job 'b': site goes with the portal spider, not vietnam_vn"]
    assert result.stdout == "" and not (tmp_path / "a.db").exists()


def test_a_site_job_in_a_plan_run_one_job_at_a_time(two_sites, tmp_path):
    """Without `concurrent`, a site job is its own `crawl portal --site URL` process."""
    server, sites = two_sites
    plan = tmp_path / "plan.toml"
    plan.write_text(f"""
archive = "site.db"
[settings]
LOG_LEVEL = "WARNING"
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
[[job]]
name = "sitemaps"
site = "http://localhost:{server.port}/"
timezone = "Asia/Ho_Chi_Minh"
""", encoding="utf-8")
    result = run_plan(plan)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert f"job sitemaps: ok (portal http://localhost:{server.port}/ all editions all " \
           f"dates -> {tmp_path / 'site.db'}" in result.stdout
    base = f"http://localhost:{server.port}"
    assert {r["url"].removeprefix(base) for r in rows(
        tmp_path / "site.db", "select url from articles")} == set(sites["localhost"].articles)
    (run,) = rows(tmp_path / "site.db", "select job, arguments from crawl_runs")
    assert run["job"] == "sitemaps" and '"timezone": "Asia/Ho_Chi_Minh"' in run["arguments"]


def test_one_writer_per_archive_in_a_process(tmp_path):
    """Two users of one archive in one process share its writer; the lock is taken once and
    held until the last lets go (another lock on the file is refused meanwhile)."""
    db = tmp_path / "a.db"
    first = writers.acquire(db, "one")
    second = writers.acquire(tmp_path / "." / "a.db", "two")
    assert second is first and writers.users(db) == 2
    with pytest.raises(ArchiveLocked):
        WriterLock(db).acquire("another")
    writers.release(first)
    with pytest.raises(ArchiveLocked):
        WriterLock(db).acquire("another")
    writers.release(second)
    assert writers.users(db) == 0
    other = WriterLock(db)
    other.acquire("another")  # free again
    other.release()


def test_a_locked_archive_fails_its_jobs_only(two_sites, tmp_path):
    server, _ = two_sites
    plan = tmp_path / "plan.toml"
    plan.write_text(plan_text(server.port, delay_scale=0, feeds_archive="held.db"),
                    encoding="utf-8")
    holder = WriterLock(tmp_path / "held.db")
    holder.acquire("another researcher's crawl")
    try:
        result = run_plan(plan)
    finally:
        holder.release()
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert (f"job feeds: locked: archive {tmp_path / 'held.db'} is being written by pid "
            f"{os.getpid()} (another researcher's crawl)") in result.stdout
    assert "job sitemaps: ok" in result.stdout
    assert f"plan {plan}: 1 of 2 not ok: feeds" in result.stdout
    assert [r["job"] for r in rows(tmp_path / "shared.db", "select job from crawl_runs")] == [
        "sitemaps"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_interrupted_or_killed_plan_leaves_the_archive_consistent(two_sites, tmp_path, sig):
    """Ctrl-C: every running job stops cleanly, its run recorded `interrupted`, exit 130.
    Killed: the archive is intact and the next writer marks the runs `killed`."""
    server, _ = two_sites
    plan = tmp_path / "plan.toml"
    # Few requests in flight: a graceful stop lets them finish first.
    plan.write_text(plan_text(server.port, delay_scale=2, settings="CONCURRENT_REQUESTS = 2"),
                    encoding="utf-8")
    db = tmp_path / "shared.db"
    before = len(server.requests)
    process = subprocess.Popen([sys.executable, "-m", "portal_crawler", "crawl", "--plan",
                                str(plan)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    # Both portals are fetching articles: the crawls are mid-way.
    while time.monotonic() < deadline and {
            h for _, h, path in server.requests[before:] if path.startswith("/2024/")} < {
            "127.0.0.1", "localhost"}:
        time.sleep(0.05)
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=60)
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    runs = rows(db, "select job, outcome, finish_reason from crawl_runs order by job")
    if sig == signal.SIGINT:
        assert process.returncode == 130, stdout + stderr[-3000:]
        assert [(r["job"], r["outcome"], r["finish_reason"]) for r in runs] == [
            ("feeds", "interrupted", "shutdown"), ("sitemaps", "interrupted", "shutdown")]
        assert "interrupted; run the same command again to resume" in stdout
        assert "Traceback" not in stderr
    else:
        assert process.returncode == -signal.SIGKILL
        assert {r["outcome"] for r in runs} == {"running"}
        writers.release(writers.acquire(db, "the next crawl"))
        assert {r["outcome"] for r in rows(db, "select outcome from crawl_runs")} == {"killed"}


PACED = """
import json, sys
from pathlib import Path
from portal_crawler.crawl import CrawlJob, run_crawls
site, folder = sys.argv[1], Path(sys.argv[2])
fast = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0, "DOWNLOAD_DELAY": 0.2}
jobs = [CrawlJob(name=n, spider="portal", db=folder / f"{n}.db", lane=n,
                 arguments={"site": site}, settings={**fast, "PORTAL_CRAWLER_JOB": n})
        for n in ("one", "two")]
results = run_crawls(jobs, settings={"LOG_LEVEL": "WARNING"})
print(json.dumps({n: r.outcome for n, r in results.items()}))
"""


def test_two_crawlers_of_one_portal_in_a_process_keep_its_delay(two_sites, tmp_path):
    """Two crawls of one site side by side in one process (as a job following its sources
    beside a job of a source's portal would be): each has its own downloader, yet the portal
    gets the delay between any two of the process's requests to it."""
    server, sites = two_sites
    before = len(server.timed_requests)
    result = subprocess.run([sys.executable, "-c", PACED, f"http://127.0.0.1:{server.port}/",
                             str(tmp_path)], capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == '{"one": "ok", "two": "ok"}'
    arrivals = [t for t, _, host, _ in server.timed_requests[before:] if host == "127.0.0.1"]
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert min(gaps) >= 0.2 - SLACK, min(gaps)
    # Both crawls fetched everything, at the same time: their runs overlap.
    runs = [rows(tmp_path / f"{n}.db", "select started_at, finished_at from crawl_runs")[0]
            for n in ("one", "two")]
    assert max(r["started_at"] for r in runs) < min(r["finished_at"] for r in runs)
    for name in ("one", "two"):
        assert len(rows(tmp_path / f"{name}.db", "select id from articles")) == len(
            sites["127.0.0.1"].articles)
