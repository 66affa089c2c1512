"""Faults from the network, one kind at a time and drawn from a seed: every article ends archived
correctly or in `failures` with its reason, nothing crashes, nothing is archived twice, the file
stays sound, and a second crawl without faults archives the rest (docs/reliability.md).

Real engine in a subprocess, real HTTP on loopback, real SQLite. Article URLs come from the
golden pages, so the table spreads over however many article pages the replica has.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import CRAWL_CLOCK, cli
from test_crawl_e2e import expected_articles, rows

from portal_crawler.replica import faults as F
from portal_crawler.replica.faults import Fault, FaultPlan, Limits
from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer

TIMEOUT = 2.0  # DOWNLOAD_TIMEOUT of fault crawls: slow answers take 1 s more
MAXSIZE = 256 * 1024  # DOWNLOAD_MAXSIZE of fault crawls: replica pages are far smaller
LIMITS = Limits(download_timeout=TIMEOUT, download_maxsize=MAXSIZE)
FAULT_SETTINGS = (
    "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT:g}", "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}",
    "-s", "DOWNLOAD_WARNSIZE=0", "-s", "RETRY_TIMES=1", "-s", "REDIRECT_MAX_TIMES=5",
    # A few failed articles must not fail the run: an ok run saves sitemap marks, which is
    # what the second crawl has to see through.
    "-s", "PORTAL_CRAWLER_MAX_FAILED_SHARE=1.0",
)
# "Archived correctly": these fields as a crawl without faults archives them (the session's
# `crawled_archive`), and url/canonical_url/language as the golden JSON says. What the parser
# gets right is the golden tests' business; here a fault must change nothing.
COMPARED = ("url", "canonical_url", "language", "headline", "lead", "source", "source_url",
            "date_published", "date_modified", "authors", "section", "breadcrumbs", "tags",
            "body", "translations", "content_hash")
IDENTITY = ("url", "canonical_url", "language")
_CLEAN: dict[str, dict] = {}


@pytest.fixture(autouse=True, scope="session")
def _clean_crawl(crawled_archive):
    """Every test of these modules compares with the session's clean crawl."""
    _CLEAN.update(archived(crawled_archive))


def article_paths() -> dict[str, dict]:
    """path -> expected Article (golden JSON) of every replica article page."""
    return {urlsplit(page["url"]).path: page for page in expected_articles().values()}


@dataclass(frozen=True)
class Case:
    kind: str
    fault: Callable[[str, SiteMap], Fault]
    # "archived", or a regex the failure's reason must match.
    expect: str


CASES = [
    Case("burst_500", lambda p, s: F.burst(500, times=1), "archived"),
    Case("burst_503", lambda p, s: F.burst(503, times=5), r"^503 HttpError: Ignoring non-200"),
    Case("retry_after", lambda p, s: F.retry_after(1, times=1), "archived"),
    Case("slow", lambda p, s: F.slow(TIMEOUT + 1),
         r"DownloadTimeoutError: Getting .* took longer than 2.0 seconds"),
    Case("reset", lambda p, s: F.connection_reset(times=1), "archived"),
    Case("reset_always", lambda p, s: F.connection_reset(),
         r"ResponseNeverReceived|ConnectionLost|ConnectionDone"),
    Case("truncated", lambda p, s: F.truncated(), r"ResponseDataLossError"),
    Case("charset_cp1258", lambda p, s: F.charset_cp1258(), "archived"),
    Case("latin1_as_utf8", lambda p, s: F.latin1_labelled_utf8(), "archived"),
    Case("no_charset", lambda p, s: F.no_charset(), "archived"),
    Case("gzip", lambda p, s: F.gzipped(), "archived"),
    Case("broken_gzip", lambda p, s: F.broken_gzip(), r"BrokenBody: broken gzip body"),
    Case("oversize", lambda p, s: F.oversize(MAXSIZE),
         r"DownloadCancelledError: .*larger than download max size"),
    Case("redirect_loop", lambda p, s: F.redirect_loop(p), r"max redirections reached"),
    Case("offsite_redirect", lambda p, s: F.offsite_redirect(),
         r"OffsiteRedirect: redirect to a host outside the portal"),
    Case("non_html_png", lambda p, s: F.non_html(), r"not an HTML page \(image/png\)"),
    Case("non_html_json", lambda p, s: F.non_html("application/json", b'{"error": "gone"}'),
         r"not an HTML page \(application/json\)"),
    Case("empty_200", lambda p, s: F.empty_200(), r"no headline and no body"),
    Case("soft_404", lambda p, s: F.soft_404(s.not_found), r"soft 404: the page says '404'"),
    Case("malformed", lambda p, s: F.malformed(), "archived"),
    Case("deeply_nested", lambda p, s: F.deeply_nested(2000), "archived"),
]


