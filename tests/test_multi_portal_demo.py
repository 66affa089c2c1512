"""`portal-crawler demo` as a new user runs it (README): the replicas served on loopback,
vietnam.vn and the demo's other portals crawled side by side into one archive.

Oracles: the replicas' own records and hosts (which portals exist, which sources vietnam.vn's
records credit), the reference pages of vietnam.vn (tests/pages), each other site's golden
pairs (the Articles its records must give), and the archive file itself.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, cli
from test_crawl_e2e import expected_articles

from portal_crawler import demo as demo_module
from portal_crawler.portals import VIETNAM_VN, portal_for
from portal_crawler.replica.generate import build_all
from portal_crawler.replica.sites import SITES, site_module

VIETNAM_VN_DAY = date(2023, 9, 14)  # any: the demo's jobs, not their window, matter here
RECORDS = ROOT / "portal_crawler" / "replica" / "content" / "vietnam.vn" / "articles"


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


def credited_portals(served: set[str]) -> set[str]:
    """Portals whose articles vietnam.vn's records credit, when the replica serves them."""
    portals = set()
    for path in RECORDS.glob("*/*.json"):
        url = (json.loads(path.read_text(encoding="utf-8")).get("source") or {}).get("url")
        portal = portal_for(url) if url else None
        if portal is not None and portal.canonical_host in served and portal != VIETNAM_VN:
            portals.add(portal.name)
    return portals


def expected_portals(served: set[str]) -> set[str]:
    """vietnam.vn, the demo's other portals the replica serves, and, when vietnam.vn's job
    follows its sources, the served portals its records credit."""
    jobs = demo_module.demo_plan([VIETNAM_VN_DAY], served, "127.0.0.1:1", Path("x.db")).jobs
    portals = {job.portal for job in jobs}
    if any(getattr(job, "follow_sources", False) for job in jobs):
        portals |= credited_portals(served)
    return portals


def test_demo_as_a_new_user_runs_it(demo_run, served_hosts):
    db, result = demo_run
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"replica of .+ serving on http://127\.0\.0\.1:\d+", lines[0])
    expected = expected_portals(served_hosts)
    # One job per portal it crawls, each ok; the plan ok.
    assert {line.split(":")[0].removeprefix("job ") for line in lines
            if line.startswith("job ")} == {job.portal for job in demo_module.demo_plan(
                [VIETNAM_VN_DAY], served_hosts, "127.0.0.1:1", db).jobs}
    assert all(": ok (" in line for line in lines if line.startswith("job "))
    assert "plan demo: ok" in lines and f"archive {db}" in lines

    # The archive spans exactly the portals the replicas' records say it must.
    archived = {r["portal"] for r in rows(db, "select distinct portal from articles")}
    assert archived == expected
    # Every vietnam.vn article, as its reference pages give them.
    vn = {r["id"] for r in rows(db, "select id from articles where portal = 'vietnam.vn'")}
    assert vn == set(expected_articles())
    # Every other served portal of the demo: the Articles its golden pairs expect.
    for name in SITES:
        module = site_module(name)
        if module.PORTAL in expected and VIETNAM_VN.name != module.PORTAL:
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
