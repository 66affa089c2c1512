"""The degraded-run rule on its own (the crawl test of it lives with the replica variants)."""

from __future__ import annotations

from portal_crawler.alarms import YIELD, RunFigures, degraded_fields

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
