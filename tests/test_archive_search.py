"""Full-text search as analysts meet it: our CLI, Datasette's table search box and
`sqlite-utils search` find accented, folded and đ words and show the original text; the FTS5
syntax docs/analysts.md shows works as written.

Oracles: the articles' own text (as the replica served it) read with a fold written here from
Unicode's decomposition, and FTS5's documented NEAR rule."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import time
import unicodedata
import urllib.parse
from pathlib import Path

import pytest
from conftest import ROOT, run
from test_cli_browse import free_port, get_json

SQLITE_UTILS = str(Path(sys.executable).parent / "sqlite-utils")
HEADLINE = "Đóng góp ý kiến vào việc truyền thông quảng bá hình ảnh Việt Nam trong kỷ nguyên mới"


def fold(text: str) -> str:
    """Case, marks and đ removed: Unicode's canonical decomposition minus combining marks."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c)).casefold()


def words(text: str | None) -> list[str]:
    return re.findall(r"\w+", fold(text or ""))


def article_texts(db: Path) -> dict[str, list[list[str]]]:
    """Per article id, the word lists of its headline, lead, body and captions."""
    conn = sqlite3.connect(db)
    texts = {}
    for id_, headline, lead, body in conn.execute(
            "select id, headline, lead, body from articles"):
        captions = [c for (c,) in conn.execute(
            "select caption from images where article_id = ? and caption != '' "
            "order by position", [id_])]
        texts[id_] = [words(headline), words(lead), words(body), words("\n".join(captions))]
    conn.close()
    return texts


def near(columns: list[list[str]], a: str, b: str, distance: int) -> bool:
    """FTS5: NEAR(a b, N) holds when at most N tokens stand between the two, in one column."""
    for tokens in columns:
        at_a = [i for i, t in enumerate(tokens) if t == a]
        at_b = [i for i, t in enumerate(tokens) if t == b]
        if any(abs(i - j) - 1 <= distance for i in at_a for j in at_b):
            return True
    return False


def invoke(*args: str) -> tuple[int, str, str]:
    """The real `portal-crawler` command, in this process (a subprocess costs a second)."""
    from click.testing import CliRunner

    from portal_crawler.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def cli_ids(db: Path, *args: str) -> set[str]:
    code, out, err = invoke("search", *args, "--db", str(db), "--format", "json",
                            "--limit", "1000")
    assert code == 0, err
    return {row["id"] for row in json.loads(out)} if out.strip() else set()


@pytest.fixture(scope="module")
def target(crawled_archive) -> str:
    conn = sqlite3.connect(crawled_archive)
    (id_,) = conn.execute("select id from articles where headline = ?", [HEADLINE]).fetchone()
    conn.close()
    return id_


# -- đ, accents and folding everywhere -----------------------------------------------------
@pytest.mark.parametrize("query", ["Đóng", "đóng", "dong", "DONG", "Dóng"])
def test_our_cli_finds_accented_folded_and_d_words(query, crawled_archive, target):
    assert target in cli_ids(crawled_archive, query)


