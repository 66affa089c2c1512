"""What a user sees: bad --replica values, a replica that is not running, progress, the final
summary and Ctrl-C. Real subprocesses of the real commands against the replica on loopback."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SCRAPY, cli, run
from test_crawl_e2e import rows

from portal_crawler.identity import article_id, canonical_url
from portal_crawler.offline import ReplicaAddressError, parse_replica_address
from portal_crawler.replica import faults as F
from portal_crawler.replica.generate import build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import synthesize

SUMMARY = re.compile(r"crawl (\w+): (\d+) archived.*?, (\d+) failed, (\d+) out of window, "
                     r"(\d+) article pages fetched")


def free_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("replica", "message"), [
    ("localhost", "replica 'localhost' is not HOST:PORT on loopback"),
    ("10.0.0.1:8123", "replica '10.0.0.1:8123' is not on loopback"),
    ("127.0.0.1:notaport", "replica '127.0.0.1:notaport': 'notaport' is not a port"),
])
def test_bad_replica_is_one_line_and_exit_2(tmp_path, replica, message):
    db = tmp_path / "a.db"
    result = cli("crawl", "vietnam_vn", "--replica", replica, "--db", str(db), timeout=60)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"portal-crawler: {message}"), line
    assert result.stdout == "" and not db.exists()


@pytest.mark.parametrize("address", [
    "localhost:8123", "127.0.0.1:70000", "127.0.0.1:0", "127.0.0.1:", ":8123", "::1",
    "192.168.1.5:8123", "[::ffff:10.0.0.1]:80", "127.0.0.1:80:80",
])
def test_only_loopback_ip_and_port_is_a_replica(address):
    """The one validator (CLI, setting, plan): a loopback IP literal and a port 1-65535."""
    with pytest.raises(ReplicaAddressError) as refused:
        parse_replica_address(address)
    assert "\n" not in str(refused.value) and repr(address) in str(refused.value)


@pytest.mark.parametrize(("address", "parsed"), [
    ("127.0.0.1:8123", ("127.0.0.1", 8123)), ("127.8.9.1:1", ("127.8.9.1", 1)),
    ("[::1]:65535", ("::1", 65535)),
])
def test_loopback_replica_addresses(address, parsed):
    assert parse_replica_address(address) == parsed


def test_replica_not_running_is_one_line_and_exit_1(tmp_path):
    port = free_port()
    db = tmp_path / "a.db"
    result = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{port}", "--db", str(db),
                 timeout=60)
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"portal-crawler: no replica answers at 127.0.0.1:{port}")
    assert not db.exists()


@pytest.mark.parametrize("replica", ["localhost", "not-running"])
def test_scrapy_crawl_with_a_bad_replica_setting(tmp_path, replica):
    """`scrapy crawl` with PORTAL_CRAWLER_REPLICA wrong: one error line naming the setting,
    no traceback, nothing fetched, the run recorded as failed."""
    value = f"127.0.0.1:{free_port()}" if replica == "not-running" else replica
    db = tmp_path / "a.db"
    result = run(SCRAPY, "crawl", "vietnam_vn", "-s", f"PORTAL_CRAWLER_DB={db}",
                 "-s", "LOG_LEVEL=WARNING", env={"PORTAL_CRAWLER_REPLICA": value}, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "PORTAL_CRAWLER_REPLICA: " in errors[0], result.stderr
    assert value in errors[0]
    (run_row,) = rows(db, "select outcome, finish_reason from crawl_runs")
    assert run_row["outcome"] == "failed"
    assert run_row["finish_reason"] in ("bad_replica", "replica_unreachable")


@pytest.fixture(scope="module")
def small_site():
    """80 articles over 2 days, vi and en: one day is the window, the other is outside."""
    return synthesize(80, seed=3, days=2, editions=["vi", "en"])


def window_ids(site, day) -> set[str]:
    return {article_id(canonical_url(v.url)) for v in site.articles if v.day == day}


def crawl_command(port: int, db: Path, day, *settings: str) -> list[str]:
    return [sys.executable, "-m", "portal_crawler", "crawl", "vietnam_vn", "--replica",
            f"127.0.0.1:{port}", "--db", str(db), "--since", day.isoformat(), "--until",
            day.isoformat(), "-s", "LOG_LEVEL=WARNING", *settings]


def test_progress_lines_and_summary_match_the_archive(small_site, tmp_path):
    """Not a terminal: plain `progress:` lines every interval, then a summary whose counts
    are the archive's (read back with sqlite3)."""
    day = max(v.day for v in small_site.articles)
    expected = window_ids(small_site, day)
    db = tmp_path / "a.db"
    # Each article page answers 0.15 s late: the crawl lasts long enough for several lines.
    paths = {v.path for v in small_site.articles}
    plan = F.FaultPlan({p: F.delayed(0.15) for p in paths})
    with ReplicaServer(build_site(site=small_site), faults=plan) as server:
        result = run(*crawl_command(server.port, db, day, "-s", "CONCURRENT_REQUESTS=2",
                                    "-s", "PORTAL_CRAWLER_PROGRESS_INTERVAL=0.5"))
    assert result.returncode == 0, result.stderr[-3000:]
    progress = [line for line in result.stderr.splitlines() if line.startswith("progress: ")]
    assert len(progress) >= 3, result.stderr
    archived = len(rows(db, "select id from articles"))
    assert archived == len(expected)
    assert f"archived {archived}, failed 0" in progress[-1]
    assert re.search(r"discovered \d+, fetched \d+, archived \d+, failed \d+, "
                     r"out of window \d+, \d+ pages/min$", progress[0])
    (summary,) = [line for line in result.stdout.splitlines() if line.startswith("crawl ")]
    outcome, n, failed, out, fetched = SUMMARY.match(summary).groups()
    (run_row,) = rows(db, "select outcome, counts, stats from crawl_runs")
    counts = json.loads(run_row["counts"])
    assert (outcome, int(n), int(failed)) == (run_row["outcome"], archived, 0)
    assert int(out) == counts.get("out_of_window", 0)
    assert int(fetched) == json.loads(run_row["stats"])["articles/pages_fetched"]


