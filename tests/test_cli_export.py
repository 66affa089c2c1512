"""`export`: JSONL round-trips, CSV and Parquet carry the same articles, WARC reads back."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from portal_crawler.archive.store import Archive
from portal_crawler.article import Article
from portal_crawler.cli import main
from portal_crawler.exports.links import EXPORT_FIELDS


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_jsonl_round_trips_to_the_same_articles(crawled_archive, tmp_path):
    before = hashlib.sha256(crawled_archive.read_bytes()).hexdigest()
    out = tmp_path / "all.jsonl"
    result = invoke("export", "--db", str(crawled_archive), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    with Archive.open_reader(crawled_archive) as archive:
        assert len(lines) == archive.count("articles")
        for line in lines:
            article = Article.from_dict(json.loads(line))
            assert article == archive.get_article(article.id)
    assert hashlib.sha256(crawled_archive.read_bytes()).hexdigest() == before


def test_jsonl_to_stdout_with_filters(crawled_archive):
    result = invoke("export", "--db", str(crawled_archive), "--lang", "id")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    with Archive.open_reader(crawled_archive) as archive:
        expected = [a.id for a in archive.iter_articles() if a.language == "id"]
    assert sorted(r["id"] for r in rows) == sorted(expected) and expected


def test_csv_has_every_field_and_nested_json(crawled_archive, tmp_path):
    out = tmp_path / "all.csv"
    assert invoke("export", "--db", str(crawled_archive), "--format", "csv",
                  "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert list(rows[0]) == list(EXPORT_FIELDS)  # the contract's, then the archive's links
    with Archive.open_reader(crawled_archive) as archive:
        for row in rows:
            article = archive.get_article(row["id"])
            assert row["headline"] == article.headline and row["body"] == article.body
            assert json.loads(row["images"]) == article.images
            assert json.loads(row["translations"]) == article.translations


def test_parquet_keeps_nested_types(crawled_archive, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "all.parquet"
    result = invoke("export", "--db", str(crawled_archive), "--format", "parquet",
                    "-o", str(out))
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    assert table.column_names == list(EXPORT_FIELDS)
    with Archive.open_reader(crawled_archive) as archive:
        assert table.num_rows == archive.count("articles")
        for row in table.to_pylist():
            article = archive.get_article(row["id"])
            assert row["images"] == article.images
            assert row["related_links"] == article.related_links
            assert dict(row["translations"]) == article.translations


def test_warc_reads_back_with_warcio(crawled_archive, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "pages.warc.gz"
    result = invoke("export", "--db", str(crawled_archive), "--format", "warc", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(crawled_archive)
    stored = {url: (status, fetched_at) for url, status, fetched_at in
              conn.execute("select url, status, fetched_at from pages")}
    conn.close()
    with Archive.open_reader(crawled_archive) as archive:
        from portal_crawler.archive.queries import Filters, iter_pages

        bodies = {p["url"]: p["body"] for p in iter_pages(archive, Filters())}
    seen = {}
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                assert record.rec_type == "warcinfo"
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            seen[url] = record.content_stream().read()
            assert int(record.http_headers.get_statuscode()) == stored[url][0]
            assert record.rec_headers.get_header("WARC-Date").startswith(stored[url][1][:19])
            assert record.http_headers.get_header("Content-Type").startswith("text/html")
    assert seen == bodies and len(seen) == len(stored)


@pytest.mark.parametrize("target", ["missing-dir/out.jsonl", "."])
def test_an_unwritable_target_is_one_line(crawled_archive, tmp_path, target):
    result = invoke("export", "--db", str(crawled_archive), "-o", str(tmp_path / target))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
