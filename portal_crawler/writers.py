"""One archive writer per process: crawlers that run side by side in one process (a concurrent
crawl plan, the demo) share it instead of each taking the lock.

The archive lock (`<archive>.lock`, an OS `flock`) belongs to an open file, not to a process:
a second crawler opening the same archive would be refused by its own process. So the first
user opens the writer (lock, migration, killed runs marked), later users share that
connection, and the last one to let go closes it. Scrapy runs every crawler of a process on
one reactor thread, and each write is one synchronous transaction, so two crawlers' writes
never interleave inside a transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .archive.store import Archive, resolve_db_path


@dataclass
class _Shared:
    archive: Archive
    users: int = 0


_OPEN: dict[Path, _Shared] = {}


def _key(path: str | os.PathLike[str] | None) -> Path:
    return resolve_db_path(path).resolve()


def acquire(path: str | os.PathLike[str] | None, purpose: str = "") -> Archive:
    """The archive's writer for this process: opened (and locked) by the first user only.
    Raises what `Archive.open_writer` raises (ArchiveLocked, NotAnArchive, ...)."""
    key = _key(path)
    shared = _OPEN.get(key)
    if shared is None:
        shared = _OPEN[key] = _Shared(Archive.open_writer(path, purpose=purpose))
    shared.users += 1
    return shared.archive


def release(archive: Archive) -> None:
    """One user is done; the last one closes the connection and releases the lock."""
    for key, shared in list(_OPEN.items()):
        if shared.archive is archive:
            shared.users -= 1
            if shared.users <= 0:
                del _OPEN[key]
                archive.close()
            return
    archive.close()  # not shared: opened elsewhere


def users(path: str | os.PathLike[str] | None) -> int:
    """How many users share this process's writer of the archive (0: not open here)."""
    shared = _OPEN.get(_key(path))
    return shared.users if shared is not None else 0


@contextmanager
def holding(path: str | os.PathLike[str] | None, purpose: str = "") -> Iterator[Archive]:
    """Hold the writer for a whole group of crawls: the lock is taken once, before the first
    crawl, and kept between them, so no other process slips in between two jobs."""
    archive = acquire(path, purpose)
    try:
        yield archive
    finally:
        release(archive)
