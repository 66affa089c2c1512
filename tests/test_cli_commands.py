"""`extract` and `crawl --follow-related`, run as the real command in a subprocess.

Oracles: the reference pages (tests/pages: saved HTML with the Article it must give), the
README's documented commands as written, and the replica's request log (what was fetched)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from conftest import CRAWL_CLOCK, ROOT, cli
from parsel import Selector

from portal_crawler.article import FIELD_NAMES
from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer

PAGES = ROOT / "tests" / "pages" / "vietnam_vn"


def comparable(name: str, value: Any) -> Any:
    """As tests/test_golden.py compares: body_html by its paragraphs' text, the parser by name."""
    if name == "body_html":
        return [t for t in Selector(text=value or "<p></p>").xpath("//p")
                .xpath("normalize-space(string())").getall() if t]
    if name == "parser":
        return value.split("+", 1)[0]
    return value


# -- extract -----------------------------------------------------------------------------------
def test_extract_gives_the_reference_articles():
    """`extract PAGE --url URL --fetched-at T`, as documented, against each page's reference."""
    for stem in ("id_sample_nga_trieu_tien", "vi_relative_pho_di_bo", "zh_hoi_an_than_thien"):
        expected = json.loads((PAGES / f"{stem}.json").read_text(encoding="utf-8"))
        result = cli("extract", str(PAGES / f"{stem}.html"), "--url", expected["url"],
                     "--fetched-at", expected["fetched_at"])
        assert result.returncode == 0, result.stderr
        [line] = result.stdout.splitlines()
        got = json.loads(line)
        assert list(got) == list(FIELD_NAMES)
        for name in FIELD_NAMES:
            assert comparable(name, got[name]) == comparable(name, expected[name]), (stem, name)


def test_extract_finds_each_pages_url_and_reports_a_non_page(tmp_path):
    """Without --url, a saved page is known by its canonical link (so the portal's parser
    runs); a file that is not HTML is one line on stderr, exit 1, and the others still come."""
    stems = ["en_chip_ban_dan", "th_ngay_du_lich"]
    other = tmp_path / "notes.txt"
    other.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    files = [str(PAGES / f"{stems[0]}.html"), str(other), str(PAGES / f"{stems[1]}.html")]
    result = cli("extract", *files)
    assert result.returncode == 1
    assert result.stderr == f"portal-crawler: {other}: not an HTML document\n"
    got = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [json.loads((PAGES / f"{s}.json").read_text(encoding="utf-8")) for s in stems]
    assert [(g["id"], g["url"], g["headline"]) for g in got] == [
        (e["id"], e["url"], e["headline"]) for e in expected]
    assert all(g["parser"].startswith("vietnam_vn") for g in got)


def test_extract_of_a_missing_file_is_a_bad_argument(tmp_path):
    result = cli("extract", str(tmp_path / "missing.html"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


# -- crawl --follow-related ------------------------------------------------------------------
START = "pho-hang-ma-ruc-ro-sac-mau-don-trung-thu"  # vi, 2023-09-15, an absolute date
RELATED = "ha-noi-mo-rong-khong-gian-di-bo-quanh-ho-hoan-kiem"  # its same_topic/same_author


def chained_site(site: SiteMap, length: int) -> SiteMap:
    """The replica, where START's related article is /chain-1, whose related is /chain-2, ...:
    pages that no sitemap or listing names, reachable only through the related lists."""
    chained = SiteMap(site)
    chained.not_found = site.not_found
    host = "www.vietnam.vn"
    page = site[(host, f"/{START}")]
    assert page.body.count(RELATED.encode()) >= 2  # the related list names it
    chained[(host, f"/{START}")] = replace(page, body=page.body.replace(
        RELATED.encode(), b"chain-1"))
    for n in range(1, length + 1):
        body = page.body.replace(START.encode(), f"chain-{n}".encode())
        chained[(host, f"/chain-{n}")] = replace(
            page, body=body.replace(RELATED.encode(), f"chain-{n + 1}".encode()))
    return chained


def fetched_chain(site: SiteMap, tmp_path: Path, depth: int) -> list[str]:
    with ReplicaServer(chained_site(site, 4)) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(tmp_path / f"depth{depth}.db"), "--lang", "vi",
                     "--since", "2023-09-15", "--until", "2023-09-15",
                     "--follow-related", str(depth), env={"PORTAL_CRAWLER_NOW": CRAWL_CLOCK})
        log = server.requests
    # Related pages the replica lacks are recorded 404s (the run may be "failed" for them).
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert ("GET", "www.vietnam.vn", f"/{START}") in log, "the start was not fetched"
    return sorted(p for _m, _h, p in log if p.startswith("/chain-"))


def test_follow_related_goes_exactly_as_deep_as_asked(site, tmp_path):
    assert fetched_chain(site, tmp_path, 0) == []
    assert fetched_chain(site, tmp_path, 2) == ["/chain-1", "/chain-2"]


def test_extract_refuses_a_bad_fetch_time_or_url():
    """A typo must not become an Article dated by the wrong clock or a URL-less record."""
    page = str(PAGES / "en_chip_ban_dan.html")
    for args, message in ((["--fetched-at", "yesterday"], "--fetched-at"),
                          (["--url", "www.vietnam.vn/en/x"], "--url")):
        result = cli("extract", page, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and message in result.stderr
        assert result.stdout == ""
