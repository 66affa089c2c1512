"""`reparse`: today's extract() over the stored pages; versions only where articles changed."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from click.testing import CliRunner

from portal_crawler.archive.lock import WriterLock
from portal_crawler.archive.store import Archive
from portal_crawler.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def table(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_reparse_of_an_unchanged_archive_changes_nothing(archive_copy):
    before = table(archive_copy, "select id, content_hash, version, status from articles "
                                 "order by id")
    result = invoke("reparse", "--db", str(archive_copy))
    assert result.exit_code == 0, result.stderr
    assert f"reparsed {len(before)} pages: 0 articles changed, {len(before)} unchanged" \
        in result.stdout
    assert table(archive_copy, "select id, content_hash, version, status from articles "
                               "order by id") == before
    assert table(archive_copy, "select count(*) from article_versions") == [(0,)]


def test_an_older_parsers_output_becomes_a_version(archive_copy):
    with Archive.open_writer(archive_copy) as archive:
        articles = list(archive.iter_articles())
        older = [replace(a, headline=a.headline + " (old parser)", images=[], parser="old/0")
                 for a in articles[:2]]
        assert archive.save_articles(older) == ["updated", "updated"]
        conn = archive.db
        conn.execute("update articles set status = 'withdrawn', withdrawn_at = 'x' "
                     "where id = ?", [articles[0].id])
    versions = table(archive_copy, "select count(*) from article_versions")[0][0]
    result = invoke("reparse", "--db", str(archive_copy))
    assert result.exit_code == 0, result.stderr
    assert "2 articles changed" in result.stdout
    assert "changed fields: " in result.stdout and "headline 2" in result.stdout
    assert "images" in result.stdout
    after = table(archive_copy, "select count(*) from article_versions")[0][0]
    assert after == versions + 2
    with Archive.open_reader(archive_copy) as archive:
        for article in articles[:2]:
            now = archive.get_article(article.id)
            assert now.headline == article.headline and now.images == article.images
    # re-parsing is not a fetch: the withdrawn article stays withdrawn
    assert table(archive_copy, f"select status from articles where id = '{articles[0].id}'") \
        == [("withdrawn",)]
    again = invoke("reparse", "--db", str(archive_copy))
    assert "0 articles changed" in again.stdout


def test_reparse_filters_and_lock(archive_copy):
    (n,) = table(archive_copy, "select count(*) from articles where language = 'id'")[0]
    result = invoke("reparse", "--db", str(archive_copy), "--lang", "id")
    assert result.exit_code == 0 and f"reparsed {n} pages" in result.stdout
    lock = WriterLock(archive_copy)
    lock.acquire("test writer")
    try:
        result = invoke("reparse", "--db", str(archive_copy))
    finally:
        lock.release()
    assert result.exit_code == 1 and "being written by" in result.stderr
    assert result.stderr.count("\n") == 1
