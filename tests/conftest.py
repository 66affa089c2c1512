"""Shared fixtures: one replica server and one real crawl per test session."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The session crawl's clock: the replica's relative dates ("2 giờ trước") are expected against
# this fetch time (tests/pages/vietnam_vn/vi_relative_pho_di_bo.json), absolute ones need none.
CRAWL_CLOCK = "2023-09-16T05:00:00+00:00"
# The `scrapy` command of this environment, whether or not its bin/ is on PATH.
SCRAPY = str(Path(sys.executable).parent / "scrapy")


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 180,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run a command in a fresh process: a Twisted reactor cannot restart in this one."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          env=full_env, cwd=cwd)


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return run(sys.executable, "-m", "portal_crawler", *args, **kwargs)


def copy_archive(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture(scope="session")
def site():
    from portal_crawler.replica.generate import build_site

    return build_site()


@pytest.fixture(scope="session")
def window(site) -> list[str]:
    """--since/--until covering every day of the replica, up to today: a relative date
    ("2 giờ trước") is a day of the fetch, by whichever clock the crawl runs (the window
    bounds the archive, tests/test_crawl_window.py)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    days = site.days()
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1)
    return ["--since", days[0].isoformat(), "--until", max(days[-1], today).isoformat()]


@pytest.fixture(scope="session")
def replica(site):
    from portal_crawler.replica.server import ReplicaServer

    with ReplicaServer(site) as server:
        yield server


@pytest.fixture(scope="session")
def crawled_archive(replica, window, tmp_path_factory) -> Path:
    """The replica crawled once through the real engine over real HTTP; copy it to write."""
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{replica.port}",
                 "--db", str(db), *window, env={"PORTAL_CRAWLER_NOW": CRAWL_CLOCK})
    assert result.returncode == 0, result.stdout + result.stderr
    return db


@pytest.fixture
def archive_copy(crawled_archive, tmp_path) -> Path:
    return copy_archive(crawled_archive, tmp_path / "archive.db")
