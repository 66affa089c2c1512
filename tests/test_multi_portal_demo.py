"""`portal-crawler demo` as a new user runs it (README): the replicas served on loopback,
vietnam.vn and the demo's other portals crawled side by side into one archive.

Oracles: the replicas' own hosts (which portals they serve), the reference pages of vietnam.vn
(tests/pages: its Articles and the sources they credit), each other site's golden pairs (the
Articles its records must give), and the archive file itself.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import cli
from test_crawl_e2e import expected_articles

from portal_crawler import demo as demo_module
from portal_crawler.identity import canonical_url
from portal_crawler.portals import VIETNAM_VN, portal_for
from portal_crawler.replica.generate import build_all
from portal_crawler.replica.sites import SITES, site_module

VIETNAM_VN_DAY = date(2023, 9, 14)  # any: the demo's jobs, not their window, matter here


def rows(db: Path, sql: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served_hosts() -> set[str]:
    return {host for host, _ in build_all()}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = cli("demo", "--db", str(db), timeout=300)
    return db, result


def demo_jobs(served: set[str]) -> list:
    return list(demo_module.demo_plan([VIETNAM_VN_DAY], served, "127.0.0.1:1",
                                      Path("x.db")).jobs)


def follows_sources(served: set[str]) -> bool:
    return any(getattr(job, "follow_sources", False) for job in demo_jobs(served))


def credits(served: set[str]) -> dict[str, str]:
    """vietnam.vn article id -> the canonical URL of the original it credits (its reference
    page's expected `source_url`), when the replica serves the original's portal."""
    found = {}
    for id_, page in expected_articles().items():
        portal = portal_for(page["source_url"]) if page.get("source_url") else None
        if portal is not None and portal.canonical_host in served and portal != VIETNAM_VN:
            found[id_] = canonical_url(page["source_url"])
    return found


def expected_portals(served: set[str]) -> set[str]:
    """vietnam.vn, the demo's other portals the replica serves, and, when vietnam.vn's job
    follows its sources, the served portals its articles credit."""
    portals = {job.portal for job in demo_jobs(served)}
    if follows_sources(served):
        portals |= {portal_for(url).name for url in credits(served).values()}
    return portals


def test_demo_as_a_new_user_runs_it(demo_run, served_hosts):
    db, result = demo_run
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"replicas of .+ serving on http://127\.0\.0\.1:\d+; crawling .+", lines[0])
    expected = expected_portals(served_hosts)
    # One job per portal it crawls, each ok; the plan ok.
    assert {line.split(":")[0].removeprefix("job ") for line in lines
            if line.startswith("job ")} == {job.portal for job in demo_jobs(served_hosts)}
    assert all(": ok (" in line for line in lines if line.startswith("job "))
    assert "plan demo: ok" in lines and f"archive {db}" in lines

    # The archive spans exactly the portals the replicas' records say it must.
    archived = {r["portal"] for r in rows(db, "select distinct portal from articles")}
    assert archived == expected
    # Every vietnam.vn article, as its reference pages give them.
    vn = {r["id"] for r in rows(db, "select id from articles where portal = 'vietnam.vn'")}
    assert vn == set(expected_articles())
    # Every other portal the demo crawls: the Articles its golden pairs expect.
    crawled = {job.portal for job in demo_jobs(served_hosts)}
    for name in SITES:
        module = site_module(name)
        if module.PORTAL in crawled and VIETNAM_VN.name != module.PORTAL:
            want = {json.loads(expected_json)["id"]
                    for _, expected_json in module.golden_pairs().values()}
            got = {r["id"] for r in rows(db, "select id, portal from articles")
                   if r["portal"] == module.PORTAL}
            assert want <= got, (module.PORTAL, want - got)
    # The summary: a line per portal with its count, and a line per article under it.
    counts = {r["portal"]: r["n"] for r in rows(
        db, "select portal, count(*) as n from articles group by portal")}
    for portal, n in counts.items():
        assert any(line.startswith(f"{portal}: {n} articles (") for line in lines), portal
    printed = {line.split()[0] for line in lines if re.match(r"[0-9a-f]{16}  ", line)}
    assert printed == {r["id"] for r in rows(db, "select id from articles")}
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_demo_holds_republished_original_pairs(demo_run, served_hosts, tmp_path):
    """With --follow-sources: every credited original the replicas serve is archived under
    its own portal and linked both ways, in the JSONL export and in `show` on either side."""
    assert follows_sources(served_hosts)
    db, _ = demo_run
    pairs = credits(served_hosts)
    assert pairs  # the replicas serve originals of vietnam.vn's articles
    export = tmp_path / "demo.jsonl"
    result = cli("export", "--db", str(db), "-o", str(export))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    by_url = {line["canonical_url"]: line for line in lines}
    by_id = {line["id"]: line for line in lines}
    for id_, original_url in pairs.items():
        original = by_url[original_url]
        assert original["portal"] == portal_for(original_url).name
        assert by_id[id_]["republished_from"] == original_url
        assert by_id[id_]["canonical_url"] in original["republished_as"]
    id_, original_url = sorted(pairs.items())[0]
    shown = json.loads(cli("show", id_, "--db", str(db), "--format", "json").stdout)
    assert shown["republished_from"]["id"] == by_url[original_url]["id"]
    shown = json.loads(cli("show", by_url[original_url]["id"], "--db", str(db), "--format",
                           "json").stdout)
    assert id_ in {copy["id"] for copy in shown["republished_as"]}


def test_demo_runs_its_portals_side_by_side_one_run_each(demo_run):
    """The demo is a concurrent plan: one crawl_runs row per portal's job, each ok."""
    db, result = demo_run
    runs = rows(db, "select job, outcome, started_at, finished_at from crawl_runs")
    assert sorted(r["job"] for r in runs) == sorted(
        line.split(":")[0].removeprefix("job ") for line in result.stdout.splitlines()
        if line.startswith("job "))
    assert {r["outcome"] for r in runs} == {"ok"}
    if len(runs) > 1:  # side by side: every run started before the first one finished
        assert max(r["started_at"] for r in runs) < min(r["finished_at"] for r in runs)
