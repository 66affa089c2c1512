"""Run outcomes a user meets every day: a quiet window is ok (and says why nothing was
archived), a bad --max-articles is exit 2, and log lines on a terminal start at column 0
however the progress line was drawn. Real subprocesses of the real commands against the
replica on loopback."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
from datetime import timedelta

from conftest import ROOT, cli
from test_crawl_e2e import rows
from test_crawl_feedback import crawl_command
from test_crawl_feedback import small_site as small_site  # a fixture, reused

from portal_crawler.replica import faults as F
from portal_crawler.replica.generate import build_site
from portal_crawler.replica.server import ReplicaServer

# Scrapy's log line format: "2026-11-30 02:11:29 [scrapy.core.engine] INFO: ...".
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")


def test_a_quiet_window_is_ok_and_says_why(small_site, tmp_path):
    """The day before the site's first day: discovery reads the sitemaps fine, nothing was
    published then. That is a result, not a failure (a daily cron job must not fail)."""
    day = min(v.day for v in small_site.articles) - timedelta(days=1)
    db = tmp_path / "a.db"
    with ReplicaServer(build_site(site=small_site)) as server:
        result = subprocess.run(crawl_command(server.port, db, day, "--lang", "en"),
                                capture_output=True, text=True, cwd=ROOT, timeout=180)
        default = cli("crawl", "vietnam_vn", "--replica", f"127.0.0.1:{server.port}",
                      "--db", str(tmp_path / "b.db"), "--lang", "vi",
                      "-s", "LOG_LEVEL=WARNING", env={"PORTAL_CRAWLER_NOW":
                                                      "2030-01-02T12:00:00+07:00"})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    (summary,) = [line for line in result.stdout.splitlines() if line.startswith("crawl ")]
    assert summary.startswith("crawl ok: 0 archived, 0 failed, "), summary
    assert summary.endswith(f"; nothing published in the window {day}..{day}"), summary
    (run_row,) = rows(db, "select outcome, finish_reason from crawl_runs")
    assert (run_row["outcome"], run_row["finish_reason"]) == ("ok", "finished")
    # The default window (yesterday..today by the fixed clock), years after the site's days.
    assert default.returncode == 0, default.stdout + default.stderr[-3000:]
    assert default.stdout.rstrip().endswith(
        "; nothing published in the window 2030-01-01..2030-01-02"), default.stdout


def test_max_articles_zero_is_a_bad_argument(tmp_path):
    """Asking for no article pages is a mistake: one line, exit 2, before any engine."""
    # A replica address that nothing serves: even a missed check stays on loopback.
    result = cli("crawl", "vietnam_vn", "--max-articles", "0", "--replica", "127.0.0.1:9",
                 "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == ["portal-crawler: max_articles=0 must be at least 1"]
    assert not (tmp_path / "a.db").exists()


def visible_lines(text: str) -> list[str]:
    """What a terminal shows of each line: a carriage return goes back to column 0 and
    ESC[K erases what follows, so only the text after the last one remains."""
    return [re.split(r"\r(?:\x1b\[K)?", line)[-1] for line in text.split("\n")]


def test_log_lines_on_a_terminal_start_at_column_0(small_site, tmp_path):
    """Progress redrawn in place and Scrapy's DEBUG log on the same terminal: every log line
    begins at column 0, never after progress text (`...pages/min2026-11-30 02:11:29 [`)."""
    day = min(v.day for v in small_site.articles)
    db = tmp_path / "a.db"
    plan = F.FaultPlan({v.path: F.delayed(0.2) for v in small_site.articles})
    master, slave = pty.openpty()
    try:
        with ReplicaServer(build_site(site=small_site), faults=plan) as server:
            command = crawl_command(server.port, db, day, "-s", "LOG_LEVEL=DEBUG",
                                    "-s", "CONCURRENT_REQUESTS=2")
            process = subprocess.Popen(command, stderr=slave, stdout=subprocess.PIPE,
                                       text=True, cwd=ROOT)
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
    text = seen.decode().replace("\r\n", "\n")  # the pty's own newline translation
    assert text.count("\r\x1b[Kdiscovered ") >= 3, text[-2000:]  # progress was drawn
    logged = [line for line in visible_lines(text) if LOG_LINE.search(line)]
    assert len(logged) > 20, text[-2000:]
    glued = [line for line in logged if not LOG_LINE.match(line)]
    assert not glued, glued[:3]



def test_a_second_run_with_nothing_new_is_ok_and_says_so(small_site, tmp_path):
    """The same window again, the site unchanged: incremental crawling skips what the first
    run archived; an ok run that names why it archived nothing (oracle: the first run
    archived every article of the day)."""
    day = max(v.day for v in small_site.articles)
    db = tmp_path / "a.db"
    with ReplicaServer(build_site(site=small_site)) as server:
        command = crawl_command(server.port, db, day, "--lang", "en")
        first = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=180)
        again = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=180)
    expected = {v.url for v in small_site.articles if v.day == day and v.edition == "en"}
    assert first.returncode == 0 and first.stdout.startswith(
        f"crawl ok: {len(expected)} archived"), first.stdout + first.stderr[-2000:]
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    assert again.stdout.rstrip().endswith("; nothing new since the last run"), again.stdout
    outcomes = [r["outcome"] for r in rows(db, "select outcome from crawl_runs order by id")]
    assert outcomes == ["ok", "ok"]
