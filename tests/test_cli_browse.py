"""`browse`: Datasette on loopback, read-only, answering canned queries over real HTTP."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from portal_crawler.browse import CANNED_QUERIES, COLUMNS, TABLES, metadata


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def attempt(url: str, data: bytes | None = None, json_body: bool = False) -> int:
    """The HTTP status of a request (GET, or POST with `data`)."""
    headers = {"Content-Type": "application/json"} if json_body else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def datasette(crawled_archive):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal_crawler", "browse", "--db", str(crawled_archive),
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get_json(f"{base}/-/versions.json")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode()) from None
                time.sleep(0.2)
        yield f"{base}/{crawled_archive.stem}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_canned_queries_over_http(datasette, crawled_archive):
    before = hashlib.sha256(crawled_archive.read_bytes()).hexdigest()
    # Datasette's own report of how it opened the file (0.65 sends is_mutable here)
    (database,) = [d for d in get_json(f"{datasette.rsplit('/', 1)[0]}/-/databases.json")
                   if d["name"] == crawled_archive.stem]
    assert database["is_mutable"] is False
    rows = get_json(f"{datasette}/articles_per_day_per_edition.json?_shape=array")
    conn = sqlite3.connect(crawled_archive)
    expected = conn.execute(CANNED_QUERIES["articles_per_day_per_edition"]["sql"]).fetchall()
    assert [(r["day"], r["language"], r["articles"]) for r in rows] == expected
    assert sum(r["articles"] for r in rows) == conn.execute(
        "select count(*) from articles where date_published is not null").fetchone()[0]
    # the search folds the query as the index does: đ -> d, so "Đ..." finds "D..."/"đ..."
    headline, id_ = conn.execute(
        "select headline, id from articles where language = 'vi' limit 1").fetchone()
    word = max(headline.split(), key=len).strip('",.')
    query = urllib.parse.urlencode({"q": word, "_shape": "array"})
    found = get_json(f"{datasette}/search.json?{query}")
    assert id_ in [r["id"] for r in found]
    assert get_json(f"{datasette}/search.json?q=&_shape=array") == []
    headlines = conn.execute("select id, headline from articles order by id").fetchall()
    conn.close()
    # read-only, proved by trying: write SQL and write requests are refused, nothing changes
    writes = [
        "update articles set headline = 'overwritten'",
        "delete from articles",
        "insert into crawl_runs (spider) values ('intruder')",
        "drop table failures",
        "pragma user_version = 99",
        "create table intruder (x)",
    ]
    for sql in writes:
        status = attempt(f"{datasette}.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status >= 400, sql
        status = attempt(f"{datasette}/search", data=urllib.parse.urlencode(
            {"sql": sql, "q": "x"}).encode())
        assert status >= 400, sql
    # Datasette's write API (1.0): insert, upsert, drop, create
    for path in ("/articles/-/insert", "/articles/-/upsert", "/failures/-/drop", "/-/create"):
        body = json.dumps({"row": {"id": "x"}, "rows": [{"id": "x"}], "table": "intruder",
                           "confirm": True}).encode()
        assert attempt(f"{datasette}{path}", data=body, json_body=True) >= 400, path
    assert hashlib.sha256(crawled_archive.read_bytes()).hexdigest() == before
    conn = sqlite3.connect(f"file:{crawled_archive}?mode=ro", uri=True)
    assert conn.execute("select id, headline from articles order by id").fetchall() == headlines
    assert conn.execute("pragma user_version").fetchone()[0] != 99
    conn.close()


def test_metadata_documents_every_table_view_and_column(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type in ('table', 'view') "
        "and name not like 'sqlite_%' and name not like 'article_search_fts_%'")]
    for name in names:
        assert TABLES.get(name), f"table {name} has no description"
        columns = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
        missing = [c for c in columns if not COLUMNS[name].get(c)]
        assert not missing, f"{name}: undocumented columns {missing}"
    conn.close()
    meta = metadata("archive")["databases"]["archive"]
    assert {"search", "articles_per_day_per_edition", "top_sources", "articles_without_date",
            "changed_after_publication"} <= set(meta["queries"])


def test_without_datasette_it_says_how_to_install(crawled_archive, monkeypatch):
    import importlib.util

    from click.testing import CliRunner

    from portal_crawler.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "datasette" else real(name, *a))
    result = CliRunner().invoke(main, ["browse", "--db", str(crawled_archive)])
    assert result.exit_code == 1
    assert "pip install 'portal-crawler[browse]'" in result.stderr
