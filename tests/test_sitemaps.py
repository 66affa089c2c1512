"""Sitemap reading: the right children, and a non-sitemap is an error, never 'no news'."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from portal_crawler.discovery.sitemaps import (
    NotASitemap,
    daily_sitemap_day,
    in_window,
    read_sitemap,
)

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.vietnam.vn/sitemap/sitemap-post/2023-09-14.xml</loc>
<lastmod>2023-09-14T04:04:10.339Z</lastmod></sitemap>
<sitemap><loc>https://www.vietnam.vn/sitemap/sitemap-category.xml</loc></sitemap>
</sitemapindex>"""


def test_index_entries_with_lastmod():
    entries = read_sitemap(INDEX, "sitemapindex")
    assert [e.loc for e in entries] == [
        "https://www.vietnam.vn/sitemap/sitemap-post/2023-09-14.xml",
        "https://www.vietnam.vn/sitemap/sitemap-category.xml",
    ]
    assert entries[0].lastmod == "2023-09-14T04:04:10.339Z"


def test_gzipped_sitemap():
    assert len(read_sitemap(gzip.compress(INDEX), "sitemapindex")) == 2


@pytest.mark.parametrize("body", [
    b"<html><body><h1>Just a moment...</h1><p>Checking your browser</p></body></html>",
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00",
])
def test_a_challenge_page_is_not_a_sitemap(body):
    with pytest.raises(NotASitemap):
        read_sitemap(body, "sitemapindex")


def test_wrong_kind_is_refused():
    with pytest.raises(NotASitemap, match="urlset"):
        read_sitemap(INDEX, "urlset")


def test_daily_sitemap_day_and_window():
    day = daily_sitemap_day("https://www.vietnam.vn/sitemap/sitemap-post/2023-09-14.xml")
    assert day == date(2023, 9, 14)
    assert daily_sitemap_day("https://www.vietnam.vn/sitemap/sitemap-tag/3.xml") is None
    assert in_window(day, date(2023, 9, 14), date(2023, 9, 14))
    assert in_window(day, None, None)
    assert not in_window(day, date(2023, 9, 15), None)
    assert not in_window(None, None, None)