@pytest.mark.parametrize("query", ["Đóng", "đóng", "dong", "Đóng góp", "dong gop"])
def test_sqlite_utils_search_finds_them_and_shows_the_original_text(query, archive_copy):
    result = run(SQLITE_UTILS, "search", str(archive_copy), "article_search", query, "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert HEADLINE in [row["headline"] for row in rows], result.stdout[:500]


@pytest.fixture(scope="module")
def datasette_base(crawled_archive):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal_crawler", "browse", "--db", str(crawled_archive),
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
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


@pytest.mark.parametrize("query", ["Đóng", "đóng", "dong", "Đóng góp", "dong gop"])
def test_datasette_search_box_finds_them_and_shows_the_original_text(query, datasette_base):
    # what the table page's search box sends: ?_search=
    params = urllib.parse.urlencode({"_search": query, "_shape": "array", "_size": "max"})
    rows = get_json(f"{datasette_base}/article_search.json?{params}")
    assert HEADLINE in [row["headline"] for row in rows]
    page = urllib.request.urlopen(f"{datasette_base}/article_search?"
                                  + urllib.parse.urlencode({"_search": query}), timeout=10)
    assert HEADLINE in page.read().decode()


def test_chinese_bigrams_still_found(crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    id_, headline = conn.execute(
        "select id, headline from articles where language = 'zh-cn' limit 1").fetchone()
    conn.close()
    run_of_han = re.search(r"[\u4e00-\u9fff]{4,}", headline).group(0)
    assert id_ in cli_ids(crawled_archive, run_of_han[1:4])  # inside an unspaced run


# -- the FTS5 syntax docs/analysts.md shows ------------------------------------------------
def test_near_as_documented(crawled_archive):
    texts = article_texts(crawled_archive)
    for distance in (0, 1, 5):
        expected = {i for i, cols in texts.items() if near(cols, "kerja", "pertahanan", distance)}
        found = cli_ids(crawled_archive, f"NEAR(kerja pertahanan, {distance})")
        assert found == expected, distance
    assert cli_ids(crawled_archive, "NEAR(kerja pertahanan, 5)")  # the query


@pytest.mark.parametrize(("query", "rule"), [
    ('"kerja sama" pertahanan',
     lambda c: any("kerja sama" in " ".join(t) for t in c) and any("pertahanan" in t for t in c)),
    ("kerja AND pertahanan", lambda c: any("kerja" in t for t in c)
     and any("pertahanan" in t for t in c)),
    ("pertahanan OR pariwisata", lambda c: any("pertahanan" in t or "pariwisata" in t
                                               for t in c)),
    ("kerja NOT pertahanan", lambda c: any("kerja" in t for t in c)
     and not any("pertahanan" in t for t in c)),
    ("headline:pertahanan", lambda c: "pertahanan" in c[0]),
    ("Triều*", lambda c: any(w.startswith("trieu") for t in c for w in t)),
    ("Nga-Triều", lambda c: any("nga trieu" in " ".join(t) for t in c)),
    ("(kerja OR budaya) NOT pertahanan", lambda c: any(
        "kerja" in t or "budaya" in t for t in c) and not any("pertahanan" in t for t in c)),
])
def test_documented_syntax_finds_what_it_says(query, rule, crawled_archive):
    texts = article_texts(crawled_archive)
    expected = {i for i, cols in texts.items() if rule(cols)}
    assert expected, "the replica has no article for this query"
    assert cli_ids(crawled_archive, query) == expected


def test_every_documented_search_example_runs(crawled_archive):
    """The `portal-crawler search` lines of docs/analysts.md, run as written."""
    text = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    import shlex

    commands = []
    for line in text.splitlines():
        for part in line.split(" ; "):
            part = part.split("  #")[0].strip()
            if part.startswith("portal-crawler search "):
                commands.append(shlex.split(part)[1:])
    assert len(commands) >= 5
    for command in commands:
        code, out, err = invoke(*command, "--db", str(crawled_archive))
        # exit 0: the query is valid as written (words the replica lacks find nothing)
        assert code == 0, (command, err)
        assert out.strip() or err.strip() == "no articles found", command


def test_an_archive_with_the_old_index_is_migrated(crawled_archive, tmp_path):
    """Archives of the previous version indexed only the folded text (schema v3): their next
    writer rebuilds the index, and the search box then finds and shows the original."""
    import sqlite_utils

    from portal_crawler.archive import schema
    from portal_crawler.archive.search_text import index_text
    from portal_crawler.archive.store import Archive

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for number, step in enumerate(schema.MIGRATIONS[:3], start=1):
        step(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("attach database ? as crawled", [str(crawled_archive)])
    for table in ("articles", "images"):
        db.execute(f"insert into {table} select * from crawled.{table}")
    for id_, headline, lead, body in db.execute(
            "select id, headline, lead, body from articles").fetchall():
        captions = "\n".join(c for (c,) in db.execute(
            "select caption from images where article_id = ? and caption != '' "
            "order by position", [id_]))
        db.execute("insert into article_search values (?, ?, ?, ?, ?)",
                   [id_, *(index_text(t) for t in (headline, lead, body, captions))])
    db.conn.commit()
    db.execute("detach database crawled")
    db.close()
    result = run(SQLITE_UTILS, "search", str(path), "article_search", "Đóng", "--csv")
    assert HEADLINE not in result.stdout  # the old index: folded text, "Đóng" not found
    Archive.open_writer(path).close()
    result = run(SQLITE_UTILS, "search", str(path), "article_search", "Đóng", "--csv")
    assert HEADLINE in [r["headline"] for r in csv.DictReader(io.StringIO(result.stdout))]
    for query in ("dong", "NEAR(kerja pertahanan, 5)", "Triều*", "越南"):
        expected = cli_ids(crawled_archive, query)
        assert expected and cli_ids(path, query) == expected, query


def test_datasette_search_box_finds_a_two_character_chinese_word(datasette_base,
                                                                 crawled_archive):
    conn = sqlite3.connect(crawled_archive)
    expected = {h for (h,) in conn.execute(
        "select headline from articles where instr(headline || lead || body, '越南') > 0")}
    conn.close()
    params = urllib.parse.urlencode({"_search": "越南", "_shape": "array", "_size": "max"})
    rows = get_json(f"{datasette_base}/article_search.json?{params}")
    assert expected and {row["headline"] for row in rows} == expected
