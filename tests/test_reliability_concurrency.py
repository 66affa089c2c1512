"""Concurrent use of one archive: one writer at a time (the second is refused at start, naming
the holder), readers see a consistent archive while a crawl writes, the file is never damaged.

The first crawl is held at its article pages by gated faults (the replica answers them only
when the test says so), so every step waits for a known state instead of sleeping.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from conftest import CRAWL_CLOCK, ROOT, cli
from test_crawl_e2e import rows
from test_reliability_faults import (  # noqa: F401 - _clean_crawl: the fixture
    _clean_crawl,
    archived,
    article_paths,
    assert_correct,
    assert_sound,
)

from portal_crawler.archive.store import Archive, NotAnArchive
from portal_crawler.replica import faults as F
from portal_crawler.replica.faults import FaultPlan
from portal_crawler.replica.server import ReplicaServer

WAIT = 120.0  # seconds: generous, the machine is shared


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_crawl(server: ReplicaServer, db: Path, window: list[str], log: Path,
                *extra: str) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "portal_crawler", "crawl", "vietnam_vn", "--replica",
             f"127.0.0.1:{server.port}", "--db", str(db), *window,
             "-s", "DOWNLOAD_TIMEOUT=180", *extra],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "PORTAL_CRAWLER_NOW": CRAWL_CLOCK})


def run_outcomes(db: Path) -> list[str]:
    """Outcomes in crawl_runs, read as a reader would ([] while there is no archive yet)."""
    try:
        with Archive.open_reader(db) as archive:
            return [r[0] for r in archive.db.execute("select outcome from crawl_runs")]
    except NotAnArchive:
        return []


def finish(proc: subprocess.Popen, log: Path) -> str:
    proc.wait(timeout=WAIT)
    text = log.read_text()
    assert "Traceback" not in text and "Unhandled error" not in text, text[-3000:]
    return text


def test_a_second_writer_is_refused_at_start_naming_the_holder(site, window, tmp_path):
    db, log = tmp_path / "a.db", tmp_path / "first.log"
    gate = threading.Event()
    plan = FaultPlan({path: F.held(gate) for path in article_paths()})
    with ReplicaServer(site, faults=plan) as server:
        first = start_crawl(server, db, window, log)
        try:
            wait_for(lambda: run_outcomes(db) == ["running"] and plan.served,
                     "the first crawl to hold the archive")
            second = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                         "--db", str(db), *window)
            assert second.returncode == 1, second.stdout + second.stderr
            assert f"is being written by pid {first.pid}" in second.stderr, second.stderr
            assert "Traceback" not in second.stderr
            reparse = cli("reparse", "--db", str(db))
            assert reparse.returncode != 0
            assert f"is being written by pid {first.pid}" in reparse.stderr, reparse.stderr
            assert "Traceback" not in reparse.stderr
        finally:
            gate.set()
            text = finish(first, log)
    assert first.returncode == 0, text[-3000:]
    # The refused commands left no trace: one run, the first one's.
    assert rows(db, "select pid, outcome from crawl_runs") == [{"pid": first.pid, "outcome": "ok"}]
    got = archived(db)
    for path, expected in article_paths().items():
        assert_correct(got[path], expected)
    assert_sound(db)


class Reader(threading.Thread):
    """Reads the archive in a loop while a crawl writes it: fresh read-only connections and one
    long-lived one; records every error and the article counts it saw, in order."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.counts: list[int] = []
        self.rounds = 0

    def check(self, archive: Archive) -> None:
        with archive.snapshot():  # counts from one state of the archive, as the CLI reads
            self._check(archive)

    def _check(self, archive: Archive) -> None:
        db = archive.db
        (articles,) = db.execute("select count(*) from articles").fetchone()
        # Written in one transaction with its article: never seen apart.
        (orphans,) = db.execute(
            "select count(*) from articles a left join article_search s on s.article_id = a.id "
            "where s.article_id is null").fetchone()
        (search,) = db.execute("select count(*) from article_search_fts").fetchone()
        if orphans or search != articles:
            self.errors.append(f"inconsistent: {articles} articles, {orphans} without search "
                               f"rows, {search} indexed")
        for article in archive.iter_articles():
            if not article.headline:
                self.errors.append(f"article without headline: {article.id}")
        db.execute("select count(*) from images").fetchone()
        db.execute("select outcome, counts from crawl_runs").fetchall()
        self.counts.append(articles)

    def run(self) -> None:
        long_lived: Archive | None = None
        while not self.stop.is_set():
            try:
                if long_lived is None and self.db.is_file():
                    with contextlib.suppress(NotAnArchive):  # not migrated yet
                        long_lived = Archive.open_reader(self.db)
                if long_lived is not None:
                    self.check(long_lived)
                    with Archive.open_reader(self.db) as fresh:
                        self.check(fresh)
                    self.rounds += 1
            except (sqlite3.Error, OSError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.01)
        if long_lived is not None:
            long_lived.close()


def test_readers_see_a_consistent_archive_while_a_crawl_writes(site, window, tmp_path):
    db, log = tmp_path / "a.db", tmp_path / "crawl.log"
    paths = sorted(article_paths())
    gates = {path: threading.Event() for path in paths}
    plan = FaultPlan({path: F.held(gates[path]) for path in paths})
    reader = Reader(db)
    with ReplicaServer(site, faults=plan) as server:
        crawl = start_crawl(server, db, window, log, "-s", "PORTAL_CRAWLER_BATCH_SIZE=1")
        try:
            reader.start()
            wait_for(lambda: run_outcomes(db) == ["running"], "the crawl to start")
            released: set[str] = set()
            while len(released) < len(paths):
                # Release the pages in the order the crawl asks for them, one at a time.
                wait_for(lambda: set(plan.served) - released, "the crawl to ask for a page")
                path = sorted(set(plan.served) - released)[0]
                if not released:  # read commands while the crawl holds the writer lock
                    for command in (("runs",), ("stats",), ("search", "Triều Tiên")):
                        result = cli(*command, "--db", str(db))
                        assert result.returncode == 0, (command, result.stderr)
                        assert "locked" not in result.stdout + result.stderr
                gates[path].set()
                released.add(path)
                wait_for(lambda p=path: p in {urlsplit(r["url"]).path
                                              for r in rows(db, "select url from pages")},
                         f"{path} to be written")
        finally:
            for gate in gates.values():
                gate.set()
            text = finish(crawl, log)
            reader.stop.set()
            reader.join(timeout=WAIT)
    assert crawl.returncode == 0, text[-3000:]
    assert reader.errors == []
    assert reader.rounds > len(paths)
    assert reader.counts == sorted(reader.counts)  # counts only grow
    assert reader.counts[-1] == rows(db, "select count(*) n from articles")[0]["n"] > 0
    assert_sound(db)