def _groups() -> list[list[Case]]:
    """The cases in crawls of as many as there are article pages (one fault per article)."""
    size = max(1, len(article_paths()))
    return [CASES[i:i + size] for i in range(0, len(CASES), size)]


def crawl(site: SiteMap, db: Path, window: list[str], plan: FaultPlan | None = None,
          *extra: str) -> tuple[int, str, ReplicaServer]:
    """One crawl through the CLI; returns (exit code, log, the server with its request log)."""
    with ReplicaServer(site, faults=plan or FaultPlan()) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(db), *window, *FAULT_SETTINGS, *extra,
                     env={"PORTAL_CRAWLER_NOW": CRAWL_CLOCK})  # the clean crawl's clock
    log = result.stdout + result.stderr
    assert "Traceback" not in log, log[-4000:]
    assert "Unhandled error" not in log, log[-4000:]
    return result.returncode, log, server


def assert_sound(db: Path) -> None:
    """integrity_check ok, one row per article id and per canonical URL."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        for column in ("id", "canonical_url"):
            dupes = conn.execute(f"select {column} from articles group by {column} "
                                 "having count(*) > 1").fetchall()
            assert dupes == [], column


def archived(db: Path) -> dict[str, dict]:
    """path -> archived article row (lists as Python values)."""
    found = {}
    for row in rows(db, "select * from articles"):
        for name in ("authors", "tags", "translations"):
            row[name] = json.loads(row[name])
        found[urlsplit(row["url"]).path] = row
    return found


def assert_correct(row: dict, expected: dict) -> None:
    """Archived as the golden page's identity says, and as a clean crawl archives it."""
    for name in IDENTITY:
        assert row[name] == expected[name], (expected["url"], name)
    clean = _CLEAN[urlsplit(expected["url"]).path]
    for name in COMPARED:
        assert row[name] == clean[name], (expected["url"], name)


def failures(db: Path, run_id: int | None = None) -> dict[str, list[dict]]:
    """path -> failures (of one run, or all)."""
    where = f"where run_id = {int(run_id)}" if run_id is not None else ""
    found: dict[str, list[dict]] = {}
    for row in rows(db, f"select url, kind, status, reason, run_id from failures {where}"):
        found.setdefault(urlsplit(row["url"]).path, []).append(row)
    return found


def assert_every_article_accounted(db: Path, run_id: int) -> tuple[set[str], set[str]]:
    """Each article archived or in this run's failures, never both: (archived, failed) paths."""
    paths = article_paths()
    got, failed = archived(db), failures(db, run_id)
    for path, expected in paths.items():
        assert (path in got) != (path in failed), (path, path in got, failed.get(path))
        if path in got:
            assert_correct(got[path], expected)
        else:
            assert all(f["reason"] for f in failed[path]), failed[path]
    return set(paths) & set(got), set(paths) & set(failed)


