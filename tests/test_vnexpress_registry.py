"""Subdomain editions in the registry (`edition_hosts`): an edition host is its own canonical
host and gives the page's language. Oracle: the registry rules as docs/adding-a-portal.md and
the portals.toml header state them, applied by hand to URLs written here."""

from __future__ import annotations

import pytest

from portal_crawler.identity import article_id, canonical_url, edition_of
from portal_crawler.portals import PORTALS, portal_for
from portal_crawler.registry import RegistryError, load_registry

VNEXPRESS = PORTALS["vnexpress.net"]


@pytest.mark.parametrize(("url", "canonical", "language"), [
    # The bare host is canonical; the www twin folds onto it.
    ("https://vnexpress.net/ha-noi-mo-them-tuyen-buyt-dien-4712345.html",
     "https://vnexpress.net/ha-noi-mo-them-tuyen-buyt-dien-4712345.html", "vi"),
    ("http://www.vnexpress.net/ha-noi-mo-them-tuyen-buyt-dien-4712345.html?utm_source=fb#box",
     "https://vnexpress.net/ha-noi-mo-them-tuyen-buyt-dien-4712345.html", "vi"),
    # The English edition keeps its own host, whatever the scheme or tracking.
    ("https://e.vnexpress.net/news/news/hanoi-adds-electric-bus-routes-4712399.html",
     "https://e.vnexpress.net/news/news/hanoi-adds-electric-bus-routes-4712399.html", "en"),
    ("http://E.VNEXPRESS.NET/news/news/hanoi-adds-electric-bus-routes-4712399.html?fbclid=1",
     "https://e.vnexpress.net/news/news/hanoi-adds-electric-bus-routes-4712399.html", "en"),
])
def test_edition_host_is_its_own_canonical_host(url, canonical, language):
    assert portal_for(url) is VNEXPRESS
    assert canonical_url(url) == canonical
    assert edition_of(url) == language


def test_the_two_editions_are_two_identities():
    vi = canonical_url("https://vnexpress.net/news/news/x-4712399.html")
    en = canonical_url("https://e.vnexpress.net/news/news/x-4712399.html")
    assert vi != en and article_id(vi) != article_id(en)


def test_vnexpress_entry_as_declared():
    assert VNEXPRESS.hosts == {"vnexpress.net", "www.vnexpress.net", "e.vnexpress.net"}
    assert VNEXPRESS.canonical_host == "vnexpress.net"
    assert VNEXPRESS.timezone == "Asia/Ho_Chi_Minh" and VNEXPRESS.parser == "vnexpress"
    assert VNEXPRESS.host_language("e.vnexpress.net") == "en"
    assert VNEXPRESS.host_language("vnexpress.net") is None
    assert VNEXPRESS.absolute("/rss/thoi-su.rss") == "https://vnexpress.net/rss/thoi-su.rss"
    assert "https://e.vnexpress.net/rss/news.rss" in VNEXPRESS.feeds


def test_vietnam_vn_still_folds_its_mirrors():
    assert canonical_url("https://vcdn.vietnam.vn/en/x/") == "https://www.vietnam.vn/en/x"
    assert edition_of("https://vietnam.vn/en/x/") == "en"


ENTRY = """
["example.org"]
canonical_host = "www.example.org"
hosts = ["www.example.org"]
default_language = "fr"
timezone = "Europe/Paris"
"""


def _load(tmp_path, extra: str):
    path = tmp_path / "portals.toml"
    path.write_text(ENTRY + extra, encoding="utf-8")
    return load_registry(path)


def test_edition_hosts_are_served_by_the_portal(tmp_path):
    portal = _load(tmp_path, 'edition_hosts = { en = "EN.example.org", de = "de.example.org" }\n')
    portal = portal["example.org"]
    assert portal.hosts == {"www.example.org", "en.example.org", "de.example.org"}
    assert portal.edition_hosts == (("en", "en.example.org"), ("de", "de.example.org"))
    assert portal.owns("https://de.example.org/a") and portal.host_language("de.example.org")


@pytest.mark.parametrize(("extra", "message"), [
    ('edition_hosts = ["en.example.org"]\n', "edition_hosts must be a table"),
    ('edition_hosts = { en = "" }\n', "edition_hosts.en must be a host name"),
    ('edition_hosts = { en = "https://en.example.org/" }\n', "must be a host name"),
    ('edition_hosts = { en = "www.example.org" }\n', "is the canonical host"),
    ('edition_hosts = { fr = "fr.example.org" }\n', "is the default language"),
    ('edition_hosts = { en = "x.example.org", de = "x.example.org" }\n', "names x.example.org"),
])
def test_a_wrong_edition_hosts_entry_is_named(tmp_path, extra, message):
    with pytest.raises(RegistryError, match=message):
        _load(tmp_path, extra)


def test_the_documented_vnexpress_entry_is_the_registrys(tmp_path):
    """docs/adding-a-portal.md's worked example loads as written and is the real entry (its
    feed list shortened)."""
    from dataclasses import replace
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "adding-a-portal.md").read_text("utf-8")
    block = next(b.split("```", 1)[0] for b in doc.split("```toml\n")[1:]
                 if b.startswith('["vnexpress.net"]'))
    path = tmp_path / "portals.toml"
    path.write_text(block, encoding="utf-8")
    documented = load_registry(path)["vnexpress.net"]
    assert set(documented.feeds) <= set(VNEXPRESS.feeds)
    assert replace(documented, feeds=VNEXPRESS.feeds) == VNEXPRESS
