"""Scrapy's own commands, run as a user runs them from the project folder (scrapy.cfg), in
subprocesses, against the replica on 127.0.0.1: feeds hold Articles only, and the debugging
commands (shell, parse, check, list) neither lock the archive nor record runs."""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import sqlite3
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import CRAWL_CLOCK, ROOT, SCRAPY, cli, run

from portal_crawler.archive.lock import WriterLock
from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer

GOLDEN = ROOT / "tests" / "pages" / "vietnam_vn"
SAMPLE = json.loads((GOLDEN / "id_sample_nga_trieu_tien.json").read_text(encoding="utf-8"))


def contract_fields() -> list[str]:
    """The field names of the Article contract, in order, read from docs/article.md's table."""
    text = (ROOT / "docs" / "article.md").read_text(encoding="utf-8")
    table = text.split("| field | type | meaning |", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| (\w+) \|", table, re.M)]


def golden() -> dict[str, dict]:
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in GOLDEN.glob("*.json")]
    return {page["id"]: page for page in pages}


def rows(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def offline(replica, db: Path) -> dict[str, str]:
    return {"PORTAL_CRAWLER_REPLICA": f"127.0.0.1:{replica.port}", "PORTAL_CRAWLER_DB": str(db)}


@pytest.fixture(scope="module")
def feed_crawl(replica, window, tmp_path_factory):
    """`scrapy crawl vietnam_vn -O out.jsonl -O out.csv` with offline mode from the variable."""
    folder = tmp_path_factory.mktemp("feeds")
    db = folder / "archive.db"
    since, until = window[1], window[3]
    result = run(SCRAPY, "crawl", "vietnam_vn", "-a", f"since={since}", "-a", f"until={until}",
                 "-O", str(folder / "out.jsonl"), "-O", str(folder / "out.csv"),
                 env={**offline(replica, db), "PORTAL_CRAWLER_NOW": CRAWL_CLOCK})
    assert result.returncode == 0, result.stderr[-3000:]
    return folder, db, result


def test_jsonl_feed_holds_only_articles(feed_crawl):
    folder, db, result = feed_crawl
    assert "not JSON serializable" not in result.stderr
    lines = (folder / "out.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all(list(r) == contract_fields() for r in records)
    assert all(r["headline"] for r in records)
    archived = {r["id"] for r in rows(db, "select id from articles")}
    assert sorted(r["id"] for r in records) == sorted(archived)
    expected = golden()
    for record in records:
        for name in ("url", "headline", "source", "date_published", "authors", "translations"):
            assert record[name] == expected[record["id"]][name], (record["id"], name)


def test_csv_feed_has_the_contract_columns(feed_crawl):
    folder, db, _ = feed_crawl
    with open(folder / "out.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == contract_fields()
        records = list(reader)
    assert len(records) == rows(db, "select count(*) n from articles")[0]["n"]
    expected = golden()
    for record in records:
        page = expected[record["id"]]
        for name in ("headline", "source", "date_published", "date_published_raw"):
            assert record[name] == (page[name] or ""), (record["id"], name)
        # lists and dicts as JSON text, as `portal-crawler export --format csv` writes them
        assert json.loads(record["authors"]) == page["authors"]
        assert json.loads(record["images"]) == page["images"]


def test_raw_pages_and_failures_still_reach_the_archive(feed_crawl):
    _, db, _ = feed_crawl
    (run_row,) = rows(db, "select outcome, counts, stats from crawl_runs")
    assert run_row["outcome"] == "ok"
    articles = rows(db, "select count(*) n from articles")[0]["n"]
    assert rows(db, "select count(*) n from pages")[0]["n"] == articles == len(golden())
    assert json.loads(run_row["stats"])["item_scraped_count"] == articles


def test_scrapy_crawl_offline_gets_the_replica_profile(feed_crawl, crawled_archive):
    """`scrapy crawl` with PORTAL_CRAWLER_REPLICA set runs with the same settings as
    `portal-crawler crawl --replica` (no AutoThrottle, no delay), not the live site's."""
    _, db, _ = feed_crawl
    (scrapy_run,) = rows(db, "select settings from crawl_runs")
    (cli_run,) = rows(crawled_archive, "select settings from crawl_runs")
    recorded = json.loads(scrapy_run["settings"])
    assert recorded["AUTOTHROTTLE_ENABLED"] is False
    assert recorded["DOWNLOAD_DELAY"] == 0
    assert {k: v for k, v in recorded.items() if k != "replica"} == {
        k: v for k, v in json.loads(cli_run["settings"]).items() if k != "replica"}


@pytest.mark.parametrize(("url", "callback"), [
    # URL families named in shared/reference/VIETNAM_VN.md
    ("https://www.vietnam.vn/sitemap.xml", "parse_index"),
    ("https://www.vietnam.vn/sitemap/sitemap-post/2023-09-14.xml", "parse_post_sitemap"),
    ("https://www.vietnam.vn/news-sitemap.xml", "parse_news_sitemap"),
    ("https://www.vietnam.vn/sitemap/sitemap-category.xml", "parse_category_sitemap"),
    ("https://www.vietnam.vn/category/the-thao", "parse_listing"),
    ("https://vcdn.vietnam.vn/thay-doi-cach-quang-ba-lan-toa-hinh-anh-viet-nam-ra-the-gioi",
     "parse_article"),
    ("https://thongtin.vietnam.vn/en/category-of-things-2", "parse_article"),
    ("https://www.vietnam.vn/zh-cn/some-slug/", "parse_article"),
])
def test_parse_dispatches_by_url_shape(url, callback):
    from portal_crawler.spiders.vietnam_vn import callback_name

    assert callback_name(url) == callback


def assert_untouched(db: Path, runs_before: int) -> None:
    assert rows(db, "select count(*) n from crawl_runs")[0]["n"] == runs_before
    lock = WriterLock(db)
    lock.acquire("test")  # raises ArchiveLocked if anything still holds it
    lock.release()


def test_scrapy_parse_picks_the_callback_and_leaves_the_archive_alone(
        archive_copy, replica):
    runs = rows(archive_copy, "select count(*) n from crawl_runs")[0]["n"]
    env = offline(replica, archive_copy)
    result = run(SCRAPY, "parse", SAMPLE["url"], env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "NotImplementedError" not in result.stderr
    printed = result.stdout.split("# Scraped Items", 1)[1].split("\n", 1)[1]
    items = ast.literal_eval(printed.split("# Requests", 1)[0])  # Scrapy pretty-prints them
    assert [(i["headline"], i["source"]) for i in items] == [
        (SAMPLE["headline"], SAMPLE["source"])]
    # a daily sitemap: its articles' requests, no items
    day = SAMPLE["date_published"][:10]
    result = run(SCRAPY, "parse", f"https://www.vietnam.vn/sitemap/sitemap-post/{day}.xml",
                 env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert SAMPLE["url"] in result.stdout
    assert_untouched(archive_copy, runs)


def test_scrapy_check_runs_contracts_against_the_replica(archive_copy, replica):
    runs = rows(archive_copy, "select count(*) n from crawl_runs")[0]["n"]
    result = run(SCRAPY, "check", "vietnam_vn", env=offline(replica, archive_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    ran = re.search(r"Ran (\d+) contracts?", result.stderr)
    assert ran and int(ran.group(1)) >= 3, result.stderr
    assert "OK" in result.stderr
    assert_untouched(archive_copy, runs)


def test_scrapy_list_and_shell_leave_the_archive_alone(archive_copy, replica):
    runs = rows(archive_copy, "select count(*) n from crawl_runs")[0]["n"]
    env = offline(replica, archive_copy)
    result = run(SCRAPY, "list", env=env)
    assert result.returncode == 0 and result.stdout.split() == ["portal", "vietnam_vn"]
    result = run(SCRAPY, "shell", SAMPLE["url"], "-c", "response.css('h1::text').get()",
                 env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == SAMPLE["headline"]
    assert_untouched(archive_copy, runs)


def test_an_open_shell_does_not_block_a_crawl(archive_copy, replica, site):
    """A cron crawl while someone keeps `scrapy shell` open on the same archive."""
    env = offline(replica, archive_copy)
    expression = "(print('ready', flush=True), __import__('time').sleep(120))"
    runs = rows(archive_copy, "select count(*) n from crawl_runs")[0]["n"]
    shell = subprocess.Popen([SCRAPY, "shell", SAMPLE["url"], "-c", expression], cwd=ROOT,
                             env={**os.environ, **env}, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        assert shell.stdout is not None
        assert shell.stdout.readline().strip() == "ready"
        day = site.days()[0].isoformat()
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{replica.port}",
                     "--db", str(archive_copy), "--since", day, "--until", day)
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        shell.kill()
        shell.wait()
    assert [r["outcome"] for r in rows(archive_copy, "select outcome from crawl_runs")][runs:] == [
        "ok"]


def test_scrapy_check_fails_when_the_article_page_loses_its_fields(replica, site, tmp_path):
    """The contracts can fail: the sample page answered by a bare page without body, source
    or date (a layout change) fails `@filled`, and `scrapy check` exits 1."""
    path = SAMPLE["url"].split("www.vietnam.vn", 1)[1]
    bare = b"<html><body><h1>Rusia-Korea Utara</h1></body></html>"
    varied = SiteMap(site)
    varied.not_found = site.not_found
    for key, resource in site.items():
        varied[key] = replace(resource, body=bare) if key[1] == path else resource
    with ReplicaServer(varied) as server:
        result = run(SCRAPY, "check", "vietnam_vn",
                     env={"PORTAL_CRAWLER_REPLICA": f"127.0.0.1:{server.port}",
                          "PORTAL_CRAWLER_DB": str(tmp_path / "none.db")})
    assert result.returncode == 1, result.stderr
    assert "empty fields: body, source, date_published" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_a_crawl_that_only_writes_its_feed(replica, tmp_path):
    """README: `-s PORTAL_CRAWLER_WRITE_ARCHIVE=False -O out.jsonl` writes the feed only."""
    db = tmp_path / "none.db"
    day = SAMPLE["date_published"][:10]
    result = run(SCRAPY, "crawl", "vietnam_vn", "-a", f"since={day}", "-a", f"until={day}",
                 "-s", "PORTAL_CRAWLER_WRITE_ARCHIVE=False", "-O", str(tmp_path / "out.jsonl"),
                 env=offline(replica, db))
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in
               (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert SAMPLE["id"] in {r["id"] for r in records}
    assert all(r["id"] in golden() for r in records)
    assert not db.exists() and not Path(f"{db}.lock").exists()
