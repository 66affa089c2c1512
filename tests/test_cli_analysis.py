"""`search`, `show`, `stats`, `runs` against the archive of the session's real crawl."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal_crawler.archive.rows import published_utc
from portal_crawler.archive.store import Archive
from portal_crawler.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "pages" / "vietnam_vn"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{3,}")
THAI = re.compile(r"[\u0e00-\u0e7f]{4,}")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def golden(language: str) -> list[dict]:
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLDEN.glob("*.json"))]
    return [p for p in pages if p["language"] == language]


def fold(text: str) -> str:
    """The test's own folding: case, combining marks and đ (not the code under test)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def fields(article) -> list[str]:
    captions = "\n".join(i["caption"] or "" for i in article.images)
    return [article.headline, article.lead or "", article.body, captions]


def archived(db: Path) -> list:
    with Archive.open_reader(db) as archive:
        return list(archive.iter_articles())


def search_ids(db: Path, *args: str) -> list[str]:
    code, out, err = invoke("search", *args, "--db", str(db), "--limit", "1000",
                            "--format", "json")
    assert code == 0, err
    return [row["id"] for row in json.loads(out)]


def has_words(article, words: list[str]) -> bool:
    for text in fields(article):
        tokens = re.findall(r"\w+", fold(text))
        n = len(words)
        if any(tokens[i:i + n] == words for i in range(len(tokens) - n + 1)):
            return True
    return False


def file_digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


# -- search --------------------------------------------------------------------------------
def test_search_folds_d_with_stroke(crawled_archive):
    words = sorted({w for page in golden("vi") for w in re.findall(r"\w+", page["body"])
                    if w[0] in "đĐ" and fold(w) != w.lower()}, key=len)
    assert words, "the Vietnamese golden page has no đ word"
    word = words[-1]
    query = fold(word)  # e.g. "duong" for "Đường"
    assert query.isascii()
    expected = {a.id for a in archived(crawled_archive) if has_words(a, [query])}
    assert {p["id"] for p in golden("vi") if p["id"] in expected}
    assert set(search_ids(crawled_archive, query)) == expected
    code, out, _ = invoke("search", query, "--db", str(crawled_archive))
    assert code == 0 and f"[{query}]" in fold(out)  # the original word is marked


def test_search_indonesian_phrase(crawled_archive):
    page = golden("id")[0]
    words = [w for w in re.findall(r"\w+", page["lead"] or page["body"]) if w.isalpha()][1:4]
    phrase = " ".join(words)
    expected = {a.id for a in archived(crawled_archive) if has_words(a, fold(phrase).split())}
    assert page["id"] in expected
    ids = search_ids(crawled_archive, f'"{phrase}"')
    assert set(ids) == expected
    code, out, _ = invoke("search", f'"{phrase}"', "--db", str(crawled_archive))
    marked = r"\[" + r"\W+".join(map(re.escape, words)) + r"\]"  # punctuation may stand between
    assert code == 0 and re.search(marked, out, re.IGNORECASE), out


def test_search_prefix_and_language_filter(crawled_archive):
    page = golden("id")[0]
    word = max(re.findall(r"[^\W\d_]+", page["headline"]), key=len)
    ids = search_ids(crawled_archive, word[:4] + "*", "--lang", "id")
    assert page["id"] in ids
    languages = {a.id: a.language for a in archived(crawled_archive)}
    assert {languages[i] for i in ids} == {"id"}


@pytest.mark.parametrize("language, script", [("zh-cn", HAN), ("th", THAI)])
def test_search_unspaced_scripts_from_the_replica(crawled_archive, language, script):
    pages = golden(language)
    assert pages, f"the replica has no {language} page"
    page = pages[0]
    run = script.search(page["headline"]) or script.search(page["body"])
    assert run, page["headline"]
    # A two-character Chinese word (FTS trigram indexes miss those), a Thai syllable run.
    word = run.group(0)[:2] if language == "zh-cn" else run.group(0)[:4]
    expected = {a.id for a in archived(crawled_archive)
                if any(word in unicodedata.normalize("NFC", t) for t in fields(a))}
    assert page["id"] in expected
    assert set(search_ids(crawled_archive, word)) == expected