def test_progress_on_a_terminal_is_one_line_redrawn(small_site, tmp_path):
    day = min(v.day for v in small_site.articles)
    db = tmp_path / "a.db"
    master, slave = pty.openpty()
    try:
        with ReplicaServer(build_site(site=small_site)) as server:
            process = subprocess.Popen(crawl_command(server.port, db, day), stderr=slave,
                                       stdout=subprocess.PIPE, text=True, cwd=ROOT)
            os.close(slave)
            seen = b""
            while True:
                ready, _, _ = select.select([master], [], [], 60)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            assert process.wait(timeout=60) == 0
    finally:
        os.close(master)
    text = seen.decode()
    assert "\r\x1b[Kdiscovered " in text
    assert "progress: " not in text  # a terminal gets the redrawn line, not log lines
    archived = len(rows(db, "select id from articles"))
    assert text.rstrip().rsplit("\r\x1b[K", 1)[1].startswith("discovered ")
    assert f"archived {archived}," in text.rstrip().rsplit("\r\x1b[K", 1)[1]


def test_ctrl_c_says_interrupted_exits_130_and_rerun_resumes(small_site, tmp_path):
    """SIGINT in the middle: "interrupted", exit 130, the resume hint; the same command
    again completes the window (oracle: the synthetic records of the day)."""
    day = max(v.day for v in small_site.articles)
    expected = window_ids(small_site, day)
    db = tmp_path / "a.db"
    paths = {v.path for v in small_site.articles}
    plan = F.FaultPlan({p: F.delayed(0.3) for p in paths})
    with ReplicaServer(build_site(site=small_site), faults=plan) as server:
        command = crawl_command(server.port, db, day, "-s", "CONCURRENT_REQUESTS=2",
                                "-s", "PORTAL_CRAWLER_BATCH_SIZE=1",
                                "-s", "PORTAL_CRAWLER_PROGRESS_INTERVAL=0.2")
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=ROOT)
        deadline = time.monotonic() + 60
        assert process.stderr is not None
        for line in process.stderr:  # wait until a few articles are archived
            match = re.search(r"archived (\d+)", line)
            if (match and int(match.group(1)) >= 3) or time.monotonic() > deadline:
                break
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stdout + stderr[-3000:]
        assert "Traceback" not in stderr
        (summary,) = [line for line in stdout.splitlines() if line.startswith("crawl ")]
        assert summary.startswith("crawl interrupted: ")
        assert summary.endswith("run the same command again to resume (what is archived is "
                                "kept)")
        first = {r["id"] for r in rows(db, "select id from articles")}
        assert 3 <= len(first) < len(expected)
        (run_row,) = rows(db, "select outcome, finish_reason from crawl_runs")
        assert (run_row["outcome"], run_row["finish_reason"]) == ("interrupted", "shutdown")
        listed = cli("runs", "--db", str(db))  # the user's view of the run says the same
        assert listed.returncode == 0 and "interrupted" in listed.stdout, listed.stdout

        plan.faults.clear()
        again = run(*command)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.startswith("crawl ok: ")
    assert {r["id"] for r in rows(db, "select id from articles")} == expected