def listing_sitemaps(site: SiteMap, paths: set[str]) -> set[str]:
    """URLs of the daily sitemaps that list any of these article paths."""
    found = set()
    for (host, path), resource in site.items():
        if host == "www.vietnam.vn" and "/sitemap-post/" in path and any(
                f"https://www.vietnam.vn{p}<".encode() in resource.body for p in paths):
            found.add(f"https://www.vietnam.vn{path}")
    return found


def assert_marks_kept_back(site: SiteMap, db: Path, failed: set[str]) -> None:
    """A sitemap that listed a failed article keeps no mark: the next crawl reads it again."""
    marks = {r["url"] for r in rows(db, "select url from sitemap_marks")}
    assert not marks & listing_sitemaps(site, failed), marks


def assert_second_crawl_archives_the_rest(site: SiteMap, db: Path, window: list[str]) -> None:
    code, log, _server = crawl(site, db, window)
    assert code == 0, log[-3000:]
    last = rows(db, "select id, outcome from crawl_runs order by id desc limit 1")[0]
    assert last["outcome"] == "ok"
    assert failures(db, last["id"]) == {}
    got = archived(db)
    for path, expected in article_paths().items():
        assert path in got, path
        assert_correct(got[path], expected)
    assert_sound(db)


@pytest.mark.parametrize("group", _groups(), ids=lambda g: "+".join(c.kind for c in g))
def test_fault_kinds_end_archived_or_failed_then_a_clean_crawl_archives_the_rest(
        group, site, window, tmp_path):
    db = tmp_path / "a.db"
    paths = sorted(article_paths())
    cases = dict(zip(paths, group, strict=False))
    plan = FaultPlan({path: case.fault(path, site) for path, case in cases.items()})
    code, _log, _ = crawl(site, db, window, plan)
    (run,) = rows(db, "select id, outcome from crawl_runs")
    assert code == (0 if run["outcome"] == "ok" else 1)
    ok, failed = assert_every_article_accounted(db, run["id"])
    reasons = failures(db, run["id"])
    for path, case in cases.items():
        assert plan.served.get(path), (case.kind, "fault never served")
        if case.expect == "archived":
            assert path in ok, (case.kind, reasons.get(path))
        else:
            assert path in failed, (case.kind, "archived")
            assert any(re.search(case.expect, f"{f['status']} {f['reason']}")
                       for f in reasons[path]), (
                case.kind, reasons[path])
    assert_sound(db)
    assert_marks_kept_back(site, db, failed)
    assert_second_crawl_archives_the_rest(site, db, window)


def sitemap_paths(site: SiteMap, pattern: str) -> list[str]:
    return sorted({path for _, path in site if re.search(pattern, path)})


def test_a_challenge_page_for_the_sitemap_index_fails_the_run(site, window, tmp_path):
    """A 200 that is not a sitemap is a failure of the run, never 'no articles today'."""
    db = tmp_path / "a.db"
    plan = FaultPlan({"/sitemap.xml": F.challenge()})
    code, _log, _ = crawl(site, db, window, plan)
    assert code == 1
    (run,) = rows(db, "select outcome, counts from crawl_runs")
    assert run["outcome"] == "failed"
    assert json.loads(run["counts"])["failed_sitemap"] == 1
    (failure,) = failures(db)["/sitemap.xml"]
    assert failure["kind"] == "sitemap" and failure["status"] == 200
    assert "expected <sitemapindex>" in failure["reason"] or "not a sitemap" in failure["reason"]
    assert rows(db, "select * from sitemap_marks") == []
    assert_sound(db)
    assert_second_crawl_archives_the_rest(site, db, window)


def test_a_challenge_page_for_the_daily_sitemaps_fails_the_run(site, window, tmp_path):
    db = tmp_path / "a.db"
    daily = sitemap_paths(site, r"/sitemap-post/.*\.xml$")
    assert daily
    code, _log, _ = crawl(site, db, window, FaultPlan({p: F.challenge() for p in daily}))
    assert code == 1
    assert rows(db, "select outcome from crawl_runs")[0]["outcome"] == "failed"
    found = failures(db)
    assert {p for p in found if p in daily} == set(daily)
    assert all(found[p][0]["kind"] == "sitemap" for p in daily)
    assert_sound(db)
    assert_second_crawl_archives_the_rest(site, db, window)