def _article(base, n: int, **changes):
    url = f"{base.url}-synthetic-{n}"
    return replace(base, id=hashlib.sha256(url.encode()).hexdigest()[:16], url=url,
                   canonical_url=url, **changes)


@pytest.fixture
def synthetic(archive_copy):
    """The crawled archive plus Chinese, Thai and mixed-offset articles of our own."""
    base = archived(archive_copy)[0]
    articles = [
        _article(base, 1, language="zh-cn", headline="越南与印度尼西亚加强合作",
                 body="中华人民共和国外交部发言人表示欢迎。", lead=None, images=[],
                 date_published="2023-09-14T23:30:00+07:00"),
        _article(base, 2, language="th", headline="ความร่วมมือด้านกลาโหม",
                 body="ประเทศไทยและเวียดนามลงนามข้อตกลงความร่วมมือ", lead=None, images=[],
                 date_published="2023-09-14T20:00:00-05:00"),
    ]
    with Archive.open_writer(archive_copy) as archive:
        assert archive.save_articles(articles) == ["new", "new"]
    return archive_copy, articles


def test_search_chinese_and_thai_words_inside_unspaced_text(synthetic):
    db, (zh, th) = synthetic
    # The replica's own zh-cn and th pages may hold the same words: ours must be among the hits,
    # and a word found in no text finds nothing.
    assert zh.id in search_ids(db, "人民共和")
    assert zh.id in search_ids(db, "印度")
    assert th.id in search_ids(db, "เวียดนาม")
    assert th.id in search_ids(db, "กลาโหม")
    assert search_ids(db, "共和印") == []
    code, out, _ = invoke("search", "人民共和", "--db", str(db))
    assert code == 0
    assert "[人民共和]" in out


def test_date_filters_compare_instants_not_strings(synthetic):
    db, (zh, th) = synthetic
    # 23:30+07:00 on the 14th is the 14th in Vietnam; 20:00-05:00 on the 14th is the 15th
    # there (01:00 UTC), although its string starts with 2023-09-14.
    assert published_utc(th.date_published, th.portal) > published_utc(zh.date_published,
                                                                       zh.portal)
    ids = set(search_ids(db, "人民共和 OR กลาโหม", "--until", "2023-09-14"))
    assert ids == {zh.id}
    ids = set(search_ids(db, "人民共和 OR กลาโหม", "--since", "2023-09-15"))
    assert ids == {th.id}
    ids = set(search_ids(db, "人民共和 OR กลาโหม", "--since", "2023-09-14T17:00:00+00:00"))
    assert ids == {th.id}


def test_filters_select_what_they_say(crawled_archive):
    articles = archived(crawled_archive)
    source = next(a.source for a in articles if a.source)
    code, out, err = invoke("stats", "--db", str(crawled_archive), "--format", "json",
                            "--source", source, "--lang", "vi,id")
    assert code == 0, err
    result = json.loads(out)
    expected = [a for a in articles if a.language in ("vi", "id") and source in (a.source or "")]
    assert result["articles"] == len(expected)
    assert set(result["language"]) == {a.language for a in expected}
    days = sorted({a.date_published[:10] for a in articles if a.date_published})
    code, out, _ = invoke("stats", "--db", str(crawled_archive), "--format", "json",
                          "--since", days[0], "--until", days[0])
    assert json.loads(out)["day"] == {
        days[0]: sum(1 for a in articles if (a.date_published or "")[:10] == days[0])}


def test_search_rejects_bad_fts_syntax_in_one_line(crawled_archive):
    before = file_digest(crawled_archive)
    for query in ('"unclosed', "AND", "nosuchcolumn:word", "(("):
        code, out, err = invoke("search", query, "--db", str(crawled_archive))
        assert code == 2, query  # the query is the user's argument (docs/analysts.md)
        assert err.startswith("Error: cannot search for") and err.count("\n") == 1, err
        assert "Traceback" not in err + out
    assert file_digest(crawled_archive) == before


