"""Crawl plans: `portal-crawler crawl --plan` with real processes, the replica and SQLite."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import ROOT, cli
from test_crawl_e2e import expected_articles, rows
from test_crawl_window import local_day

from portal_crawler import plan_run as plan_module
from portal_crawler.archive.lock import WriterLock
from portal_crawler.plan import Job, Plan, PlanError, load_plan
from portal_crawler.plan_run import JobResult, run_plan

# 2023-09-14 12:00 in Hanoi: "last 2 days" is 2023-09-13..2023-09-14, the replica's day.
NOW = "2023-09-14T05:00:00+00:00"


def write_plan(folder: Path, text: str) -> Path:
    path = folder / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def languages(db: Path) -> list[str]:
    return sorted(r["language"] for r in rows(db, "select language from articles"))


def expected_languages(*langs: str, since: str = "0001-01-01",
                       until: str = "9999-12-31") -> list[str]:
    """Languages of the replica's articles in these editions published in [since, until]
    (Hanoi days of the editor's dates, read from the expected pages)."""
    return sorted(p["language"] for p in expected_articles().values() if p["language"] in langs
                  and since <= local_day(p["date_published"]).isoformat() <= until)


def test_example_plan_validates():
    """The example in docs/ is a valid plan; its days are Hanoi's days by the project's clock."""
    evening_utc = datetime.fromisoformat("2023-09-14T20:00:00+00:00")  # 03:00 on the 15th
    plan = load_plan(ROOT / "docs" / "plan.example.toml", clock=evening_utc)
    daily, week, fixed = plan.jobs
    assert (daily.name, daily.editions) == ("vietnam-id-en-daily", ("id", "en"))
    assert (daily.since, daily.until) == (date(2023, 9, 14), date(2023, 9, 15))
    assert (week.since, week.until) == (date(2023, 9, 9), date(2023, 9, 15))
    assert (fixed.since, fixed.until) == (date(2023, 9, 1), date(2023, 9, 30))
    assert daily.archive == ROOT / "data" / "archive.db"
    assert week.archive == ROOT / "data" / "vietnam-vi.db"
    assert week.max_articles == 2000 and fixed.follow_related == 1
    assert fixed.settings == {"LOG_LEVEL": "WARNING", "DOWNLOAD_DELAY": "1.0"}
    command = daily.command()
    assert command[-2:] == ["-s", "PORTAL_CRAWLER_JOB=vietnam-id-en-daily"]
    assert "--lang id,en" in " ".join(command)


def test_the_guide_shows_the_example_plan():
    guide = (ROOT / "docs" / "scheduling.md").read_text(encoding="utf-8")
    shown = guide.split("```toml\n", 1)[1].split("```", 1)[0]
    assert shown == (ROOT / "docs" / "plan.example.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("body", "message"), [
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nwindow = "last week"\n',
     "job 'a': window='last week' is not \"last N days\""),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nwindow = "last 0 days"\n',
     "job 'a': window='last 0 days'"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nsince = 2023-09-10\nuntil = 2023-09-01\n',
     "job 'a': since=2023-09-10 is after until=2023-09-01"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nwindow = "last 2 days"\nsince = 2023-09-01\n',
     "job 'a': give either window or since/until"),
    ('[[job]]\nname = "a"\nspider = "nope"\n', "job 'a': unknown spider 'nope'"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\neditions = ["en", "xx"]\n',
     "job 'a': unknown language xx"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nmax_article = 3\n',
     "job 'a': unknown key 'max_article'"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nmax_articles = -1\n',
     "job 'a': max_articles=-1"),
    ('[[job]]\nspider = "vietnam_vn"\n', "job #1: needs a name"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\n[[job]]\nname = "a"\nspider = "vietnam_vn"\n',
     "job 'a': another job has the same name"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nsettings = { PORTAL_CRAWLER_DB = "x" }\n',
     "job 'a': setting PORTAL_CRAWLER_DB comes from the `archive` key"),
    ('replica = "10.0.0.1:80"\n[[job]]\nname = "a"\nspider = "vietnam_vn"\n',
     "replica='10.0.0.1:80' is not a loopback HOST:PORT"),
    ('jobs = []\n[[job]]\nname = "a"\nspider = "vietnam_vn"\n', "unknown key 'jobs'"),
    ('archive = "a.db"\n', "no jobs"),
    ('[[job]\n', "not valid TOML"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\nsite = "https://example.org/"\n',
     "job 'a': site goes with the portal spider, not vietnam_vn"),
    ('[[job]]\nname = "a"\nspider = "portal"\n', "job 'a': the portal spider needs a site"),
    ('[[job]]\nname = "a"\nsite = "ftp://example.org/"\n',
     "job 'a': site='ftp://example.org/' is not an http(s) URL"),
    ('[[job]]\nname = "a"\nsite = "https://example.org/"\ntimezone = "Mars/Olympus"\n',
     "job 'a': https://example.org/: unknown time zone 'Mars/Olympus'"),
    ('[[job]]\nname = "a"\nsite = "https://example.org/"\nfollow_related = 1\n',
     "job 'a': follow_related is not for a site job"),
    ('[[job]]\nname = "a"\nspider = "vietnam_vn"\ntimezone = "UTC"\n',
     "job 'a': timezone goes with the portal spider, not vietnam_vn"),
    ('concurrent = "yes"\n[[job]]\nname = "a"\nspider = "vietnam_vn"\n',
     "concurrent='yes' is not true or false"),
    ('concurrent = true\n[[job]]\nname = "a"\nspider = "vietnam_vn"\n'
     'settings = { LOG_LEVEL = "INFO" }\n',
     "job 'a': setting LOG_LEVEL is the whole process's in a concurrent plan"),
])
def test_bad_plans_are_refused_with_one_line(tmp_path, body, message):
    if "archive" not in body:
        body = 'archive = "a.db"\n' + body
    with pytest.raises(PlanError) as refused:
        load_plan(write_plan(tmp_path, body))
    (problem,) = refused.value.problems
    assert message in problem and "\n" not in problem, problem
    assert problem.startswith(str(tmp_path / "plan.toml"))


