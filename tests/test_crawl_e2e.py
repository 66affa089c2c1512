"""The whole slice: replica over real HTTP on loopback -> real Scrapy engine -> SQLite file."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CRAWL_CLOCK, ROOT, SCRAPY, cli, run

from portal_crawler.archive.store import Archive
from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer

GOLDEN = ROOT / "tests" / "pages" / "vietnam_vn"


def expected_articles() -> dict[str, dict]:
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLDEN.glob("*.json"))]
    return {page["id"]: page for page in pages}


def rows(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_crawl_archives_every_replica_article(crawled_archive):
    expected = expected_articles()
    assert len(expected) >= 3
    with Archive.open_reader(crawled_archive) as archive:
        archived = {a.id: a for a in archive.iter_articles()}
    assert set(archived) == set(expected)
    for ident, page in expected.items():
        got = archived[ident].to_dict()
        for field in ("url", "canonical_url", "language", "headline", "source",
                      "date_published", "authors", "translations"):
            assert got[field] == page[field], (ident, field)
        assert [i["url"] for i in got["images"]] == [i["url"] for i in page["images"]]
        assert [(link["url"], link["relation"]) for link in got["related_links"]] == [
            (link["url"], link["relation"]) for link in page["related_links"]]


def test_crawl_keeps_raw_pages_and_records_the_run(crawled_archive):
    pages = rows(crawled_archive, "select url, status, length(body_zstd) n from pages")
    assert len(pages) == len(expected_articles())
    assert all(p["status"] == 200 and p["n"] > 500 for p in pages)
    (run_row,) = rows(crawled_archive, "select * from crawl_runs")
    assert run_row["outcome"] == "ok", run_row
    assert run_row["finish_reason"] == "finished"
    assert json.loads(run_row["counts"]) == {"new": len(expected_articles())}
    assert json.loads(run_row["coverage"])["headline"] == 100.0
    assert rows(crawled_archive, "select * from failures") == []
    journal = rows(crawled_archive, "pragma journal_mode")[0]["journal_mode"]
    assert journal == "wal"


def test_crawling_twice_adds_nothing(archive_copy, replica, window):
    before = rows(archive_copy, "select id, content_hash, version from articles order by id")
    # the same window as the first crawl: a window bounds what is archived (test_crawl_window)
    result = run(SCRAPY, "crawl", "vietnam_vn", "-a", f"since={window[1]}",
                 "-a", f"until={window[3]}", "-s", f"PORTAL_CRAWLER_NOW={CRAWL_CLOCK}",
                 "-s", f"PORTAL_CRAWLER_REPLICA=127.0.0.1:{replica.port}",
                 "-s", f"PORTAL_CRAWLER_DB={archive_copy}", "-s", "LOG_LEVEL=INFO",
                 # a full re-crawl: every page fetched again (incremental is tested apart)
                 "-s", "PORTAL_CRAWLER_INCREMENTAL=False")
    assert result.returncode == 0, result.stderr
    after = rows(archive_copy, "select id, content_hash, version from articles order by id")
    assert after == before
    assert rows(archive_copy, "select count(*) n from article_versions")[0]["n"] == 0
    last = rows(archive_copy, "select outcome, counts from crawl_runs order by id desc")[0]
    assert last["outcome"] == "ok"
    assert json.loads(last["counts"]) == {"unchanged": len(before)}


def test_language_filter(replica, window, tmp_path):
    db = tmp_path / "id.db"
    result = cli("crawl", "vietnam_vn", "--lang", "id", "--replica",
                 f"127.0.0.1:{replica.port}", "--db", str(db), *window)
    assert result.returncode == 0, result.stderr
    assert {r["language"] for r in rows(db, "select language from articles")} == {"id"}


def test_offline_mode_refuses_other_hosts_and_fails_the_run(replica, tmp_path):
    db = tmp_path / "leak.db"
    result = run(SCRAPY, "runspider", str(ROOT / "tests" / "spiders" / "leaky.py"),
                 "-s", f"PORTAL_CRAWLER_REPLICA=127.0.0.1:{replica.port}",
                 "-s", f"PORTAL_CRAWLER_DB={db}")
    assert "offline mode: refused https://example.org/" in result.stderr
    (run_row,) = rows(db, "select outcome, stats from crawl_runs")
    assert run_row["outcome"] == "failed"
    # example.org/robots.txt and example.org/ itself
    assert json.loads(run_row["stats"])["offline/blocked_requests"] == 2
    (failure,) = rows(db, "select url, reason from failures")
    assert failure["url"] == "https://example.org/"


def test_only_the_requested_daily_sitemaps_are_fetched(replica, site, tmp_path):
    """A one-day window reads that day's post sitemap and no other; the news sitemap only when
    the window reaches the newest day."""
    days = site.days()
    day = days[len(days) // 2].isoformat()
    before = len(replica.requests)
    result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{replica.port}",
                 "--db", str(tmp_path / "day.db"), "--since", day, "--until", day)
    assert result.returncode == 0, result.stderr
    fetched = {path for _, _, path in replica.requests[before:]}
    daily = {p for p in fetched if "/sitemap-post/" in p}
    assert daily == {f"/sitemap/sitemap-post/{day}.xml"}
    assert "/news-sitemap.xml" not in fetched
    assert not fetched & {"/sitemap/sitemap-tag.xml", "/sitemap/sitemap-author.xml"}
    published = {r["date_published"][:10] for r in rows(tmp_path / "day.db",
                 "select date_published from articles where date_published is not null")}
    assert day in published


def test_mirror_and_alias_urls_end_as_one_article(replica, site, window, tmp_path):
    """The same article listed under a mirror host and again at another URL with the same
    text: one article, one alias."""
    db = tmp_path / "m.db"
    sample = next(p for p in expected_articles().values() if p["language"] == "id")
    path = sample["url"].split("www.vietnam.vn", 1)[1]
    day_sitemap = next(k for k in site if "/sitemap-post/" in k[1] and
                       path.encode() in site[k].body)[1]
    twin = path + "-ban-sao"
    extra = (f"<url><loc>https://vcdn.vietnam.vn{path}</loc></url>"
             f"<url><loc>https://www.vietnam.vn{twin}</loc></url></urlset>").encode()
    varied = SiteMap(site)
    varied.not_found = site.not_found
    for key, resource in site.items():
        if key[1] == day_sitemap:
            varied[key] = replace(resource, body=resource.body.replace(b"</urlset>", extra))
        if key[1] == path:
            varied[(key[0], twin)] = resource
    with ReplicaServer(varied) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(db), *window)
    assert result.returncode == 0, result.stderr
    assert len(rows(db, "select id from articles")) == len(expected_articles())
    # Whichever of the two URLs was archived first is the article; the other is its alias.
    (alias,) = rows(db, "select url, article_id from aliases")
    (kept,) = rows(db, "select url from articles where id = '" + alias["article_id"] + "'")
    assert {alias["url"], kept["url"]} == {sample["url"], f"https://www.vietnam.vn{twin}"}


def test_max_articles_caps_the_fetches_and_keeps_the_marks_back(replica, window, tmp_path):
    db = tmp_path / "five.db"
    result = cli("crawl", "vietnam_vn", "--max-articles", "5", "--replica",
                 f"127.0.0.1:{replica.port}", "--db", str(db), *window)
    assert result.returncode == 0, result.stderr
    assert len(rows(db, "select id from articles")) == 5
    stats = json.loads(rows(db, "select stats from crawl_runs")[0]["stats"])
    assert stats["articles/pages_fetched"] == 5
    # The rest was left out on purpose: the next run must still read those sitemaps.
    assert rows(db, "select count(*) n from sitemap_marks")[0]["n"] == 0


@pytest.mark.parametrize(("argument", "message"), [
    ("lang=xx", "unknown language xx"),
    ("since=2023-13-01", "since='2023-13-01' is not a date"),
    ("max_articles=-3", "must not be negative"),
])
def test_a_wrong_argument_stops_at_start_with_one_line(argument, message, tmp_path):
    db = tmp_path / "bad.db"
    name, _, value = argument.partition("=")
    # portal-crawler refuses before any engine starts: exit 2, one line
    flag = "--" + name.replace("_", "-")
    result = cli("crawl", "vietnam_vn", flag, value, "--db", str(db))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert message in result.stderr and not db.exists()
    # scrapy crawl (exit status always 0): one logged line, and a failed run on record
    result = run(SCRAPY, "crawl", "vietnam_vn", "-a", argument, "-s", f"PORTAL_CRAWLER_DB={db}")
    assert "bad argument: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    (row,) = rows(db, "select outcome, finish_reason from crawl_runs")
    assert row == {"outcome": "failed", "finish_reason": "bad_arguments"}
