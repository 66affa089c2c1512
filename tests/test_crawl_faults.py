"""HTTP errors, blocks, redirects away and edits: every article ends archived or in `failures`,
and the crawl goes on. Real engine, real HTTP on loopback, real SQLite."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import cli
from test_crawl_e2e import expected_articles, rows

from portal_crawler.identity import article_id, canonical_url
from portal_crawler.replica.content import load_site
from portal_crawler.replica.faults import Fault, FaultPlan, redirect, retry_after
from portal_crawler.replica.generate import SiteMap, build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import edit

SAMPLE = "nga-trieu-tien-tang-cuong-hop-tac-quoc-phong"  # the real sample's story
TOTAL = len(expected_articles())


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """language -> path of the real sample's story in the vi, en and id editions."""
    return {p["language"]: p["url"].split("www.vietnam.vn", 1)[1]
            for p in expected_articles().values() if SAMPLE in p["url"]}


def crawl(site: SiteMap, db: Path, window: list[str], faults: FaultPlan | None = None,
          *extra: str) -> tuple[int, FaultPlan]:
    plan = faults or FaultPlan()
    with ReplicaServer(site, faults=plan) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(db), *window, *extra)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, plan


def failures(db: Path) -> dict[str, dict]:
    return {r["url"].split("www.vietnam.vn", 1)[1]: r
            for r in rows(db, "select url, kind, status, reason from failures")}


def test_retry_after_and_a_single_403_are_retried_then_archived(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    plan = FaultPlan({pages["vi"]: retry_after(1), pages["en"]: Fault(status=403, times=1)})
    code, plan = crawl(site, db, window, plan)
    assert code == 0
    assert plan.served == {pages["vi"]: 1, pages["en"]: 1}
    assert len(rows(db, "select id from articles")) == TOTAL
    assert failures(db) == {}


def test_a_burst_of_403s_pauses_and_loses_nothing(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    # 3 pages x 2 refusals = 6 403s: the 5th (PORTAL_CRAWLER_BLOCK_BURST) pauses the portal.
    plan = FaultPlan({path: Fault(status=403, times=2) for path in pages.values()})
    code, plan = crawl(site, db, window, plan)
    assert code == 0
    assert sum(plan.served.values()) == 6
    assert len(rows(db, "select id from articles")) == TOTAL
    stats = json.loads(rows(db, "select stats from crawl_runs")[0]["stats"])
    assert stats["politeness/block_pauses"] == 1
    assert failures(db) == {}


def test_errors_end_in_failures_while_the_crawl_goes_on(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    plan = FaultPlan({
        pages["vi"]: Fault(status=500),
        pages["en"]: Fault(status=200, body=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        pages["id"]: redirect("https://example.org/elsewhere"),
    })
    code, _ = crawl(site, db, window, plan)
    assert code == 1  # 3 of the article pages failed: over 5%, the run failed
    found = failures(db)
    assert found[pages["vi"]]["status"] == 500
    assert "not an HTML page" in found[pages["en"]]["reason"]
    assert pages["id"] in found
    assert rows(db, "select outcome from crawl_runs")[0]["outcome"] == "failed"
    assert len(rows(db, "select id from articles")) == TOTAL - 3


def test_a_404_is_a_failure_and_a_later_404_withdraws(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    assert crawl(site, db, window)[0] == 0
    # A full re-crawl (incremental crawls revisit only young articles).
    code, _ = crawl(site, db, window, FaultPlan({pages["vi"]: Fault(status=404)}),
                    "-s", "PORTAL_CRAWLER_INCREMENTAL=False")
    withdrawn = rows(db, "select url from articles where status = 'withdrawn'")
    assert [r["url"] for r in withdrawn] == [f"https://www.vietnam.vn{pages['vi']}"]
    counts = json.loads(rows(db, "select counts from crawl_runs order by id desc")[0]["counts"])
    assert counts == {"unchanged": TOTAL - 1, "withdrawn": 1}
    assert code == 0


def test_an_edited_article_gains_a_version_and_only_it(site, window, tmp_path):
    """The replica edits one article (new text, later <lastmod>): the incremental re-crawl
    fetches it and records one version of it, and of nothing else."""
    db = tmp_path / "a.db"
    assert crawl(site, db, window)[0] == 0
    before = load_site()
    after = edit(before, 1, seed=5)
    old = {v.url: v.lastmod for v in before.articles}
    (changed,) = [v for v in after.articles if old[v.url] != v.lastmod]
    assert crawl(build_site(site=after), db, window)[0] == 0
    ident = article_id(canonical_url(changed.url))
    versions = rows(db, "select article_id, version, changed_fields from article_versions")
    assert [(v["article_id"], v["version"]) for v in versions] == [(ident, 1)]
    assert "body" in json.loads(versions[0]["changed_fields"])
    (row,) = rows(db, f"select version from articles where id = '{ident}'")
    assert row["version"] == 2


def test_robots_disallow_is_obeyed(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    strict = SiteMap(site)
    strict.not_found = site.not_found
    for key, resource in site.items():
        if key[1] == "/robots.txt":
            body = resource.body.replace(b"Disallow: /search", b"Disallow: /search\nDisallow: /id/")
            assert body != resource.body
            strict[key] = replace(resource, body=body)
    assert crawl(strict, db, window)[0] == 0
    languages = {r["language"] for r in rows(db, "select language from articles")}
    assert "id" not in languages and {"vi", "en"} <= languages
    denied = failures(db)
    indonesian = sum(1 for p in expected_articles().values() if p["language"] == "id")
    assert len(denied) == indonesian
    assert {d["reason"] for d in denied.values()} == {"forbidden by robots.txt"}
    counts = json.loads(rows(db, "select counts from crawl_runs")[0]["counts"])
    assert counts == {"new": TOTAL - indonesian, "robots_denied": indonesian}


def daily_sitemap_of(site: SiteMap, path: str) -> str:
    return next(k[1] for k in site if "/sitemap-post/" in k[1] and path.encode() in site[k].body)


def test_a_malformed_sitemap_entry_loses_only_itself(site, window, pages, tmp_path):
    """One bad <loc> in the middle of a daily sitemap: the entries after it are still read,
    the bad one is a failure, and the sitemap keeps no mark (the next run reads it again)."""
    db = tmp_path / "a.db"
    day = daily_sitemap_of(site, pages["id"])
    bad = b"<url><loc>https://[www.vietnam.vn/id/rusak</loc></url>"
    varied = SiteMap(site)
    varied.not_found = site.not_found
    for key, resource in site.items():
        if key[1] == day:
            varied[key] = replace(resource, body=resource.body.replace(b"</url>",
                                                                       b"</url>" + bad, 1))
    assert crawl(varied, db, window)[0] == 0
    assert len(rows(db, "select id from articles")) == TOTAL
    (failure,) = rows(db, "select url, reason from failures")
    assert failure["reason"] == "invalid URL"
    marked = {r["url"] for r in rows(db, "select url from sitemap_marks")}
    assert f"https://www.vietnam.vn{day}" not in marked and marked


def test_a_sitemap_denied_by_robots_keeps_no_mark(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    day = daily_sitemap_of(site, pages["id"])
    strict = SiteMap(site)
    strict.not_found = site.not_found
    for key, resource in site.items():
        if key[1] == "/robots.txt":
            strict[key] = replace(resource, body=resource.body.replace(
                b"Disallow: /search", f"Disallow: /search\nDisallow: {day}".encode()))
    assert crawl(strict, db, window)[0] == 0
    marked = {r["url"] for r in rows(db, "select url from sitemap_marks")}
    assert f"https://www.vietnam.vn{day}" not in marked and marked
