"""Raw pages read back byte for byte once the zstd dictionary exists (it trains on the first
64 pages: the 34-page session archive never has one). Oracle: the bytes the replica serves
for each URL, fetched here over HTTP without Scrapy."""

from __future__ import annotations

import sqlite3
import urllib.parse
import urllib.request

import pytest
from conftest import cli
from warcio.archiveiterator import ArchiveIterator

from portal_crawler.archive import page_codec
from portal_crawler.archive.queries import Filters, iter_pages
from portal_crawler.archive.store import Archive

ARTICLES = 90  # more article pages than the dictionary's training sample


@pytest.fixture(scope="module")
def big_crawl(tmp_path_factory):
    """A synthetic replica larger than the training sample, crawled once through the CLI."""
    from portal_crawler.replica.generate import build_site
    from portal_crawler.replica.server import ReplicaServer
    from portal_crawler.replica.synth import synthesize

    site = build_site(site=synthesize(ARTICLES, seed=11))
    days = site.days()
    db = tmp_path_factory.mktemp("pages") / "archive.db"
    with ReplicaServer(site) as server:
        result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                     "--db", str(db), "--since", days[0].isoformat(),
                     "--until", days[-1].isoformat(), "-s", "LOG_LEVEL=WARNING")
        assert result.returncode == 0, result.stderr
        served = {}
        conn = sqlite3.connect(db)
        for (url,) in conn.execute("select url from pages"):
            parts = urllib.parse.urlsplit(url)
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}{parts.path}"
                + (f"?{parts.query}" if parts.query else ""),
                headers={"Host": parts.hostname, "Accept-Encoding": "identity"})
            with urllib.request.urlopen(request, timeout=10) as response:
                served[url] = response.read()
        conn.close()
    return db, served


def test_the_dictionary_exists_and_compresses_later_pages(big_crawl):
    db, served = big_crawl
    conn = sqlite3.connect(db)
    total, with_dict = conn.execute("select count(*), count(dict_id) from pages").fetchone()
    (dicts,) = conn.execute("select count(*) from page_dicts").fetchone()
    conn.close()
    assert total == len(served) > page_codec.TRAIN_SAMPLES
    assert dicts == 1 and 0 < with_dict < total


def test_raw_pages_read_back_as_served(big_crawl):
    db, served = big_crawl
    with Archive.open_reader(db) as archive:
        pages = list(iter_pages(archive, Filters()))
    assert {p["url"] for p in pages} == set(served)
    for page in pages:
        assert page["body"] == served[page["url"]], page["url"]


def test_warc_records_carry_the_served_bytes(big_crawl, tmp_path):
    db, served = big_crawl
    out = tmp_path / "pages.warc.gz"
    result = cli("export", "--db", str(db), "--format", "warc", "--output", str(out))
    assert result.returncode == 0, result.stderr
    payloads = {}
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                url = record.rec_headers.get_header("WARC-Target-URI")
                payloads[url] = record.content_stream().read()
    assert payloads == served
    conn = sqlite3.connect(db)
    dict_urls = {u for (u,) in conn.execute("select url from pages where dict_id is not null")}
    conn.close()
    assert dict_urls and all(payloads[u] == served[u] for u in dict_urls)