def test_bad_plan_exits_2_before_any_job_runs(tmp_path):
    plan = write_plan(tmp_path, """
archive = "a.db"
[[job]]
name = "good"
spider = "vietnam_vn"
[[job]]
name = "bad"
spider = "vietnam_vn"
window = "last fortnight"
""")
    result = cli("crawl", "--plan", str(plan), timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"portal-crawler: {plan}: job 'bad': window='last fortnight' is not \"last N days\" "
        "(N >= 1)"]
    assert result.stdout == ""
    assert not (tmp_path / "a.db").exists()


def test_plan_takes_no_spider_or_crawl_options(tmp_path):
    plan = write_plan(tmp_path, 'archive = "a.db"\n[[job]]\nname = "a"\nspider = "vietnam_vn"\n')
    result = cli("crawl", "vietnam_vn", "--lang", "en", "--plan", str(plan), timeout=60)
    assert result.returncode == 2
    assert "--plan takes no SPIDER, --lang" in result.stderr


def test_plan_runs_every_job_into_its_archive(replica, window, tmp_path):
    """Two jobs, two archives: id+en over "last 2 days" by the clock, vi over an explicit
    window into an archive of its own; crawl_runs carries the plan's job names."""
    plan = write_plan(tmp_path, f"""
archive = "shared.db"
replica = "127.0.0.1:{replica.port}"

[settings]
LOG_LEVEL = "WARNING"

[[job]]
name = "id-en daily"
spider = "vietnam_vn"
editions = ["id", "en"]
window = "last 2 days"

[[job]]
name = "vi backfill"
spider = "vietnam_vn"
editions = "vi"
since = {window[1]}
until = "{window[3]}"
archive = "vi/only.db"
""")
    result = cli("crawl", "--plan", str(plan), env={"PORTAL_CRAWLER_NOW": NOW})
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith(("job ", "plan "))]
    assert len(lines) == 3, result.stdout
    assert lines[0].startswith("job id-en daily: ok (vietnam_vn id,en 2023-09-13..2023-09-14 ->")
    assert lines[1].startswith(f"job vi backfill: ok (vietnam_vn vi {window[1]}..{window[3]} ->")
    assert lines[2] == f"plan {plan}: ok"

    shared, own = tmp_path / "shared.db", tmp_path / "vi" / "only.db"
    # "last 2 days" by the clock: only the id and en articles of 2023-09-13..14 (listings
    # and related lists reach every year; the window holds whatever path found them).
    assert languages(shared) == expected_languages("id", "en", since="2023-09-13",
                                                   until="2023-09-14")
    assert 0 < len(languages(shared)) < len(expected_languages("id", "en"))
    assert languages(own) == expected_languages("vi")
    (run_a,) = rows(shared, "select job, outcome, arguments, settings from crawl_runs")
    assert (run_a["job"], run_a["outcome"]) == ("id-en daily", "ok")
    arguments = json.loads(run_a["arguments"])
    assert (arguments["lang"], arguments["since"], arguments["until"]) == (
        "id,en", "2023-09-13", "2023-09-14")
    assert json.loads(run_a["settings"])["replica"] == f"127.0.0.1:{replica.port}"
    (run_b,) = rows(own, "select job, outcome from crawl_runs")
    assert (run_b["job"], run_b["outcome"]) == ("vi backfill", "ok")


