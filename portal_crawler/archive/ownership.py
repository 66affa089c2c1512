"""Which files are ours, decided before anything writes: a crawl pointed at the wrong file
must leave it exactly as it was (no WAL switch, no journal, no tables of ours added).

Archives carry SQLite's `application_id` (docs/archive.md); archives written before the mark
are known by their schema version and tables, and get the mark on their next write-open.
Readers open read-only, and on read-only media (where a WAL archive's -shm cannot be created)
as immutable.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import urllib.parse
from pathlib import Path

# "pcra": portal-crawler archive, in the header's bytes 68..71 (PRAGMA application_id).
APPLICATION_ID = 0x70637261
SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every archive has had since schema v1: an unmarked file with them is an old archive.
LEGACY_TABLES = frozenset({"articles", "article_search", "pages", "crawl_runs", "failures"})


class NotAnArchive(RuntimeError):
    """The path does not hold a portal-crawler archive (or cannot be opened as one)."""


def _refuse(path: Path, why: str) -> NotAnArchive:
    return NotAnArchive(f"{path} is not a portal-crawler archive ({why})")


def _uri(path: Path, **params: str) -> str:
    query = urllib.parse.urlencode(params)
    return f"file:{urllib.parse.quote(str(path.resolve()))}?{query}"


def is_new(path: Path) -> bool:
    """A missing or empty file: one a writer may make into an archive."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return True
    return stat.S_ISREG(info.st_mode) and info.st_size == 0


def check_file(path: Path) -> str:
    """What the file is, reading only: "new" (missing or empty), "empty" (an SQLite database
    with nothing in it), "archive" (marked) or "legacy" (ours, written before the mark);
    anything else is refused (NotAnArchive).

    A file with no SQLite header is refused from its first bytes; a SQLite file from what
    SQLite reads of it read-only: its mark, its schema and its size."""
    if is_new(path):
        return "new"
    info = _check_header(path)
    # Without a -wal nothing is writing it: immutable reads create no -shm beside the file.
    live = Path(f"{path}-wal").exists()
    conn = connect_read_only(path) if live else _connect_immutable(path)
    try:
        return _check_schema(conn, path, info.st_size)
    finally:
        conn.close()


def _check_header(path: Path) -> os.stat_result:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, "not a regular file")
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise NotAnArchive(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise _refuse(path, "not an SQLite database")
    return info


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A read-only connection to an archive of ours (NotAnArchive otherwise)."""
    if not path.exists():
        raise NotAnArchive(f"no archive at {path}")
    # reading only first: a damaged file gets no -wal or -shm beside it
    if check_file(path) in ("new", "empty"):
        raise _refuse(path, "an empty file" if is_new(path) else "no archive tables")
    return connect_read_only(path)


def _check_schema(conn: sqlite3.Connection, path: Path, size: int) -> str:
    try:
        application_id = conn.execute("pragma application_id").fetchone()[0]
        version = conn.execute("pragma user_version").fetchone()[0]
        names = {row[0] for row in conn.execute("select name from sqlite_master")}
        pages = conn.execute("pragma page_count").fetchone()[0]
        page_size = conn.execute("pragma page_size").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _refuse(path, f"damaged: {exc}") from None
    wal = Path(f"{path}-wal")
    if size < pages * page_size and not (wal.exists() and wal.stat().st_size):
        raise _refuse(path, f"damaged: {size} bytes, its header says {pages * page_size}")
    if application_id == APPLICATION_ID:
        return "archive"
    if application_id:
        raise _refuse(path, f"an SQLite database of another application, application_id "
                            f"{application_id:#010x}")
    if not names and version == 0:
        return "empty"
    if version >= 1 and names >= LEGACY_TABLES:
        return "legacy"  # the writer's next migration marks it
    shown = ", ".join(sorted(n for n in names if not n.startswith("sqlite_"))[:5])
    raise _refuse(path, f"an SQLite database with other tables: {shown or 'none'}")


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Read-only, and on read-only media immutable: a WAL archive needs its -shm, which a
    read-only disk cannot hold. A log with commits the file lacks cannot be read there."""
    conn = sqlite3.connect(_uri(path, mode="ro"), uri=True, timeout=30)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        exc = error
        if "unable to open" not in str(exc):
            raise _refuse(path, str(exc)) from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _refuse(path, str(exc)) from None
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:  # immutable would ignore its commits
        raise NotAnArchive(f"cannot read {path} with its write-ahead log {wal} on read-only "
                           f"media ({exc}); copy both to writable storage")
    return _connect_immutable(path)


def _connect_immutable(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(_uri(path, immutable="1"), uri=True, timeout=30)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _refuse(path, str(exc)) from None
    return conn


def mark(conn: sqlite3.Connection) -> None:
    """Write the mark (inside a migration's transaction)."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
