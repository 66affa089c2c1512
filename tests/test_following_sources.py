"""--follow-sources end to end: two small crawls of vietnam.vn `vi` over real HTTP against every
replica (generate.build_all()), one with the flag and one without, shared by the module.

The oracle is the replica's own content records (which vietnam.vn article credits which URL,
with which headline and paragraphs) and its request log (what the crawls asked for), never
the crawler's code."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest import CRAWL_CLOCK, cli

from portal_crawler.archive.schema import schema_version
from portal_crawler.archive.store import Archive
from portal_crawler.article import Article
from portal_crawler.cli import main
from portal_crawler.identity import article_id, canonical_url
from portal_crawler.portals import VIETNAM_VN, portal_for
from portal_crawler.replica.content import load_site
from portal_crawler.replica.faults import Fault
from portal_crawler.replica.generate import build_all


def _credits(served_hosts: set[str]) -> list[dict]:
    """Every vietnam.vn `vi` record that credits a source URL: its URL, the credited URL,
    whether a replica serves that host, and the record's headline, paragraphs and day."""
    found = []
    for view in load_site().articles:
        source = (view.record.get("source") or {}).get("url")
        if view.edition != "vi" or not source:
            continue
        found.append({"url": view.url, "source": source,
                      "served": urlsplit(source).hostname in served_hosts,
                      "headline": view.record["headline"],
                      "body": "\n\n".join(view.paragraphs),
                      "day": date.fromisoformat(view.record["date_published"][:10])})
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Both crawls over one replica of every portal; each crawl's slice of the request log."""
    from portal_crawler.replica.server import ReplicaServer

    site = build_all()
    served = {host for host, _path in site if host not in VIETNAM_VN.hosts}
    credits = _credits(served)
    followed = [c for c in credits if c["served"]]
    assert followed, "no vietnam.vn vi record credits a replicated paper"
    since = min(c["day"] for c in followed).isoformat()
    until = max(c["day"] for c in followed).isoformat()
    window = ["--lang", "vi", "--since", since, "--until", until]
    base = tmp_path_factory.mktemp("sources")
    runs = {}
    # The third crawl: the originals that fail, one missing (404), one not an article (the
    # paper's home page served at its URL).
    broken = sorted({urlsplit(c["source"]).path for c in followed})[:2]
    home = site[(urlsplit(followed[0]["source"]).hostname, "/")].body
    faults = {broken[0]: Fault(status=404, body=b"not found")}
    if len(broken) > 1:
        faults[broken[1]] = Fault(status=200, body=home)
    with ReplicaServer(site) as server:
        for name, flags in (("followed", ["--follow-sources"]), ("plain", []),
                            ("broken", ["--follow-sources"])):
            if name == "broken":
                server.faults.faults.update(faults)
            db = base / f"{name}.db"
            start = len(server.requests)
            result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                         "--db", str(db), *window, *flags,
                         env={"PORTAL_CRAWLER_NOW": CRAWL_CLOCK})
            runs[name] = {"db": db, "result": result, "requests": server.requests[start:]}
    in_window = [c for c in credits if since <= c["day"].isoformat() <= until]
    vi_pages = [v for v in load_site().articles if v.edition == "vi"
                and since <= v.record["date_published"][:10] <= until]
    return {"runs": runs, "credits": in_window, "since": date.fromisoformat(since),
            "served": served, "broken": faults, "vi_pages": len(vi_pages)}