def test_locked_archive_fails_its_job_and_the_others_still_run(replica, window, tmp_path):
    plan = write_plan(tmp_path, f"""
replica = "127.0.0.1:{replica.port}"
settings = {{ LOG_LEVEL = "WARNING" }}

[[job]]
name = "held"
spider = "vietnam_vn"
since = {window[1]}
until = {window[3]}
archive = "held.db"

[[job]]
name = "free"
spider = "vietnam_vn"
editions = ["en"]
since = {window[1]}
until = {window[3]}
archive = "free.db"
""")
    holder = WriterLock(tmp_path / "held.db")
    holder.acquire("another researcher's crawl")
    try:
        result = cli("crawl", "--plan", str(plan))
    finally:
        holder.release()
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    held_line = next(line for line in result.stdout.splitlines() if line.startswith("job held"))
    assert held_line.startswith(f"job held: locked: archive {tmp_path / 'held.db'} is being "
                                f"written by pid {os.getpid()} (another researcher's crawl)")
    assert "job free: ok" in result.stdout
    assert f"plan {plan}: 1 of 2 not ok: held" in result.stdout
    assert not (tmp_path / "held.db").exists()
    assert languages(tmp_path / "free.db") == expected_languages("en")
    assert [r["job"] for r in rows(tmp_path / "free.db", "select job from crawl_runs")] == ["free"]


@pytest.mark.parametrize(("codes", "worst"), [
    ([0, 0], 0), ([0, 3], 3), ([3, 1, 0], 1), ([1, 3], 1), ([], 0),
])
def test_plan_exits_with_the_worst_job_code(monkeypatch, tmp_path, codes, worst):
    jobs = tuple(Job(name=f"j{i}", spider="vietnam_vn", editions=(), since=date(2023, 9, 1),
                     until=date(2023, 9, 2), archive=tmp_path / "a.db")
                 for i in range(len(codes)))
    results = iter(codes)

    def fake_run_job(job: Job, replica: str | None = None) -> JobResult:
        code = next(results)
        return JobResult(job, code, {0: "ok", 1: "failed", 3: "degraded"}[code], 0.0)

    monkeypatch.setattr(plan_module, "run_job", fake_run_job)
    lines: list[str] = []
    assert run_plan(Plan(path=tmp_path / "p.toml", jobs=jobs), echo=lines.append) == worst
    assert len(lines) == len(codes) + 1


def test_job_exit_codes_are_judged():
    assert plan_module._judge(0) == (0, "ok")
    assert plan_module._judge(3) == (3, "degraded")
    assert plan_module._judge(1) == (1, "failed")
    assert plan_module._judge(2)[0] == 1
    assert plan_module._judge(-9) == (1, "failed (killed by signal 9)")
    assert plan_module._judge(130) == (1, "interrupted (run the plan again to resume)")
