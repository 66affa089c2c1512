"""The replica over real HTTP on 127.0.0.1: routing, validators, sitemaps, golden pages."""

from __future__ import annotations

import http.client
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree, html

from portal_crawler.article import FIELD_NAMES, validation_messages
from portal_crawler.identity import canonical_url
from portal_crawler.portals import VIETNAM_VN
from portal_crawler.replica import ReplicaServer, build_site, golden_pairs
from portal_crawler.replica.content import load_site
from portal_crawler.replica.expected import computed_article

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "pages" / "vietnam_vn"
SLUG = (
    "nga-trieu-tien-tang-cuong-hop-tac-quoc-phong-sau-hoi-nghi-thuong-dinh-my-han-ngoi-tren-dong-lua"
)
# The real page's text as an extractor saw it (copied from the shared reference).
SAMPLE_TEXT = ROOT / "portal_crawler/replica/content/vietnam.vn/articles/id" / f"{SLUG}.as_text.txt"
ARTICLE_PATHS = [f"/id/{SLUG}", f"/{SLUG}", f"/en/{SLUG}"]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer() as running:
        yield running


def fetch(
    server: ReplicaServer,
    host: str,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(method, path, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def visible_text(page: bytes | str) -> str:
    """Text as an extractor sees it: blocks split, inline elements glued, img alt included."""
    tree = html.fromstring(page)
    for bad in tree.xpath("//script|//style|//head"):
        bad.drop_tree()
    inline = {"a", "span", "img", "b", "i", "em", "strong", "small", "time", "label"}
    parts: list[str] = []

    def walk(el: html.HtmlElement) -> None:
        block = el.tag not in inline
        if block:
            parts.append("\n")
        if el.tag == "img":
            parts.append(el.get("alt") or "")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")

    walk(tree)
    return " ".join("".join(parts).split())


def test_serves_articles_on_every_mirror_host(server: ReplicaServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    bodies = set()
    for host in sorted(VIETNAM_VN.hosts):
        for path in ARTICLE_PATHS:
            status, headers, body = fetch(server, f"{host}:{server.port}", path)
            assert status == 200, (host, path)
            assert headers["Content-Type"].startswith("text/html")
            bodies.add((path, body))
    assert len(bodies) == len(ARTICLE_PATHS)  # mirrors serve identical bytes


def test_unknown_host_and_path_are_404(server: ReplicaServer) -> None:
    status, _, body = fetch(server, "example.com", ARTICLE_PATHS[0])
    assert status == 404
    status, headers, body = fetch(server, "www.vietnam.vn", "/khong-ton-tai")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html") and b"404" in body


def test_head_and_tracking_query(server: ReplicaServer) -> None:
    status, headers, body = fetch(server, "vietnam.vn", ARTICLE_PATHS[1], method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    status, _, _ = fetch(server, "vietnam.vn", ARTICLE_PATHS[1] + "?utm_source=zalo")
    assert status == 200


def test_proxy_form_request(server: ReplicaServer) -> None:
    status, _, body = fetch(server, "ignored", f"http://vcdn.vietnam.vn{ARTICLE_PATHS[2]}")
    assert status == 200 and b"post-detail-container" in body


def test_conditional_requests_answer_304(server: ReplicaServer) -> None:
    _, headers, _ = fetch(server, "www.vietnam.vn", ARTICLE_PATHS[0])
    etag, modified = headers["ETag"], headers["Last-Modified"]
    page = ARTICLE_PATHS[0]
    status, _, body = fetch(server, "www.vietnam.vn", page, headers={"If-None-Match": etag})
    assert status == 304 and body == b""
    status, _, _ = fetch(server, "www.vietnam.vn", page, headers={"If-Modified-Since": modified})
    assert status == 304
    status, _, _ = fetch(server, "www.vietnam.vn", page, headers={"If-None-Match": '"x"'})
    assert status == 200


def test_robots_names_the_sitemap(server: ReplicaServer) -> None:
    status, headers, body = fetch(server, "www.vietnam.vn", "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert "Sitemap: https://www.vietnam.vn/sitemap.xml" in text
    assert "Disallow: /search" in text


def locs(server: ReplicaServer, url: str) -> dict[str, str | None]:
    status, _, body = fetch(server, "www.vietnam.vn", url.removeprefix("https://www.vietnam.vn"))
    assert status == 200, url
    root = etree.fromstring(body)
    return {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.iter(f"{SM}url")}


def test_sitemaps_link_every_article(server: ReplicaServer) -> None:
    site = load_site()
    status, _, body = fetch(server, "www.vietnam.vn", "/sitemap.xml")
    assert status == 200
    index = etree.fromstring(body)
    assert index.tag == f"{SM}sitemapindex"
    children = {s.findtext(f"{SM}loc"): s.findtext(f"{SM}lastmod") for s in index}
    base = "https://www.vietnam.vn"
    for family in ("page", "category", "author", "organization", "tag"):
        assert f"{base}/sitemap/sitemap-{family}.xml" in children
    assert f"{base}/news-sitemap.xml" in children
    daily = sorted(c for c in children if "/sitemap-post/" in c)
    days = sorted({v.day.isoformat() for v in site.articles})
    assert daily == [f"{base}/sitemap/sitemap-post/{d}.xml" for d in days]
    assert len(days) >= 5
    seen: set[str] = set()
    for url in daily:
        day = url.rsplit("/", 1)[1].removesuffix(".xml")
        found = locs(server, url)
        assert set(found) == {v.url for v in site.articles if v.day.isoformat() == day}
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", m or "")
                   for m in found.values())
        assert children[url] == max(found.values())  # the index's lastmod is the file's newest
        seen |= set(found)
    assert seen == {v.url for v in site.articles}
    assert "https://www.vietnam.vn/sitemap/sitemap-post/2023-09-14.xml" in daily


def test_other_sitemaps_name_served_pages(server: ReplicaServer) -> None:
    base = "https://www.vietnam.vn"
    for family in ("page", "category", "author", "organization", "tag"):
        found = locs(server, f"{base}/sitemap/sitemap-{family}.xml")
        assert found, family
        for url in found:
            status, _, body = fetch(server, "www.vietnam.vn", url.removeprefix(base))
            assert status == 200, url
            assert family == "category" or b"v-link-title" in body, url
    authors = locs(server, f"{base}/sitemap/sitemap-author.xml")
    assert f"{base}/authors/hoang-lan" in authors
    assert f"{base}/" in locs(server, f"{base}/sitemap/sitemap-page.xml")


def test_news_sitemap_holds_the_newest_day(server: ReplicaServer) -> None:
    site = load_site()
    status, _, body = fetch(server, "www.vietnam.vn", "/news-sitemap.xml")
    assert status == 200
    root = etree.fromstring(body)
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    newest = max(v.day for v in site.articles)
    expected = {v.url: v for v in site.articles if v.day == newest}
    urls = list(root.iter(f"{SM}url"))
    assert {u.findtext(f"{SM}loc") for u in urls} == set(expected)
    for u in urls:
        view = expected[u.findtext(f"{SM}loc")]
        assert u.findtext(f"{news}news/{news}title") == view.record["headline"]
        assert u.findtext(f"{news}news/{news}publication/{news}language") == view.edition
        assert u.findtext(f"{news}news/{news}publication/{news}name") == "Vietnam.vn"
        assert u.findtext(f"{news}news/{news}publication_date") == view.record["lastmod"]


def test_category_page_lists_the_articles(server: ReplicaServer) -> None:
    site = load_site()
    for slug in ("the-gioi", "kinh-te", "du-lich"):
        status, _, body = fetch(server, "www.vietnam.vn", f"/category/{slug}")
        assert status == 200
        tree = html.fromstring(body)
        links = tree.xpath("//a[contains(@class, 'v-link-title')]")
        members = [v for v in site.articles if v.record.get("category") == slug]
        assert {a.get("href") for a in links} == {v.path for v in members}
        assert all(not a.get("href").startswith("http") for a in links)
        assert all(a.get("title") == a.text_content() for a in links)
        assert len(tree.xpath("//img[@data-src]")) == sum(1 for v in members if v.thumb)


def test_sample_page_holds_the_real_text_in_order(server: ReplicaServer) -> None:
    _, _, body = fetch(server, "www.vietnam.vn", ARTICLE_PATHS[0])
    text = visible_text(body)
    position = 0
    for line in SAMPLE_TEXT.read_text("utf-8").splitlines():
        wanted = " ".join(line.split())
        if not wanted:
            continue
        found = text.find(wanted, position)
        assert found >= 0, f"missing or out of order: {wanted!r}"
        position = found + len(wanted)


def test_article_page_structure() -> None:
    site = build_site()
    page = html.fromstring(site[("www.vietnam.vn", ARTICLE_PATHS[0])].body)
    assert page.xpath("string(//h1[1])").startswith("Rusia-Korea Utara")
    hreflang = {e.get("hreflang"): e.get("href") for e in page.xpath("//link[@rel='alternate']")}
    assert hreflang == {
        "vi": f"https://www.vietnam.vn/{SLUG}",
        "en": f"https://www.vietnam.vn/en/{SLUG}",
        "id": f"https://www.vietnam.vn/id/{SLUG}",
    }
    assert not page.xpath("//script[@type='application/ld+json']")
    assert not page.xpath("//meta[@property='article:published_time']")
    for href in page.xpath("//a[contains(@class, 'v-link-title')]/@href"):
        assert href.startswith("/id/")


def test_golden_files_match_the_generator() -> None:
    pairs = golden_pairs(load_site())
    on_disk = {p.stem for p in GOLDEN.glob("*.html")}
    assert on_disk == set(pairs)
    for name, (page, expected) in pairs.items():
        assert (GOLDEN / f"{name}.html").read_text("utf-8") == page, name
        assert (GOLDEN / f"{name}.json").read_text("utf-8") == expected, name


def test_expected_json_follows_the_contract() -> None:
    for path in GOLDEN.glob("*.json"):
        item = json.loads(path.read_text("utf-8"))
        assert tuple(item) == FIELD_NAMES, path.name
        assert item["canonical_url"] == canonical_url(item["url"])
        assert item["messages"] == validation_messages(item)
        assert item["body"].split("\n\n")[0] == item["lead"]
        assert item["body"].split("\n\n") == re.findall(r"<p>(.*?)</p>", html_unescape_p(item))
        assert item["language"] not in item["translations"]
        assert item["parser"].split("+")[0] == "vietnam_vn/1"
        text = json.dumps(item, ensure_ascii=False)
        assert unicodedata.is_normalized("NFC", text), path.name
        for image in item["images"]:
            assert set(image) == {"url", "caption", "credit", "alt"}
            assert image["url"].startswith("https://")
            assert "(" not in (image["credit"] or "") and ":" not in (image["credit"] or "")
        relations = {"related_box", "inline", "source", "same_topic", "same_category",
                     "same_author"}
        for link in item["related_links"]:
            assert link["relation"] in relations and link["url"].startswith("https://")
        assert item["source"] not in item["authors"]


def html_unescape_p(item: dict) -> str:
    from html import unescape

    return unescape(item["body_html"])


def test_hand_written_sample_agrees_with_the_records() -> None:
    """The generator's own expectation of the sample equals the hand-written one."""
    site = load_site()
    (view,) = [v for v in site.articles if v.hand_expected is not None]
    assert computed_article(site, view) == json.loads(view.hand_expected.read_text("utf-8"))


def test_build_site_is_fast_enough_to_call_per_session() -> None:
    import time

    start = time.perf_counter()
    site = build_site()
    assert time.perf_counter() - start < 2.0
    assert ("thongtin.vietnam.vn", "/sitemap.xml") in site


def test_build_all_serves_vietnam_vn_and_every_site_replica_unchanged() -> None:
    """The full replica is vietnam.vn's host map plus each site module's, byte for byte; a
    site never answers for a vietnam.vn host."""
    from portal_crawler.replica.generate import build_all
    from portal_crawler.replica.sites import SITES, site_module

    alone = build_site()
    everything = build_all()
    assert {k: v.body for k, v in alone.items()} == {
        k: everything[k].body for k in alone}
    served = set(alone)
    for name in SITES:
        pages = site_module(name).build()
        assert pages, f"replica site {name} serves nothing"
        assert not {host for host, _ in pages} & {host for host, _ in alone}
        assert all(everything[k].body == v.body for k, v in pages.items())
        served |= set(pages)
    assert served == set(everything)
