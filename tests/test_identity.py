"""One URL, one identity: mirrors, www/bare, slashes, tracking, fragments, editions."""

from __future__ import annotations

import pytest

from portal_crawler.identity import (
    article_id,
    article_slug,
    canonical_url,
    content_fingerprint,
    edition_of,
)

SAME = [
    "https://www.vietnam.vn/id/rusia-korea",
    "http://vietnam.vn/id/rusia-korea",
    "https://vcdn.vietnam.vn/id/rusia-korea/",
    "https://thongtin.vietnam.vn/id/rusia-korea?utm_source=fb&fbclid=abc#comments",
    "https://WWW.VIETNAM.VN/id/rusia-korea",
]


@pytest.mark.parametrize("url", SAME)
def test_mirrors_fold_to_one_canonical_url(url):
    assert canonical_url(url) == "https://www.vietnam.vn/id/rusia-korea"


def test_editions_and_real_query_parameters_stay_distinct():
    urls = ["https://www.vietnam.vn/rusia-korea", "https://www.vietnam.vn/en/rusia-korea",
            "https://www.vietnam.vn/category/the-gioi?page=2"]
    assert len({article_id(canonical_url(u)) for u in urls}) == 3
    assert canonical_url(urls[2]) == urls[2]


def test_canonical_url_is_idempotent():
    for url in SAME:
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_other_sites_keep_their_host_but_drop_www_and_tracking():
    assert canonical_url("https://www.baoquocte.vn/a-1.html?utm_medium=x") == (
        "https://baoquocte.vn/a-1.html")


def test_id_is_16_hex_of_sha256():
    ident = article_id("https://www.vietnam.vn/id/rusia-korea")
    assert len(ident) == 16 and int(ident, 16) >= 0


@pytest.mark.parametrize(("url", "lang"), [
    ("https://www.vietnam.vn/rusia-korea", "vi"),
    ("https://www.vietnam.vn/id/rusia-korea", "id"),
    ("https://www.vietnam.vn/ZH-CN/abc", "zh-cn"),
    ("https://thongtin.vietnam.vn/en/abc", "en"),
    ("https://www.vietnam.vn/category/the-thao", "vi"),
])
def test_edition_is_the_path_prefix(url, lang):
    assert edition_of(url) == lang


def test_slug_ignores_edition_and_twin_suffix():
    assert article_slug("https://www.vietnam.vn/en/hop-tac-du-lich-3") == "hop-tac-du-lich"
    assert article_slug("https://www.vietnam.vn/hop-tac-du-lich") == "hop-tac-du-lich"


def test_fingerprint_folds_nfd_case_and_spacing():
    nfc = content_fingerprint("vi", "Đường phố", "Hà Nội  mùa thu")
    nfd = content_fingerprint("vi", "Đường phố", "Ha\u0300 Nô\u0323i mùa thu")
    assert nfc == nfd
    assert nfc != content_fingerprint("id", "Đường phố", "Hà Nội mùa thu")
