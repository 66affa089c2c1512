"""tuoitre.vn, thanhnien.vn, dantri.com.vn: parsers that survive a redesign, replicas that serve
what the records say, and the originals of vietnam.vn's republished articles.

Oracles: the content records (portal_crawler/replica/content/<host>/, expected Articles written
from them by replica/sites/_daily.py, never by extract()), the class names
VIETNAMESE_PORTALS.md confirms, and the vietnam.vn records' `source.url` and text. The golden
pages themselves run in tests/test_golden.py (tests/pages/{tuoitre,thanhnien,dantri}/).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from lxml import html
from scrambler import SEED, scramble

from portal_crawler.extract import extract
from portal_crawler.replica.content import CONTENT_DIR
from portal_crawler.replica.sites import SITES, site_module
from portal_crawler.replica.sites._daily import expected_article

# Class names VIETNAMESE_PORTALS.md confirms per portal: the only ones "hooks" mode keeps.
CONFIRMED = {
    "tuoitre": frozenset({"detail-cmain", "detail-content", "afcbc-body", "detail-sapo",
                          "readmore-body-box", "detail-tab", "box-author-detail",
                          "detail-author-bot"}),
    "thanhnien": frozenset({"detail-content", "detail__content", "detail-sapo"}),
    "dantri": frozenset({"singular-content", "singular-sapo"}),
}
MODES = ("hooks", "bare")
FIELDS = ("headline", "lead", "authors", "source", "source_url", "date_published",
          "date_published_raw", "date_modified", "section", "breadcrumbs", "tags", "body",
          "images", "related_links", "translations", "messages")


@cache
def stories(site: str) -> dict[str, Any]:
    return {story.name: story for story in site_module(site).daily().stories}


@cache
def page(site: str, name: str) -> tuple[str, dict[str, Any]]:
    module = site_module(site)
    story = stories(site)[name]
    return module.render_story(story), expected_article(module.daily(), story)


PAGES = [(site, name) for site in CONFIRMED for name in stories(site)]


def test_every_daily_is_a_served_site() -> None:
    assert set(CONFIRMED) <= set(SITES)


@pytest.mark.parametrize("site", list(CONFIRMED))
def test_golden_pages_are_the_records_as_rendered(site: str) -> None:
    """tests/pages/<site>/ holds exactly what the generator writes from today's records (a
    record edited without regenerating them fails here, not silently in test_golden)."""
    folder = Path(__file__).parent / "pages" / site
    stored = {p.name: p.read_text("utf-8") for p in folder.iterdir()}
    written = {f"{name}{suffix}": text for name, pair in site_module(site).golden_pairs().items()
               for suffix, text in zip((".html", ".json"), pair, strict=True)}
    assert stored == written


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("site", "name"), PAGES, ids=[f"{s}/{n}" for s, n in PAGES])
def test_class_blind(site: str, name: str, mode: str) -> None:
    """Every class name and id renamed but the confirmed hooks (or all of them): same Article."""
    source, expected = page(site, name)
    keep = CONFIRMED[site] if mode == "hooks" else frozenset()
    scrambled = scramble(source, SEED, keep)
    before = {t for v in html.fromstring(source).xpath("//@class") for t in v.split()}
    after = {t for v in html.fromstring(scrambled).xpath("//@class") for t in v.split()}
    assert before & after == keep & before  # what the page had, renamed but the hooks
    article = extract(scrambled.encode("utf-8"), expected["url"],
                      fetched_at=expected["fetched_at"]).to_dict()
    assert {f: article[f] for f in FIELDS} == {f: expected[f] for f in FIELDS}
    assert article["parser"].split("+")[0] == f"{site}/1"


# The originals behind vietnam.vn's republished articles --------------------------------------

def republished_crediting(host: str) -> dict[str, dict[str, Any]]:
    """credited URL -> the vietnam.vn vi record, read from the record files."""
    found = {}
    for path in sorted((CONTENT_DIR / "vietnam.vn" / "articles" / "vi").glob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        url = (record.get("source") or {}).get("url") or ""
        if url.startswith(f"https://{host}/"):
            found[url] = record
    return found


def test_tuoitre_serves_each_credited_original_with_the_republished_text() -> None:
    from portal_crawler.replica.generate import build_all

    credited = republished_crediting("tuoitre.vn")
    assert credited  # the vietnam.vn replica credits tuoitre.vn
    served = build_all()
    for url, record in credited.items():
        host, path = url.split("/", 3)[2], "/" + url.split("/", 3)[3]
        resource = served[(host, path)]
        assert resource.status == 200
        article = extract(resource.body, url, fetched_at="2024-05-27T12:00:00+00:00")
        assert article.portal == "tuoitre.vn" and article.parser.startswith("tuoitre/1")
        assert article.headline == record["headline"]
        assert article.body == "\n\n".join(b["text"] for b in record["body"] if b["type"] == "p")
        assert article.authors and article.source is None  # tuoitre's own byline
        # Published before the republication (a day, or a time before it that day).
        assert article.date_published[:10] < record["date_published"][:10]


# One crawl of each replica, as a user runs it ------------------------------------------------

FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
# What each site's discovery must have fetched: feeds on tuoitre.vn, a sitemap index and a
# news sitemap on thanhnien.vn, the sitemaps robots.txt declares on dantri.com.vn.
DISCOVERY = {
    "tuoitre": {"/rss/tin-moi-nhat.rss"},
    "thanhnien": {"/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/articles-2025-07.xml"},
    "dantri": {"/robots.txt", "/sitemaps/news.xml", "/sitemaps/xa-hoi.xml"},
}


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> dict[str, tuple[Path, set[str], bytes]]:
    """site -> (archive, paths requested on its hosts, its home page's bytes): one
    `portal-crawler crawl --site` per daily against build_all() on loopback, the three at
    once (each its own process and archive)."""
    from portal_crawler.replica.generate import build_all
    from portal_crawler.replica.server import ReplicaServer

    served = build_all()
    hosts = {site: site_module(site).PORTAL for site in CONFIRMED}
    dbs = {site: tmp_path_factory.mktemp(site) / "archive.db" for site in CONFIRMED}
    with ReplicaServer(served) as server:
        running = {site: subprocess.Popen(
            [sys.executable, "-m", "portal_crawler", "crawl", "--site", f"https://{host}/",
             "--replica", f"127.0.0.1:{server.port}", "--db", str(dbs[site]), *FAST],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for site, host in hosts.items()}
        for process in running.values():
            _, stderr = process.communicate(timeout=180)
            assert process.returncode == 0, stderr[-3000:]
        requests = server.requests
    return {site: (dbs[site], {path for _, h, path in requests if h == host},
                   served[(host, "/")].body) for site, host in hosts.items()}


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


@pytest.mark.parametrize("site", list(CONFIRMED))
def test_site_crawl_archives_every_article_and_nothing_else(crawls, site: str) -> None:
    db, requested, home = crawls[site]
    urls = {story.url for story in stories(site).values()}
    assert {u for (u,) in rows(db, "select url from articles")} == urls
    assert {u for (u,) in rows(db, "select url from pages")} == urls  # no listing kept
    assert rows(db, "select url, reason from failures") == []
    assert {p.split("+")[0] for (p,) in rows(db, "select parser from articles")} == {f"{site}/1"}
    # The home page lists only the newest: the rest came through the site's discovery.
    on_home = {u for u in urls if u.split("/", 3)[3].encode() in home}
    assert on_home and on_home < urls
    assert DISCOVERY[site] <= requested


@pytest.mark.parametrize("site", list(CONFIRMED))
def test_listing_pages_are_not_articles(site: str) -> None:
    """The home and section pages (listings by construction) give no article, whichever way
    a crawl reaches them (a sitemap may list a section page)."""
    module = site_module(site)
    daily = module.daily()
    served = module.build()
    paths = ["/", *(daily.section_path(slug) for slug in daily.config["sections"])]
    for path in paths:
        article = extract(served[(module.PORTAL, path)].body, f"https://{module.PORTAL}{path}")
        assert "not an article" in article.messages and not article.body, path
