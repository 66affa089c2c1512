"""vnexpress.net and e.vnexpress.net: the parser survives a redesign, the replica is the site.

Oracles: the replica's content records (expected Articles built from them by
replica/sites/vnexpress.py, never by extract()), VIETNAMESE_PORTALS.md's list of confirmed
class names, the registry entry's declared feeds, and RSS 2.0 as read by the spiders' reader.
Every article page goes through `scramble()` (tests/scrambler.py, a fixed seed): mode "hooks"
keeps only the classes VIETNAMESE_PORTALS.md confirms, mode "bare" renames those too; both must
give every field of the expected Article.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, cli
from lxml import html
from scrambler import SEED, scramble

from portal_crawler.discovery.feeds import FEED, read_listing
from portal_crawler.extract import extract
from portal_crawler.parsers.vnexpress import _english_date
from portal_crawler.portals import PORTALS
from portal_crawler.replica.sites import vnexpress

# The class names VIETNAMESE_PORTALS.md gives for vnexpress.net (`fck_detail ` with its
# trailing space is the token `fck_detail`).
CONFIRMED = frozenset({"title-detail", "description", "location-stamp", "fck_detail", "Normal",
                       "author_mail"})
MODES = {"hooks": CONFIRMED, "bare": frozenset()}
FIELDS = ("headline", "lead", "authors", "source", "date_published", "date_published_raw",
          "date_modified", "section", "breadcrumbs", "tags", "body", "images", "related_links",
          "translations", "language", "canonical_url")
NAMES = [story.name for story in vnexpress.stories()]
PAGES = ROOT / "tests" / "pages" / "vnexpress"
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


@cache
def pair(name: str) -> tuple[str, dict[str, Any]]:
    story = vnexpress.by_name()[name]
    return vnexpress.render_article(story), vnexpress.expected(story)


@cache
def extracted(name: str, mode: str) -> dict[str, Any]:
    page, expected = pair(name)
    scrambled = scramble(page, SEED, MODES[mode])
    return extract(scrambled.encode("utf-8"), expected["url"],
                   fetched_at=expected["fetched_at"]).to_dict()


def test_the_replica_has_both_editions_and_the_documented_variants():
    stories = vnexpress.stories()
    assert 10 <= sum(s.edition == "vi" for s in stories) <= 16
    assert 4 <= sum(s.edition == "en" for s in stories) <= 6
    records = [s.record for s in stories]
    assert any(not r.get("jsonld", True) for r in records)  # no JSON-LD: the printed date
    assert any(r.get("jsonld", True) and not r.get("shown_date") for r in records)
    assert {r["signature"]["style"] for r in records} == {"right", "author_mail"}
    assert any(b["type"] == "related" for r in records for b in r["body"])
    for story in stories:
        assert story.url.startswith(f"https://{story.host}/")
        assert story.path.endswith(f"-{story.record['id']}.html")
        assert len(str(story.record["id"])) == 7


@pytest.mark.parametrize("name", NAMES)
def test_stored_golden_pages_are_the_generators(name):
    """tests/pages/vnexpress holds what `--golden-site vnexpress` writes from the records."""
    page, expected = pair(name)
    assert (PAGES / f"{name}.html").read_text("utf-8") == page
    assert json.loads((PAGES / f"{name}.json").read_text("utf-8")) == expected


def _classes(page: str) -> set[str]:
    return {t for v in html.fromstring(page).xpath("//@class") for t in v.split()}


def test_scrambler_keeps_only_the_confirmed_classes():
    printed: set[str] = set()
    for name in NAMES:
        page, _ = pair(name)
        before = _classes(page)
        printed |= before
        for mode, keep in MODES.items():
            assert _classes(scramble(page, SEED, keep)) & before == keep & before, mode
    assert printed >= CONFIRMED  # the pages print every confirmed hook


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("field", FIELDS)
def test_class_blind(name, mode, field):
    assert extracted(name, mode)[field] == pair(name)[1][field]


@pytest.mark.parametrize("name", NAMES)
def test_parser_is_named_in_the_article(name):
    assert extracted(name, "bare")["parser"].split("+")[0] == "vnexpress/1"


def test_a_short_dated_sapo_is_not_the_printed_date():
    """A page printing no date (JSON-LD only) whose sapo is short and names a day: the date is
    JSON-LD's, the sapo stays the lead. Oracle: the record, rendered with that sapo."""
    story = vnexpress.by_name()["vi_mua_da_lao_cai"]
    sapo = "Chiều 3/3/2024, mưa đá làm tốc mái nhiều ngôi nhà ở Lào Cai."
    record = {**story.record, "sapo": sapo}
    record.pop("location", None)
    changed = vnexpress.Story(record, story.host)
    expected = vnexpress.expected(changed)
    for mode in MODES.values():
        page = scramble(vnexpress.render_article(changed), SEED, mode)
        article = extract(page.encode("utf-8"), changed.url, fetched_at=record["fetched_at"])
        assert (article.date_published, article.date_published_raw, article.lead) == (
            expected["date_published"], expected["date_published_raw"], expected["lead"])


