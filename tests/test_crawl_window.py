"""The --since/--until window bounds the archive, whatever path found an article.

Oracle: the replica's content records (the editor's `date_published`, read here with zoneinfo,
independent of extract()) say which articles fall in the window."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import CRAWL_CLOCK, cli
from test_crawl_e2e import rows

from portal_crawler.discovery.window import Verdict, judge, printed_day, publication_day
from portal_crawler.identity import article_id, canonical_url
from portal_crawler.replica.content import SiteData, load_site
from portal_crawler.replica.generate import build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import synthesize

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def local_day(value: str) -> date:
    """The editor's publication date as a day in Hanoi (bare dates are Hanoi days already)."""
    if "T" not in value:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    return (moment.astimezone(HANOI) if moment.tzinfo else moment).date()


def archived_ids(db: Path) -> set[str]:
    return {r["id"] for r in rows(db, "select id from articles")}


def records_of(site: SiteData, first: date, last: date) -> set[str]:
    """Article ids of a site's records published in [first, last] (Hanoi days)."""
    return {article_id(canonical_url(view.url)) for view in site.articles
            if view.record.get("date_published")
            and first <= local_day(view.record["date_published"]) <= last}


def crawl_day(port: int, db: Path, day: date, *extra: str):
    return cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{port}", "--db", str(db),
               "--since", day.isoformat(), "--until", day.isoformat(),
               "-s", "LOG_LEVEL=WARNING", *extra,
               # relative dates ("2 giờ trước") are read against the replica's fetch time
               env={"PORTAL_CRAWLER_NOW": CRAWL_CLOCK})


def test_one_day_window_on_the_demo_replica(replica, tmp_path):
    """The demo replica's listings reach 34 articles of 2023-2026: a one-day window keeps the
    day's, and listing entries printed with another day are not even fetched."""
    day = date(2023, 9, 16)
    site = load_site()
    expected, everything = records_of(site, day, day), records_of(site, date.min, date.max)
    assert 0 < len(expected) < len(everything) / 4
    db = tmp_path / "day.db"
    before = len(replica.requests)
    result = crawl_day(replica.port, db, day)
    article_paths = {view.path for view in site.articles}
    fetched = [p for _, _, p in replica.requests[before:] if p in article_paths]
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert archived_ids(db) == expected
    assert {local_day(r["date_published"])
            for r in rows(db, "select date_published from articles")} == {day}
    # No raw page stands for an article outside the window either.
    assert {article_id(canonical_url(r["url"])) for r in rows(db, "select url from pages")} \
        == expected
    (run,) = rows(db, "select outcome, counts, stats from crawl_runs")
    assert run["outcome"] == "ok"
    counts, stats = json.loads(run["counts"]), json.loads(run["stats"])
    assert counts["new"] == len(expected)
    # Listing entries printed with another day are not fetched; the articles that were
    # (no printed day, or reached otherwise) are judged on their page and counted.
    assert stats["window/listed_out_of_window"] >= 1
    assert len(fetched) == len(expected) + counts.get("out_of_window", 0) < len(everything)
    assert rows(db, "select * from failures") == []


def test_related_lists_are_bounded_by_the_window_too(tmp_path):
    """Related lists carry no dates: their articles are fetched, judged on their own
    publication date, and counted out_of_window when outside."""
    synthetic = synthesize(60, seed=5, days=5, editions=["vi", "en"])
    day = sorted({view.day for view in synthetic.articles})[2]
    expected = records_of(synthetic, day, day)
    assert 0 < len(expected) < 30
    db = tmp_path / "related.db"
    with ReplicaServer(build_site(site=synthetic)) as server:
        result = crawl_day(server.port, db, day, "--follow-related", "1")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert archived_ids(db) == expected
    (run,) = rows(db, "select outcome, counts, stats from crawl_runs")
    counts, stats = json.loads(run["counts"]), json.loads(run["stats"])
    assert run["outcome"] == "ok"
    assert counts["out_of_window"] >= 1
    assert stats["articles/out_of_window"] == counts["out_of_window"]
    assert rows(db, "select * from failures") == []


@pytest.mark.parametrize(("value", "day"), [
    ("2023-09-16", date(2023, 9, 16)),  # a bare date is the portal's day already
    # 17:30 UTC is 00:30 the next day in Hanoi (UTC+7, no daylight saving)
    ("2023-09-15T17:30:00+00:00", date(2023, 9, 16)),
    ("2023-09-15T16:59:59Z", date(2023, 9, 15)),
    ("2023-09-16T00:10:00+07:00", date(2023, 9, 16)),
    ("2023-09-16T23:50:00", date(2023, 9, 16)),  # no offset: the portal's local time
    (None, None), ("", None), ("16/09/2023", None), ("2023-02-30", None),
])
def test_publication_day_is_the_portals_day(value, day):
    assert publication_day(value, "Asia/Ho_Chi_Minh") == day


def test_undated_articles_need_a_window_sitemap():
    first = last = date(2023, 9, 16)
    assert judge(None, "Asia/Ho_Chi_Minh", first, last, True) is Verdict.UNDATED
    assert judge(None, "Asia/Ho_Chi_Minh", first, last, False) is Verdict.OUT
    assert judge("2023-09-15T18:00:00Z", "Asia/Ho_Chi_Minh", first, last, False) is Verdict.IN
    assert judge("2023-09-17", "Asia/Ho_Chi_Minh", first, last, True) is Verdict.OUT


@pytest.mark.parametrize(("text", "day"), [
    ("14/09/2023", date(2023, 9, 14)), ("10:30 4/9/2023", date(2023, 9, 4)),
    ("31/02/2023", None), ("2 giờ trước", None), ("", None), (None, None),
])
def test_printed_listing_day(text, day):
    assert printed_day(text) == day
