"""Layout-change alarms: the degraded-run rule alone, then a real crawl whose markup moved."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace

from conftest import cli

from portal_crawler.alarms import YIELD, RunFigures, degraded_fields
from portal_crawler.replica.generate import SiteMap, build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import synthesize

GOOD = RunFigures(coverage={"headline": 100.0, "date_published": 98.0, "authors": 40.0},
                  yield_pct=99.0, archived=120)


def test_a_field_falling_more_than_20_points_is_named():
    now = RunFigures(coverage={"headline": 100.0, "date_published": 70.0, "authors": 39.0},
                     yield_pct=99.0, archived=120)
    assert degraded_fields(now, [GOOD] * 5) == ["date_published"]


def test_exactly_20_points_is_not_an_alarm():
    now = RunFigures(coverage={**GOOD.coverage, "date_published": 78.0}, yield_pct=99.0,
                     archived=120)
    assert degraded_fields(now, [GOOD] * 3) == []


def test_a_field_missing_entirely_counts_as_zero():
    now = RunFigures(coverage={"headline": 100.0, "date_published": 98.0}, yield_pct=99.0,
                     archived=60)
    assert degraded_fields(now, [GOOD] * 4) == ["authors"]


def test_yield_drop_is_an_alarm():
    now = RunFigures(coverage=GOOD.coverage, yield_pct=50.0, archived=60)
    assert degraded_fields(now, [GOOD] * 3) == [YIELD]


def test_needs_three_ok_runs_and_fifty_articles():
    bad = RunFigures(coverage={"headline": 10.0}, yield_pct=5.0, archived=120)
    assert degraded_fields(bad, [GOOD] * 2) == []
    small = RunFigures(coverage={"headline": 10.0}, yield_pct=5.0, archived=49)
    assert degraded_fields(small, [GOOD] * 5) == []


def test_median_of_the_last_five_only():
    old_bad = RunFigures(coverage={"date_published": 0.0}, yield_pct=10.0, archived=100)
    now = RunFigures(coverage={**GOOD.coverage, "date_published": 60.0}, yield_pct=99.0,
                     archived=100)
    history = [GOOD] * 5 + [old_bad] * 10  # newest first: the old bad runs are ignored
    assert degraded_fields(now, history) == ["date_published"]


def test_changed_date_and_byline_markup_degrades_the_run(tmp_path):
    """Three ok runs of a job, then the portal moves its byline and date: exit 3, fields named."""
    site = build_site(site=synthesize(60, seed=11, days=1))
    day = site.days()[0].isoformat()
    info = re.compile(rb'<div class="post-detail-info">.*?</div>', re.S)
    moved = SiteMap({key: replace(r, body=info.sub(b'<div class="meta-v2"></div>', r.body))
                     for key, r in site.items()})
    moved.not_found = site.not_found
    assert sum(1 for key in site if moved[key].body != site[key].body) >= 60
    db = tmp_path / "a.db"

    def crawl(served: SiteMap) -> int:
        with ReplicaServer(served) as server:
            return cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}", "--db",
                       str(db), "--since", day, "--until", day,
                       "-s", "PORTAL_CRAWLER_INCREMENTAL=False").returncode

    assert [crawl(site) for _ in range(3)] == [0, 0, 0]
    assert crawl(moved) == 3
    with sqlite3.connect(db) as conn:
        outcome, alarms = conn.execute(
            "select outcome, alarms from crawl_runs order by id desc limit 1").fetchone()
    assert outcome == "degraded"
    assert {"date_published", "source"} <= set(json.loads(alarms))


def test_quiet_runs_are_no_baseline():
    """An ok run of a quiet window archived nothing and measured no coverage: it must not
    pull the median to 0 and hide a real drop (the good runs before it are the baseline)."""
    quiet = RunFigures(coverage={}, yield_pct=0.0, archived=0)
    few = RunFigures(coverage={"date_published": 0.0}, yield_pct=0.0, archived=3)
    now = RunFigures(coverage={**GOOD.coverage, "date_published": 60.0}, yield_pct=50.0,
                     archived=100)
    history = [quiet, few, quiet, quiet] + [GOOD] * 3  # newest first
    assert degraded_fields(now, history) == ["date_published", YIELD]
    assert degraded_fields(now, [quiet, few, GOOD, GOOD]) == []  # 2 comparable runs only