def invoke(*args: str) -> str:
    """A reading command in this process (no crawl: no reactor needed)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def _followed(world) -> list[dict]:
    return [c for c in world["credits"] if c["served"]]


def test_the_followed_crawl_is_ok_and_says_how_many_sources_it_followed(world):
    result = world["runs"]["followed"]["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    originals = {canonical_url(c["source"]) for c in _followed(world)}
    assert f"{len(originals)} followed sources" in result.stdout


def test_every_credited_original_is_archived_as_its_own_portal_whatever_its_date(world):
    db = world["runs"]["followed"]["db"]
    with Archive.open_reader(db) as archive:
        for credit in _followed(world):
            original = archive.get_article(article_id(canonical_url(credit["source"])))
            assert original is not None, credit["source"]
            assert original.portal == portal_for(credit["source"]).name != VIETNAM_VN.name
            assert original.headline == credit["headline"]
            assert original.body == credit["body"]
    # Originals are older than their republications: at least one lies before the window,
    # and is archived all the same.
    days = _rows(db, "select date_published from articles where portal != 'vietnam.vn'")
    assert any(date.fromisoformat(d[:10]) < world["since"] for (d,) in days)


def test_republication_and_original_are_linked_both_ways(world):
    db = world["runs"]["followed"]["db"]
    pairs = {(article_id(canonical_url(c["url"])), article_id(canonical_url(c["source"])))
             for c in _followed(world)}
    linked = set(_rows(db, "select republication_id, original_id from republications "
                           "where original_id is not null"))
    assert linked == pairs
    view = _rows(db, "select republication_id, original_id, original_published_utc, "
                     "republished_utc from republication_pairs where original_id is not null")
    assert {(r, o) for r, o, _, _ in view} == pairs
    assert all(original < copy for _, _, original, copy in view)
    for republication, original in pairs:
        shown = json.loads(invoke("show", republication, "--db", str(db), "--format", "json"))
        assert shown["republished_from"]["id"] == original
        back = json.loads(invoke("show", original, "--db", str(db), "--format", "json"))
        assert [c["id"] for c in back["republished_as"]] == [republication]
        text = invoke("show", original, "--db", str(db))
        assert "Republished as (1, archived):" in text and republication in text


def test_the_jsonl_export_carries_the_link_and_reads_back(world, tmp_path):
    db = world["runs"]["followed"]["db"]
    out = tmp_path / "all.jsonl"
    invoke("export", "--db", str(db), "-o", str(out))
    rows = {row["canonical_url"]: row for row in map(json.loads, out.read_text("utf-8")
                                                      .splitlines())}
    for credit in _followed(world):
        copy, original = canonical_url(credit["url"]), canonical_url(credit["source"])
        assert rows[copy]["republished_from"] == original
        assert rows[original]["republished_as"] == [copy]
        assert rows[original]["republished_from"] is None
        assert Article.from_dict(rows[original]).canonical_url == original


def test_followed_source_counts_the_originals_fetched(world):
    run = world["runs"]["followed"]
    fetched = [(host, path) for method, host, path in run["requests"]
               if method == "GET" and host in world["served"] and path != "/robots.txt"]
    [(counts,)] = _rows(run["db"], "select counts from crawl_runs")
    assert json.loads(counts)["followed_source"] == len(fetched) == len(
        {canonical_url(c["source"]) for c in _followed(world)})
    # The originals stay out of the crawl's own coverage and yield (its layout alarms).
    [(stats, coverage)] = _rows(run["db"], "select stats, coverage from crawl_runs")
    stats = json.loads(stats)
    [(own,)] = _rows(run["db"], "select count(*) from articles where portal = 'vietnam.vn'")
    assert stats["articles/validated"] == own and stats["sources/validated"] == len(fetched)
    share = round(100 * len(world["credits"]) / world["vi_pages"], 1)  # from the records
    assert json.loads(coverage)["source"] == share
    # Each source host's robots.txt is asked for before its first article.
    for host in {host for host, _ in fetched}:
        asked = [path for _, h, path in run["requests"] if h == host]
        assert asked[0] == "/robots.txt"


def test_unreplicated_sources_are_recorded_failures_never_requested(world):
    run = world["runs"]["followed"]
    unserved = {c["source"] for c in world["credits"] if not c["served"]}
    assert unserved, "the window holds no credit of an unreplicated paper"
    failed = dict(_rows(run["db"], "select url, reason from failures where kind = 'source'"))
    assert set(failed) == unserved
    assert all("offline mode" in reason for reason in failed.values())
    hosts = {urlsplit(url).hostname for url in unserved}
    assert not [r for r in run["requests"] if r[1] in hosts]
    [(outcome, stats)] = _rows(run["db"], "select outcome, stats from crawl_runs")
    assert outcome == "ok" and "offline/blocked_requests" not in json.loads(stats)


def test_same_text_on_two_portals_is_never_an_alias(world):
    db = world["runs"]["followed"]["db"]
    assert _rows(db, "select count(*) from aliases") == [(0,)]
    same = _rows(db, "select a.portal, b.portal from republications r "
                     "join articles a on a.id = r.republication_id "
                     "join articles b on b.id = r.original_id where a.fingerprint = b.fingerprint")
    assert len(same) == len(_followed(world)) and all(a != b for a, b in same)


def test_without_the_flag_nothing_off_portal_is_requested(world):
    run = world["runs"]["plain"]
    assert run["result"].returncode == 0, run["result"].stderr
    assert {host for _, host, _ in run["requests"]} <= VIETNAM_VN.hosts
    assert "followed sources" not in run["result"].stdout
    assert _rows(run["db"], "select count(*) from articles where portal != 'vietnam.vn'") == [
        (0,)]
    # The credits are recorded, waiting for their originals.
    waiting = _rows(run["db"], "select count(*) from republications where original_id is null")
    assert waiting == [(len(world["credits"]),)]


def test_an_original_that_fails_or_is_no_article_is_a_recorded_failure(world):
    run = world["runs"]["broken"]
    assert run["result"].returncode == 0, run["result"].stdout + run["result"].stderr
    assert "Traceback" not in run["result"].stderr
    failed = {urlsplit(url).path: (reason, status) for url, reason, status in _rows(
        run["db"], "select url, reason, status from failures where kind = 'source'")}
    for path, fault in world["broken"].items():
        reason, status = failed[path]
        assert status == fault.status  # the status the server sent
        if fault.status == 200:
            assert reason == "not an article"
    archived = {urlsplit(url).path for (url,) in _rows(
        run["db"], "select url from articles where portal != 'vietnam.vn'")}
    assert not archived & set(world["broken"])
    [(counts, outcome)] = _rows(run["db"], "select counts, outcome from crawl_runs")
    assert outcome == "ok" and json.loads(counts)["failed_source"] >= len(world["broken"])


# -- the link in the archive alone: whichever comes first, an earlier run, the migration ----
def _pair() -> tuple[Article, Article]:
    original = Article(url="https://baoquocte.vn/a-123456.html", portal="baoquocte.vn",
                       language="vi", headline="Tin", body="Cùng một văn bản.",
                       date_published="2023-09-11T21:40:00+07:00",
                       fetched_at="2023-09-16T05:00:00+00:00")
    copy = Article(url="https://www.vietnam.vn/a", portal="vietnam.vn", language="vi",
                   headline="Tin", body="Cùng một văn bản.", date_published="2023-09-12",
                   source_url="https://baoquocte.vn/a-123456.html",
                   fetched_at="2023-09-16T05:00:00+00:00")
    for article in (original, copy):
        article.canonical_url = canonical_url(article.url)
        article.id = article_id(article.canonical_url)
    return original, copy


def _links(db: Path) -> list[tuple]:
    return _rows(db, "select republication_id, original_id from republications")


@pytest.mark.parametrize("first", ["original", "republication"])
def test_linked_whichever_is_archived_first_in_separate_runs(tmp_path, first):
    original, copy = _pair()
    order = [original, copy] if first == "original" else [copy, original]
    db = tmp_path / "a.db"
    for article in order:  # two writers, one after the other: two runs
        with Archive.open_writer(db) as archive:
            assert archive.save_articles([article]) == ["new"]
    assert _links(db) == [(copy.id, original.id)]


def test_the_migration_links_what_an_older_archive_holds_and_is_idempotent(tmp_path):
    from portal_crawler.archive import schema

    original, copy = _pair()
    db = tmp_path / "old.db"
    with Archive.open_writer(db) as archive:
        archive.save_articles([original, copy])
    with sqlite3.connect(db) as conn:  # as schema v4 left it: no link table, no view
        conn.execute("drop view republication_pairs")
        conn.execute("drop table republications")
        conn.execute("pragma user_version = 4")
    with Archive.open_writer(db) as archive:
        assert schema_version(archive.db) == schema.SCHEMA_VERSION
        schema._v5(archive.db)  # again: nothing breaks, nothing doubles
    assert _links(db) == [(copy.id, original.id)]


def test_a_link_into_the_same_portal_is_no_republication(tmp_path):
    original, copy = _pair()
    copy.source_url = "https://www.vietnam.vn/another-article"
    with Archive.open_writer(tmp_path / "a.db") as archive:
        archive.save_articles([original, copy])
    assert _links(tmp_path / "a.db") == []


# -- the option's spellings ----------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False),
                                                 (None, False)])
def test_scrapy_crawl_a_follow_sources(value, expected):
    """`scrapy crawl vietnam_vn -a follow_sources=1` hands the spider a string."""
    from portal_crawler.spiders.portal import PortalSpider
    from portal_crawler.spiders.vietnam_vn import VietnamVnSpider

    assert VietnamVnSpider(follow_sources=value).args.follow_sources is expected
    site = PortalSpider(site="https://baoquocte.vn/", follow_sources=value)
    assert site.args.follow_sources is expected


def test_a_wrong_follow_sources_value_is_an_argument_error():
    """Checked before any engine starts (as a plan's jobs and `crawl` check theirs)."""
    from portal_crawler.crawl import check_arguments
    from portal_crawler.discovery.arguments import ArgumentError

    with pytest.raises(ArgumentError, match="follow_sources='maybe' is not 1 or 0"):
        check_arguments("vietnam_vn", follow_sources="maybe")


def test_a_plan_job_takes_follow_sources(tmp_path):
    from portal_crawler.plan import PlanError, load_plan

    plan = tmp_path / "plan.toml"
    job = '[[job]]\nname = "vi"\nspider = "vietnam_vn"\nwindow = "last 2 days"\n'
    plan.write_text(f'archive = "a.db"\n{job}follow_sources = true\n', "utf-8")
    [loaded] = load_plan(plan).jobs
    assert loaded.follow_sources and "--follow-sources" in loaded.command()
    plan.write_text(f'archive = "a.db"\n{job}follow_sources = "yes"\n', "utf-8")
    with pytest.raises(PlanError, match="follow_sources"):
        load_plan(plan)


@pytest.mark.parametrize(("source", "followed"), [
    ("https://baoquocte.vn/a-123456.html?utm_source=x", "https://baoquocte.vn/a-123456.html"),
    ("https://vietnam.vn/another", None),            # a mirror of the article's own portal
    ("http://thongtin.vietnam.vn/x", None),
    ("http://[::1", None), ("htps://x.vn/a", None), ("https://", None), (None, None)])
def test_which_credit_is_followed(source, followed):
    from portal_crawler.archive.republications import credited_source

    copy = Article(url="https://www.vietnam.vn/a", canonical_url="https://www.vietnam.vn/a",
                   source_url=source)
    assert credited_source(copy) == followed
