"""HTTP errors, blocks, redirects away and edits: every article ends archived or in `failures`,
and the crawl goes on. Real engine, real HTTP on loopback, real SQLite."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import cli
from test_crawl_e2e import expected_articles, rows

from portal_crawler.replica.faults import Fault, FaultPlan, redirect, retry_after
from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """language -> path of the replica's article in that edition."""
    return {p["language"]: p["url"].split("www.vietnam.vn", 1)[1]
            for p in expected_articles().values()}


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
    assert len(rows(db, "select id from articles")) == 3
    assert failures(db) == {}


def test_a_burst_of_403s_pauses_and_loses_nothing(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    # 3 pages x 2 refusals = 6 403s: the 5th (PORTAL_CRAWLER_BLOCK_BURST) pauses the portal.
    plan = FaultPlan({path: Fault(status=403, times=2) for path in pages.values()})
    code, plan = crawl(site, db, window, plan)
    assert code == 0
    assert sum(plan.served.values()) == 6
    assert len(rows(db, "select id from articles")) == 3
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
    assert code == 1  # every article page failed: the run failed
    found = failures(db)
    assert found[pages["vi"]]["status"] == 500
    assert "not an HTML page" in found[pages["en"]]["reason"]
    assert pages["id"] in found
    assert rows(db, "select outcome from crawl_runs")[0]["outcome"] == "failed"
    assert rows(db, "select id from articles") == []


def test_a_404_is_a_failure_and_a_later_404_withdraws(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    assert crawl(site, db, window)[0] == 0
    code, _ = crawl(site, db, window, FaultPlan({pages["vi"]: Fault(status=404)}),
                    "--max-articles", "3")
    statuses = {r["language"]: r["status"] for r in rows(db,
                "select language, status from articles")}
    assert statuses == {"vi": "withdrawn", "en": "live", "id": "live"}
    counts = json.loads(rows(db, "select counts from crawl_runs order by id desc")[0]["counts"])
    assert counts == {"unchanged": 2, "withdrawn": 1}
    assert code == 0


def test_an_edited_article_gains_a_version_and_only_it(site, window, pages, tmp_path):
    db = tmp_path / "a.db"
    assert crawl(site, db, window)[0] == 0
    edited = SiteMap(site)
    edited.not_found = site.not_found
    old = expected_articles()
    vi = next(a for a in old.values() if a["language"] == "vi")
    paragraph = vi["body"].split("\n\n")[1]
    old_text = paragraph[: paragraph.index(" ", 30)]
    assert not set(old_text) & set("&<>'\"")
    for key, resource in site.items():
        if key[1] == pages["vi"]:
            body = resource.body.replace(old_text.encode(), ("Sau khi sửa: " + old_text).encode())
            assert body != resource.body
            edited[key] = replace(resource, body=body)
    assert crawl(edited, db, window)[0] == 0
    versions = rows(db, "select article_id, version, changed_fields from article_versions")
    assert [(v["article_id"], v["version"]) for v in versions] == [(vi["id"], 1)]
    assert "body" in json.loads(versions[0]["changed_fields"])
    (row,) = rows(db, f"select body, version from articles where id = '{vi['id']}'")
    assert "Sau khi sửa: " + old_text in row["body"]
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
    assert {r["language"] for r in rows(db, "select language from articles")} == {"vi", "en"}
    (denied,) = failures(db).values()
    assert denied["reason"] == "forbidden by robots.txt"
    counts = json.loads(rows(db, "select counts from crawl_runs")[0]["counts"])
    assert counts == {"new": 2, "robots_denied": 1}