@pytest.mark.parametrize(("printed", "iso"), [
    # The 12-hour clock: 12:05 am is five past midnight, 12:05 pm five past noon.
    ("March 2, 2024 | 04:15 pm GMT+7", "2024-03-02T16:15:00+07:00"),
    ("March 2, 2024 | 12:05 am GMT+7", "2024-03-02T00:05:00+07:00"),
    ("December 31, 2023 | 12:05 pm GMT+7", "2023-12-31T12:05:00+07:00"),
    ("February 30, 2024 | 01:00 pm GMT+7", None),  # no such day
    ("March 2, 2024 | 04:15 pm GMT+99", None),  # no such offset
])
def test_the_english_editions_printed_date(printed, iso):
    assert _english_date(printed) == iso


# the site: feeds, robots, the www twin ------------------------------------------------------

@cache
def site() -> dict[tuple[str, str], Any]:
    return vnexpress.build()


def test_every_registry_feed_is_served_as_rss():
    portal = PORTALS["vnexpress.net"]
    listed: set[str] = set()
    for hint in portal.feeds:
        url = portal.absolute(hint)
        host, path = url.split("/", 3)[2], "/" + url.split("/", 3)[3]
        resource = site()[(host, path)]
        kind, entries = read_listing(resource.body)
        assert resource.status == 200 and kind == FEED
        listed |= {entry.url for entry in entries}
    assert listed == {story.url for story in vnexpress.stories()}


def test_robots_names_no_sitemap_and_www_redirects_to_the_bare_host():
    for host in ("vnexpress.net", "e.vnexpress.net"):
        robots = site()[(host, "/robots.txt")].body.decode()
        assert "User-agent: *" in robots and "Sitemap:" not in robots
    story = vnexpress.by_name()["vi_buyt_dien_ha_noi"]
    moved = site()[("www.vnexpress.net", story.path)]
    assert moved.status == 301 and moved.headers["Location"] == story.url


# one crawl ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """`crawl --site https://vnexpress.net/` offline against every replica (build_all())."""
    from portal_crawler.replica.generate import build_all
    from portal_crawler.replica.server import ReplicaServer

    db = tmp_path_factory.mktemp("vnexpress") / "vne.db"
    with ReplicaServer(build_all()) as server:
        result = cli("crawl", "--site", "https://vnexpress.net/", "--replica",
                     f"127.0.0.1:{server.port}", "--db", str(db), *FAST)
        requested = list(server.requests)
    return result, db, requested


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def test_crawl_archives_both_editions_and_nothing_else(crawled):
    result, db, requested = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {json.loads(p.read_text("utf-8"))["id"]: json.loads(p.read_text("utf-8"))
                for p in PAGES.glob("*.json")}
    rows = _rows(db, "select id, url, canonical_url, language, portal, parser from articles")
    assert {row[0] for row in rows} == set(expected)
    for id_, url, canonical, language, portal, parser in rows:
        want = expected[id_]
        assert (url, canonical, language, portal) == (
            want["url"], want["canonical_url"], want["language"], "vnexpress.net")
        assert parser.startswith("vnexpress/1")
    assert len(_rows(db, "select url from pages")) == len(expected)
    assert _rows(db, "select count(*) from failures") == [(0,)]
    hosts = {host for _, host, _ in requested}
    assert hosts == {"vnexpress.net", "e.vnexpress.net"}  # no other portal's host