def test_sitemaps_gzipped_or_retried_lose_nothing(site, window, tmp_path):
    db = tmp_path / "a.db"
    plan = FaultPlan({"/sitemap.xml": F.gzipped(),
                      **{p: F.burst(503, times=1)
                         for p in sitemap_paths(site, r"/sitemap-post/.*\.xml$")}})
    code, log, _ = crawl(site, db, window, plan)
    assert code == 0, log[-3000:]
    assert set(archived(db)) >= set(article_paths())
    assert failures(db) == {}
    assert_sound(db)


def test_a_robots_disallowed_section_is_obeyed_and_fetched_once_allowed(site, window, tmp_path):
    db = tmp_path / "a.db"
    sections = sorted({"/" + p.split("/")[1] + "/" for p in article_paths() if p.count("/") >= 2})
    assert sections
    section = sections[0]
    code, log, server = crawl(site, db, window,
                              FaultPlan({"/robots.txt": F.robots_disallow(section)}))
    assert code == 0, log[-3000:]
    fetched = {path for _, _, path in server.requests}
    inside = {p for p in article_paths() if p.startswith(section)}
    assert inside and not inside & fetched  # never requested, not even once
    found = failures(db)
    for path in inside:
        assert [f["reason"] for f in found[path]] == ["forbidden by robots.txt"]
    assert set(archived(db)) == set(article_paths()) - inside
    assert_marks_kept_back(site, db, inside)
    assert_sound(db)
    assert_second_crawl_archives_the_rest(site, db, window)


SEED = 4


def test_a_seeded_plan_is_reproducible(site):
    first = FaultPlan.for_site(site, SEED, 0.5, LIMITS).describe()
    assert first == FaultPlan.for_site(site, SEED, 0.5, LIMITS).describe()
    assert first != FaultPlan.for_site(site, SEED + 1, 0.5, LIMITS).describe()
    assert "/sitemap.xml" not in first  # a crawl always starts
    every = FaultPlan.seeded(sorted(article_paths()) * 10, SEED, 1.0).describe()
    assert set(every) == set(article_paths())


def test_a_crawl_under_a_seeded_plan_loses_nothing(site, window, tmp_path):
    db = tmp_path / "a.db"
    plan = FaultPlan.for_site(site, SEED, 0.5, LIMITS)
    code, _log, _ = crawl(site, db, window, plan)
    (run,) = rows(db, "select id, outcome from crawl_runs")
    assert code == (0 if run["outcome"] == "ok" else 1)
    got, found = archived(db), failures(db, run["id"])
    sitemap_failed = any(f["kind"] == "sitemap" for fs in found.values() for f in fs)
    for path, expected in article_paths().items():
        if path in got:
            assert path not in found
            assert_correct(got[path], expected)
        else:  # a failure of its own, or its sitemap failed (and with it the run)
            assert path in found or (sitemap_failed and run["outcome"] == "failed"), path
    assert_sound(db)
    assert_second_crawl_archives_the_rest(site, db, window)


def test_the_server_command_serves_a_seeded_plan_on_loopback():
    import subprocess
    import sys
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "portal_crawler.replica.server", "--faults",
                             str(SEED), "--fault-rate", "1.0"], stdout=subprocess.PIPE, text=True)
    plan: list[str] = []
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        while line.startswith("fault "):  # the plan, then the line that says it serves
            plan.append(line)
            line = proc.stdout.readline()
        assert line.startswith("replica serving on http://127.0.0.1:"), line
        request = urllib.request.Request(line.split()[-1] + "/sitemap.xml",
                                          headers={"Host": "www.vietnam.vn"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200 and b"<sitemapindex" in answer.read()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert plan
