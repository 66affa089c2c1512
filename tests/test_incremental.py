"""Incremental crawls and resuming after SIGKILL, with the real engine against the replica."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import cli
from test_crawl_e2e import expected_articles, rows

from portal_crawler.replica.server import ReplicaServer


def article_fetches(server: ReplicaServer) -> int:
    paths = {p["url"].split("www.vietnam.vn", 1)[1] for p in expected_articles().values()}
    return sum(1 for _, _, path in server.requests if path in paths)


def crawl(server: ReplicaServer, db: Path, window: list[str], *extra: str,
          now: str | None = None):
    env = {"PORTAL_CRAWLER_NOW": now} if now else None
    return cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}", "--db", str(db),
               *window, *extra, env=env)


def test_second_run_fetches_only_young_articles(site, window, tmp_path):
    """Unchanged replica: sitemaps of old days are skipped by their marks, and only articles
    inside the revisit window (a relative date such as "2 giờ trước" is young) are asked
    again, conditionally."""
    db = tmp_path / "a.db"
    with ReplicaServer(site) as server:
        assert crawl(server, db, window).returncode == 0
        first = article_fetches(server)
        assert first == len(expected_articles())
        second = crawl(server, db, window)
        assert second.returncode == 0, second.stderr
        again = article_fetches(server) - first
    young = rows(db, "select count(*) n from articles where published_utc >= "
                     "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-3 days')")[0]["n"]
    assert again == young <= 1
    runs = rows(db, "select outcome, stats from crawl_runs order by id")
    assert [r["outcome"] for r in runs] == ["ok", "ok"]
    assert json.loads(runs[1]["stats"])["incremental/sitemaps_skipped"] >= 1
    assert rows(db, "select count(*) n from sitemap_marks")[0]["n"] >= 1


def test_young_articles_are_revisited_conditionally(site, window, tmp_path):
    """Inside the revisit window the articles are asked again with their ETag: 304s."""
    db = tmp_path / "a.db"
    day_after = "2023-09-15T09:00:00+00:00"
    with ReplicaServer(site) as server:
        assert crawl(server, db, window, now=day_after).returncode == 0
        first = article_fetches(server)
        assert crawl(server, db, window, now=day_after).returncode == 0
        again = article_fetches(server) - first
    young = rows(db, "select count(*) n from articles "
                     "where published_utc >= '2023-09-12T09:00:00+00:00'")[0]["n"]
    assert 0 < young < len(expected_articles())
    assert again == young
    runs = rows(db, "select counts, stats from crawl_runs order by id")
    assert json.loads(runs[1]["counts"]) == {"unchanged": young}
    stats = json.loads(runs[1]["stats"])
    assert stats["incremental/conditional"] == young
    assert stats["downloader/response_status_count/304"] == young


@pytest.mark.parametrize("point", ["discovery", "batch:2", "commit:2"])
def test_rerun_after_sigkill_completes_the_job(site, window, tmp_path, point):
    db = tmp_path / "a.db"
    with ReplicaServer(site) as server:
        killed = crawl(server, db, window, "-s", f"PORTAL_CRAWLER_TEST_KILL_AT={point}",
                       "-s", "PORTAL_CRAWLER_BATCH_SIZE=1")
        assert killed.returncode == -9, killed.stderr[-2000:]
        resumed = crawl(server, db, window)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    ids = [r["id"] for r in rows(db, "select id from articles")]
    assert sorted(ids) == sorted(expected_articles())
    outcomes = [r["outcome"] for r in rows(db, "select outcome from crawl_runs order by id")]
    assert outcomes == ["killed", "ok"]


def test_a_lastmod_without_offset_is_compared_as_utc():
    from datetime import UTC, datetime

    from portal_crawler.archive.store import PageState
    from portal_crawler.incremental import needs_fetch

    old = PageState(fetched_at="2023-09-15T00:00:00+00:00",
                    published_utc="2023-09-10T00:00:00+00:00", etag=None, last_modified=None)
    later = datetime(2026, 1, 1, tzinfo=UTC)
    assert needs_fetch(old, "2023-09-20", later)  # a bare W3C date, newer than our copy
    assert not needs_fetch(old, "2023-09-01T10:00:00", later)