# -- show, stats, runs -----------------------------------------------------------------------
def test_show_by_id_and_by_url_with_versions(archive_copy):
    article = archived(archive_copy)[0]
    code, out, err = invoke("show", article.id, "--db", str(archive_copy), "--format", "json")
    assert code == 0, err
    record = json.loads(out)
    assert record["article"] == article.to_dict()
    assert record["versions"] == []
    mirror = article.url.replace("://www.", "://") + "?utm_source=x"
    code, out, err = invoke("show", mirror, "--db", str(archive_copy))
    assert code == 0, err
    assert article.headline in out
    for image in article.images:
        assert image["url"] in out
    for link in article.related_links:
        assert link["url"] in out and f"{link['relation']}:" in out
    for url in article.translations.values():
        assert url in out
    changed = replace(article, headline=article.headline + " (updated)")
    with Archive.open_writer(archive_copy) as archive:
        assert archive.save_articles([changed]) == ["updated"]
    code, out, _ = invoke("show", article.id, "--db", str(archive_copy))
    assert "Earlier versions:" in out and "v1 replaced" in out and "changed headline" in out


def test_stats_counts_and_coverage(crawled_archive):
    articles = archived(crawled_archive)
    code, out, err = invoke("stats", "--db", str(crawled_archive), "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["articles"] == len(articles)
    assert sum(result["language"].values()) == len(articles)
    for language in {a.language for a in articles}:
        assert result["language"][language] == sum(a.language == language for a in articles)
    assert result["coverage"]["headline"] == 100.0
    with_images = sum(1 for a in articles if a.images)
    assert result["coverage"]["images"] == round(100 * with_images / len(articles), 1)
    code, out, _ = invoke("stats", "--db", str(crawled_archive))
    assert code == 0 and f"{len(articles)} articles" in out and "field coverage" in out


def test_runs_lists_the_crawl(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    (count,) = conn.execute("select count(*) from crawl_runs").fetchone()
    conn.close()
    code, out, err = invoke("runs", "--db", str(crawled_archive), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == count and rows[0]["outcome"] == "ok"
    assert rows[0]["counts"]["new"] == len(archived(crawled_archive))
    assert "since" in rows[0]["arguments"]
    code, out, _ = invoke("runs", "--db", str(crawled_archive))
    assert code == 0 and "vietnam_vn" in out and " ok " in out


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("args, message, status", [
    (["show", "0123456789abcdef"], "no article", 1),
    (["show", "https://www.vietnam.vn/id/no-such-article"], "no article", 1),
    # A wrong argument is exit status 2, as for click's own usage errors.
    (["search", "x", "--since", "2023-02-30"], "--since", 2),
    (["search", "x", "--until", "yesterday"], "--until", 2),
    (["stats", "--since", "2023-09-15", "--until", "2023-09-01"], "not before", 2),
    (["export", "--lang", "vn"], "unknown language vn", 2),
])
def test_bad_input_is_one_line(crawled_archive, args, message, status):
    before = file_digest(crawled_archive)
    code, _out, err = invoke(*args, "--db", str(crawled_archive))
    assert code == status
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert file_digest(crawled_archive) == before


@pytest.mark.parametrize("command", [["search", "x"], ["show", "x"], ["stats"], ["runs"],
                                     ["export"], ["reparse"], ["report", "-"], ["browse"]])
def test_every_command_refuses_a_missing_or_foreign_file(tmp_path, command):
    missing = tmp_path / "missing.db"
    code, _, err = invoke(*command, "--db", str(missing))
    assert code == 1 and "no archive at" in err and err.count("\n") == 1
    assert not missing.exists()
    other = tmp_path / "other.db"
    other.write_text("not a database at all " * 100)
    code, _, err = invoke(*command, "--db", str(other))
    assert code == 1 and "not a portal-crawler archive" in err and err.count("\n") == 1


def test_a_newer_schema_is_refused(archive_copy):
    conn = sqlite3.connect(archive_copy)
    conn.execute("pragma user_version = 999")
    conn.commit()
    conn.close()
    for command in (["stats"], ["reparse"], ["export"]):
        code, _, err = invoke(*command, "--db", str(archive_copy))
        assert code == 1 and "newer than this portal-crawler" in err, command
