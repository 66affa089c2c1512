"""Which files are archives: a missing or empty file becomes one, our own files (SQLite's
application_id, or the tables of an archive written before the mark) open, anything else is
refused before a byte of it changes. Readers open archives on read-only media."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SCRAPY, cli, copy_archive, run

from portal_crawler.archive import schema
from portal_crawler.archive.store import Archive, NotAnArchive

# The value docs/archive.md documents, read from the file header's bytes 68..71 (big-endian),
# as SQLite's file format defines them: not from our own constant.
DOCUMENTED_APPLICATION_ID = 0x70637261  # "pcra"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def header_ints(path: Path) -> tuple[int, int]:
    """(user_version, application_id) from the database header (sqlite.org/fileformat.html)."""
    header = path.read_bytes()[:100]
    return int.from_bytes(header[60:64], "big"), int.from_bytes(header[68:72], "big")


def _garbage(path: Path) -> None:
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(8192)))


def _text(path: Path) -> None:
    path.write_text("Đường Hồ Chí Minh\nnot an archive\n" * 200, encoding="utf-8")


def _made_archive(path: Path) -> None:
    Archive.open_writer(path).close()
    Path(f"{path}.lock").unlink()


def _damaged_page_one(path: Path) -> None:
    """An archive whose first page (the schema's root) was overwritten after the header."""
    _made_archive(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = bytes(range(256)) * 15 + bytes(range(256))[: 3996 - 3840]
    path.write_bytes(bytes(data))


def _truncated(path: Path) -> None:
    _made_archive(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, text)")
    conn.execute("insert into notes (text) values ('mine')")
    conn.commit()
    conn.close()


def _geopackage(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("pragma application_id = 0x47504b47")  # another application's mark
    conn.execute("create table articles (id)")
    conn.execute("pragma user_version = 1")
    conn.commit()
    conn.close()


def _device(path: Path) -> None:
    path.symlink_to("/dev/null")  # reads as empty, yet is no file to make an archive of


NOT_ARCHIVES = {
    "device": _device, "garbage": _garbage, "text": _text, "damaged": _damaged_page_one,
    "truncated": _truncated, "sqlite": _other_sqlite, "other-application": _geopackage,
}


def _leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != name)


@pytest.mark.parametrize("kind", sorted(NOT_ARCHIVES))
def test_a_file_that_is_not_an_archive_is_refused_untouched(kind, tmp_path):
    path = tmp_path / "x.db"
    NOT_ARCHIVES[kind](path)
    before = digest(path)
    for opener in (Archive.open_writer, Archive.open_reader):
        with pytest.raises(NotAnArchive, match="not a portal-crawler archive") as info:
            opener(path)
        assert "\n" not in str(info.value) and str(path) in str(info.value)
        assert digest(path) == before
        assert _leftovers(tmp_path, "x.db") == []  # no -wal, -journal, -shm or lock file


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_a_missing_or_empty_file_becomes_a_marked_archive(kind, tmp_path):
    path = tmp_path / "new.db"
    if kind == "empty":
        path.touch()
    Archive.open_writer(path).close()
    assert header_ints(path) == (schema.SCHEMA_VERSION, DOCUMENTED_APPLICATION_ID)
    Archive.open_reader(path).close()


def test_an_archive_of_the_previous_version_is_recognized_and_marked(tmp_path):
    """Archives written before the mark (schema v2, application_id 0) keep working."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for number, step in enumerate(schema.MIGRATIONS[:2], start=1):
        step(db)
        db.execute(f"PRAGMA user_version = {number}")
    conn.commit()
    conn.close()
    assert header_ints(path) == (2, 0)
    Archive.open_reader(path).close()  # a reader accepts it and never writes the mark
    assert header_ints(path) == (2, 0)
    Archive.open_writer(path).close()
    assert header_ints(path) == (schema.SCHEMA_VERSION, DOCUMENTED_APPLICATION_ID)


def test_crawl_into_a_non_archive_says_one_line_and_changes_nothing(replica, tmp_path):
    path = tmp_path / "x.db"
    _garbage(path)
    before = digest(path)
    served = len(replica.requests)
    result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{replica.port}",
                 "--db", str(path), "--since", "2023-09-14", "--until", "2023-09-15")
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "not a portal-crawler archive" in result.stderr
    assert digest(path) == before and _leftovers(tmp_path, "x.db") == []
    assert len(replica.requests) == served
    # scrapy crawl: its own exit status, but no traceback and one error line; no run recorded
    path.unlink()
    _other_sqlite(path)  # the case: 17 tables were added to it
    before = digest(path)
    served = len(replica.requests)
    result = run(SCRAPY, "crawl", "vietnam_vn", "-s", f"PORTAL_CRAWLER_DB={path}",
                 "-s", "LOG_LEVEL=INFO",
                 env={"PORTAL_CRAWLER_REPLICA": f"127.0.0.1:{replica.port}"})
    log = result.stderr
    for bad in ("Traceback", "Unhandled error", "CRITICAL", "AssertionError"):
        assert bad not in log, log
    errors = [line for line in log.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "not a portal-crawler archive" in errors[0], log
    assert len(replica.requests) == served  # the crawl stopped before any request
    assert digest(path) == before


# -- read-only media ------------------------------------------------------------------------
def _read_only_mount_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null "
                            "|| mount -t tmpfs none /tmp"], capture_output=True)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _read_only_mount_available(),
                                 reason="needs unshare -rm (user + mount namespaces)")


def _on_read_only_mount(folder: Path, *command: str) -> list[str]:
    """The command in a mount namespace where `folder` is a read-only bind mount: real
    read-only media, as root too (chmod does not stop root)."""
    script = (f'mount --bind "{folder}" "{folder}" && '
              f'mount -o remount,bind,ro "{folder}" && exec "$@"')
    return ["unshare", "-rm", "sh", "-c", script, "sh", *command]


@pytest.fixture
def read_only_archive(archive_copy, tmp_path) -> Path:
    """A WAL-mode archive alone in its folder, as a user copies it to a read-only disk."""
    folder = tmp_path / "media"
    folder.mkdir()
    path = copy_archive(archive_copy, folder / "archive.db")
    conn = sqlite3.connect(path)
    assert conn.execute("pragma journal_mode = wal").fetchone() == ("wal",)
    conn.close()
    assert sorted(p.name for p in folder.iterdir()) == ["archive.db"]
    return path


@needs_mount
def test_search_reads_an_archive_on_read_only_media(read_only_archive):
    folder = read_only_archive.parent
    before = digest(read_only_archive)
    conn = sqlite3.connect(read_only_archive)
    headline = conn.execute(
        "select headline from articles where language = 'vi' order by id limit 1").fetchone()[0]
    conn.close()  # an open connection keeps the -shm this test is about
    assert sorted(p.name for p in folder.iterdir()) == ["archive.db"]
    word = max(headline.split(), key=len).strip('",.:')
    command = _on_read_only_mount(folder, sys.executable, "-m", "portal_crawler", "search",
                                  word, "--db", str(read_only_archive), "--format", "json")
    result = run(*command)
    assert result.returncode == 0, result.stderr
    assert headline in result.stdout
    stats = run(*_on_read_only_mount(folder, sys.executable, "-m", "portal_crawler", "stats",
                                     "--db", str(read_only_archive)))
    assert stats.returncode == 0, stats.stderr
    assert digest(read_only_archive) == before


@needs_mount
def test_browse_serves_an_archive_on_read_only_media(read_only_archive):
    from test_cli_browse import free_port, get_json

    folder = read_only_archive.parent
    port = free_port()
    process = subprocess.Popen(
        _on_read_only_mount(folder, sys.executable, "-m", "portal_crawler", "browse", "--db",
                            str(read_only_archive), "--port", str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                rows = get_json(f"http://127.0.0.1:{port}/archive.json?_shape=array&sql="
                                "select+count(*)+as+n+from+articles")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode()) from None
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)
    expected = sqlite3.connect(read_only_archive).execute(
        "select count(*) from articles").fetchone()[0]
    assert rows == [{"n": expected}] and expected > 0


@needs_mount
def test_commits_only_in_the_write_ahead_log_on_read_only_media_are_named(read_only_archive,
                                                                          tmp_path):
    """A writer killed before its checkpoint leaves commits in the -wal and no -shm: on
    read-only media SQLite cannot read them, and an immutable read would silently miss them."""
    folder = read_only_archive.parent
    conn = sqlite3.connect(read_only_archive)
    conn.execute("pragma wal_autocheckpoint = 0")
    conn.execute("update articles set source = 'Only In The Log' where language = 'vi'")
    conn.commit()
    shutil.copy(read_only_archive, tmp_path / "a.db")
    shutil.copy(f"{read_only_archive}-wal", tmp_path / "a.db-wal")
    conn.close()
    for name in ("archive.db-wal", "archive.db-shm"):
        (folder / name).unlink(missing_ok=True)
    shutil.copy(tmp_path / "a.db", read_only_archive)
    shutil.copy(tmp_path / "a.db-wal", f"{read_only_archive}-wal")
    assert b"Only In The Log" not in read_only_archive.read_bytes()
    result = run(*_on_read_only_mount(folder, sys.executable, "-m", "portal_crawler", "stats",
                                      "--db", str(read_only_archive)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "archive.db-wal" in result.stderr and "read-only" in result.stderr
