"""The archive on a real SQLite file: identity rules, versions, the writer lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace

import pytest

from portal_crawler.archive.lock import ArchiveLocked, WriterLock
from portal_crawler.archive.rows import published_utc
from portal_crawler.archive.schema import SCHEMA_VERSION, SchemaTooNew
from portal_crawler.archive.store import Archive, NotAnArchive
from portal_crawler.article import Article
from portal_crawler.identity import article_id, canonical_url
from portal_crawler.items import FetchFailure, RawPage


def make_article(url: str = "https://www.vietnam.vn/id/contoh-berita", **changes) -> Article:
    canonical = canonical_url(url)
    base = Article(
        id=article_id(canonical), url=url, canonical_url=canonical, portal="vietnam.vn",
        language="id", headline="Judul berita", lead="Paragraf pertama.",
        body="Paragraf pertama.\n\nParagraf kedua.", body_html="<p>Paragraf pertama.</p>",
        source="Báo Quốc Tế", date_published="2023-09-14", date_published_raw="14/09/2023",
        images=[{"url": "https://vcdn.vietnam.vn/a.jpg", "caption": "Foto", "credit": "KCNA",
                 "alt": None}],
        related_links=[{"url": "https://baoquocte.vn/x", "text": "Sumber", "relation": "source"},
                       {"url": "https://www.vietnam.vn/id/y", "text": "Y",
                        "relation": "same_category"}],
        fetched_at="2023-09-14T12:00:00+00:00", parser="vietnam_vn/1",
    )
    return replace(base, **changes)


@pytest.fixture
def archive(tmp_path):
    with Archive.open_writer(tmp_path / "archive.db") as archive:
        yield archive


def test_new_then_unchanged_adds_nothing(archive):
    article = make_article()
    assert archive.save_articles([article]) == ["new"]
    later = replace(article, fetched_at="2023-09-15T12:00:00+00:00", parser="vietnam_vn/2")
    assert archive.save_articles([later]) == ["unchanged"]
    assert archive.count("articles") == 1
    assert archive.count("article_versions") == 0
    row = next(archive.db.query("select first_seen, last_seen, version from articles"))
    assert row == {"first_seen": "2023-09-14T12:00:00+00:00",
                   "last_seen": "2023-09-15T12:00:00+00:00", "version": 1}


def test_round_trip_is_the_same_article(archive):
    article = make_article()
    archive.save_articles([article])
    assert archive.get_article(article.id) == article


def test_same_topic_lists_do_not_make_versions(archive):
    article = make_article()
    archive.save_articles([article])
    moved = replace(article, related_links=[*article.related_links[:1],
                                            {"url": "https://www.vietnam.vn/id/z", "text": "Z",
                                             "relation": "same_topic"}])
    assert archive.save_articles([moved]) == ["unchanged"]


def test_real_change_keeps_earlier_version(archive):
    article = make_article()
    archive.save_articles([article])
    edited = replace(article, headline="Judul baru", fetched_at="2023-09-16T00:00:00+00:00")
    assert archive.save_articles([edited]) == ["updated"]
    version = next(archive.db.query("select * from article_versions"))
    assert version["version"] == 1
    assert json.loads(version["changed_fields"]) == ["headline"]
    assert json.loads(version["data"])["headline"] == "Judul berita"
    assert archive.get_article(article.id).headline == "Judul baru"
    assert next(archive.db.query("select version from articles"))["version"] == 2


def test_same_text_at_another_url_is_an_alias(archive):
    article = make_article()
    archive.save_articles([article])
    twin = make_article("https://www.vietnam.vn/id/contoh-berita-2")
    assert twin.id != article.id
    assert archive.save_articles([twin]) == ["alias"]
    assert archive.count("articles") == 1
    alias = next(archive.db.query("select * from aliases"))
    assert alias["article_id"] == article.id


def test_children_pages_failures(archive):
    article = make_article()
    archive.save_articles([article])
    archive.save_pages([RawPage(url=article.url, status=200, body=b"<html>x</html>" * 100,
                                headers={"Content-Type": ["text/html"]})])
    archive.save_failures([FetchFailure(url="https://www.vietnam.vn/x", reason="HttpError",
                                        status=404)], run_id=None)
    links = archive.db.query("select relation from links order by position")
    assert [r["relation"] for r in links] == ["source", "same_category"]
    page = next(archive.db.query("select * from pages"))
    assert len(page["body_zstd"]) < 1400
    assert next(archive.db.query("select status from failures"))["status"] == 404


@pytest.mark.parametrize(("text", "query"), [
    ("Hợp tác quốc phòng", "quoc phong"),
    ("Đường phố Hà Nội", "duong"),
    ("Đường phố Hà Nội", '"đường phố"'),
    ("中国人民银行发布公告", "银行"),
    ("東京都の天気は晴れ", "天気"),
    ("ประเทศไทยมีความสวยงาม", "ความสวย"),
])
def test_search_folds_d_and_segments_unspaced_scripts(archive, text, query):
    target = make_article(body=text)
    other = make_article("https://www.vietnam.vn/id/lain", body="Sesuatu yang lain sama sekali")
    archive.save_articles([target, other])
    assert archive.search_ids(query) == [target.id]


def test_search_covers_captions(archive):
    article = make_article()
    archive.save_articles([article])
    assert archive.search_ids("Foto") == [article.id]


def test_wal_and_schema_version(archive):
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_published_utc_is_sortable_instant():
    assert published_utc("2023-09-14", "vietnam.vn") == "2023-09-13T17:00:00+00:00"
    assert published_utc("2023-09-14T10:30:00+07:00", "vietnam.vn") == "2023-09-14T03:30:00+00:00"
    assert published_utc("not a date", "vietnam.vn") is None


def test_reader_refuses_missing_and_foreign_files(tmp_path):
    with pytest.raises(NotAnArchive):
        Archive.open_reader(tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NotAnArchive):
        Archive.open_reader(junk)
    assert not (tmp_path / "missing.db").exists()


def test_reader_refuses_newer_schema(tmp_path):
    path = tmp_path / "a.db"
    Archive.open_writer(path).close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew):
        Archive.open_reader(path)
    with pytest.raises(SchemaTooNew):
        Archive.open_writer(path)


def test_second_writer_is_refused_naming_the_holder(tmp_path):
    path = tmp_path / "a.db"
    holder = rf"pid {os.getpid()} \(first crawl\)"
    with Archive.open_writer(path, purpose="first crawl"), pytest.raises(ArchiveLocked,
                                                                        match=holder):
        Archive.open_writer(path)
    Archive.open_writer(path).close()


def test_killed_writer_releases_the_lock(tmp_path):
    path = tmp_path / "a.db"
    code = (
        "import sys, time\n"
        "from portal_crawler.archive.lock import WriterLock\n"
        f"WriterLock({str(path)!r}).acquire('doomed')\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(ArchiveLocked, match="doomed"):
            WriterLock(path).acquire()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        lock = WriterLock(path)
        lock.acquire()
        lock.release()
    finally:
        child.kill()


def test_a_relative_date_read_later_is_not_an_edit(archive):
    article = make_article(date_published="2023-09-16T10:00:00+07:00",
                           date_published_raw="2 giờ trước")
    archive.save_articles([article])
    later = replace(article, date_published="2023-09-16T13:00:00+07:00",
                    date_published_raw="5 giờ trước", fetched_at="2023-09-16T09:00:00+00:00")
    assert archive.save_articles([later]) == ["unchanged"]
    assert archive.get_article(article.id).date_published == "2023-09-16T10:00:00+07:00"
    absolute = replace(article, date_published="2023-09-15", date_published_raw="15/09/2023")
    assert archive.save_articles([absolute]) == ["updated"]


def test_pages_without_body_text_are_never_aliases(archive):
    video = make_article("https://www.vietnam.vn/video-toan-canh", headline="Video: Toàn cảnh",
                         body="", lead=None)
    gallery = make_article("https://www.vietnam.vn/anh-toan-canh", headline="Video: Toàn cảnh",
                           body="", lead=None)
    assert archive.save_articles([video, gallery]) == ["new", "new"]


def test_a_later_404_keeps_the_first_withdrawal_date(archive):
    article = make_article()
    archive.save_articles([article])
    assert archive.mark_withdrawn(article.url, "2023-09-20T00:00:00+00:00")
    assert archive.mark_withdrawn(article.url, "2023-09-21T00:00:00+00:00")  # still withdrawn
    row = next(archive.db.query("select status, withdrawn_at from articles"))
    assert row == {"status": "withdrawn", "withdrawn_at": "2023-09-20T00:00:00+00:00"}
    assert not archive.mark_withdrawn("https://www.vietnam.vn/id/never-archived", "x")


def test_page_state_knows_a_redirected_url_by_what_was_asked(archive):
    article = make_article()
    archive.save_articles([article])
    asked = "https://www.vietnam.vn/id/old-address"
    archive.save_pages([RawPage(url=article.url, request_url=asked, status=200, body=b"<p>x</p>",
                                headers={"ETag": ['"abc"']}, fetched_at=article.fetched_at)])
    state = archive.page_state(asked)
    assert state is not None and state.etag == '"abc"'
    assert archive.page_state("https://www.vietnam.vn/id/never-seen") is None
