"""scrapyd runs the project as it is: a real scrapyd on 127.0.0.1, started from a copy of
scrapy.cfg (no egg), schedules `vietnam_vn` against the replica through its HTTP API."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from test_crawl_e2e import expected_articles, rows

SCRAPYD = str(Path(sys.executable).parent / "scrapyd")
USER = "researcher"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Scrapyd:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """From a copy of the project's scrapy.cfg with a [scrapyd] section; the password
        comes from the environment, never from a file."""
        config = (ROOT / "scrapy.cfg").read_text(encoding="utf-8") + f"""
[scrapyd]
bind_address = 127.0.0.1
http_port = {self.port}
poll_interval = 0.2
eggs_dir = {self.folder / "eggs"}
logs_dir = {self.folder / "logs"}
dbs_dir = {self.folder / "dbs"}
max_proc = 2
"""
        (self.folder / "scrapy.cfg").write_text(config, encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SCRAPYD_", "PORTAL_CRAWLER_", "SCRAPY_"))}
        env.update(SCRAPYD_USERNAME=USER, SCRAPYD_PASSWORD=self.password)
        with open(self.folder / "scrapyd.out", "wb") as out:
            self.process = subprocess.Popen([SCRAPYD], cwd=self.folder, env=env, stdout=out,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if self.get("daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("scrapyd did not answer in 20 s\n" + self.output())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return (self.folder / "scrapyd.out").read_text(errors="replace")[-3000:]

    def request(self, endpoint: str, data: list[tuple[str, str]] | None = None, *,
                auth: bool = True) -> dict:
        url = f"http://127.0.0.1:{self.port}/{endpoint}"
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body)
        if auth:
            token = base64.b64encode(f"{USER}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def get(self, endpoint: str, **params: str) -> dict:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self.request(endpoint + query)


def wait_for(scrapyd: Scrapyd, job: str, state: str, timeout: float = 60) -> None:
    """Until listjobs.json lists the job as `state` (pending, running, finished)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(j["id"] == job for j in scrapyd.get("listjobs.json", project="default")[state]):
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job} not {state} in {timeout} s\n" + scrapyd.output())


@pytest.fixture
def scrapyd(tmp_path):
    server = Scrapyd(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_scrapyd_runs_the_project_without_an_egg(scrapyd, replica, window, tmp_path):
    with pytest.raises(urllib.error.HTTPError) as refused:
        scrapyd.request("listprojects.json", auth=False)
    assert refused.value.code == 401

    assert scrapyd.get("listprojects.json")["projects"] == ["default"]
    assert scrapyd.get("listspiders.json", project="default")["spiders"] == ["portal", "vietnam_vn"]

    db = tmp_path / "archive" / "scrapyd.db"
    scheduled = scrapyd.request("schedule.json", [
        ("project", "default"), ("spider", "vietnam_vn"),
        ("since", window[1]), ("until", window[3]),
        ("setting", f"PORTAL_CRAWLER_DB={db}"),
        ("setting", f"PORTAL_CRAWLER_REPLICA=127.0.0.1:{replica.port}"),
        ("setting", "PORTAL_CRAWLER_JOB=scrapyd daily"),
        # The replica needs no politeness delays.
        ("setting", "AUTOTHROTTLE_ENABLED=False"),
        ("setting", 'DOWNLOAD_SLOTS={"vietnam.vn": {"concurrency": 16, "delay": 0}}'),
    ])
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]

    wait_for(scrapyd, job, "finished")
    log = tmp_path / "logs" / "default" / "vietnam_vn" / f"{job}.log"
    assert log.is_file()

    ids = [r["id"] for r in rows(db, "select id from articles")]
    assert sorted(ids) == sorted(expected_articles()), log.read_text()[-3000:]
    (run,) = rows(db, "select spider, job, outcome, arguments, settings from crawl_runs")
    assert (run["spider"], run["job"], run["outcome"]) == ("vietnam_vn", "scrapyd daily", "ok")
    arguments = json.loads(run["arguments"])
    assert (arguments["since"], arguments["until"]) == (window[1], window[3])
    assert json.loads(run["settings"])["replica"] == f"127.0.0.1:{replica.port}"
    assert not list((tmp_path / "eggs").glob("**/*.egg"))


def has_run(db: Path) -> bool:
    """The crawl has recorded its run (the file may exist before its schema does)."""
    try:
        return db.is_file() and bool(rows(db, "select id from crawl_runs"))
    except sqlite3.OperationalError:
        return False


def test_a_cancelled_job_is_recorded_as_interrupted(scrapyd, replica, window, tmp_path):
    """cancel.json sends SIGINT: the crawl stops cleanly and its run says so (`interrupted`,
    as for Ctrl-C: nothing went wrong in the crawl itself, so not `failed`)."""
    db = tmp_path / "cancelled.db"
    job = scrapyd.request("schedule.json", [
        ("project", "default"), ("spider", "vietnam_vn"),
        ("since", window[1]), ("until", window[3]),
        ("setting", f"PORTAL_CRAWLER_DB={db}"),
        ("setting", f"PORTAL_CRAWLER_REPLICA=127.0.0.1:{replica.port}"),
        ("setting", "AUTOTHROTTLE_ENABLED=False"),
        # Slow enough to be cancelled mid-crawl.
        ("setting", 'DOWNLOAD_SLOTS={"vietnam.vn": {"concurrency": 1, "delay": 2}}'),
        # One request at a time: a graceful stop drains what the downloader already holds,
        # and the replica profile's 16 queued requests at 2 s each would outlast the wait.
        ("setting", "CONCURRENT_REQUESTS=1"),
    ])["jobid"]
    wait_for(scrapyd, job, "running")
    deadline = time.monotonic() + 20
    while not has_run(db):
        assert time.monotonic() < deadline, scrapyd.output()
        time.sleep(0.2)
    cancelled = scrapyd.request("cancel.json", [("project", "default"), ("job", job)])
    assert cancelled["prevstate"] == "running", cancelled
    wait_for(scrapyd, job, "finished", timeout=30)
    (run,) = rows(db, "select outcome, finish_reason from crawl_runs")
    assert (run["outcome"], run["finish_reason"]) == ("interrupted", "shutdown")
