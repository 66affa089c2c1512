"""The documentation's examples, run as written: a wrong example fails here.

The test reads the docs (README.md, docs/cli.md, docs/analysts.md, docs/scheduling.md,
docs/adding-a-portal.md) and extracts every shell example: ```sh blocks, unlabelled ``` blocks
made only of commands, and the `Example:` lines of docs/cli.md (generated from --help). Each
runs through bash, in a throw-away "clone" of the project whose `data/archive.db` is a copy of the
session's crawled archive, with HOME set beside it, and with these commands on PATH:
`portal-crawler` (`sys.executable -m portal_crawler`), `scrapy` (`sys.executable -m scrapy`),
`python`, `python3`, `pytest`, `ruff`, and `.venv/bin/` holding the same. Every run is in
offline mode (PORTAL_CRAWLER_REPLICA is the session replica), so a command aimed at the live
site reaches only 127.0.0.1; PORTAL_CRAWLER_NOW is the session crawl's clock, so day windows
("last 2 days") fall on the replica's days.

Oracles: exit status 0, no traceback; and where an example says what it does, that it did it,
checked against the archive's own rows with sqlite3 (not against our CLI's output). Every ```sql
block of docs/analysts.md runs against the archive and must return rows.

Placeholders are replaced by `SUBSTITUTIONS` (documented there); commands this test must not run
(installing, systemd, scrapyd's server, benchmarks run elsewhere) are listed in `NOT_RUN` with
the reason, and an example matching neither a runner nor `NOT_RUN` fails.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import local_sites
import pytest
from conftest import CRAWL_CLOCK, ROOT, copy_archive

from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.server import ReplicaServer

DOCS = ["README.md", "docs/cli.md", "docs/analysts.md", "docs/scheduling.md",
        "docs/adding-a-portal.md"]
# The first word of a line in an unlabelled ``` block that makes it a block of commands.
COMMAND = re.compile(r"^(portal-crawler|scrapy|sqlite3|python3?|\.venv/bin/\S+) ")
# README's commands in running text (`scrapy crawl -s` alone is a flag, not a command).
INLINE = re.compile(r"`((?:sqlite3 \S+|scrapy (?:crawl|parse|check)) [^`-][^`]*)`")
BIN = Path(sys.executable).parent

# A benchmark not at --smoke size.
BENCHMARK = r"^\.venv/bin/python benchmarks/(\S+\.py)(?! --smoke)( .*)?$"
# Examples this test does not run, by a regular expression on the command, with the reason.
NOT_RUN: dict[str, str] = {
    r"^systemctl |^loginctl |^journalctl ":
        "changes the user's systemd setup; the timer's ExecStart is the plan command run here",
    r"^cd ~/portal-crawler$|^\.venv/bin/pip install .*'\.\[scrapyd\]'$":
        "installs the scrapyd extra (CI installs every extra with -c constraints.txt)",
    r"^export SCRAPYD_|^export PORTAL_CRAWLER_CONTACT=|^cd ~/portal-crawler && \.venv/bin/scrapyd$":
        "starts scrapyd with a password file; tests/test_scrapyd.py runs scrapyd on loopback",
    r"^printf 'machine 127\.0\.0\.1|^alias sd=|^sd ":
        "scrapyd's HTTP API through curl; tests/test_scrapyd.py schedules through that API",
    r"^portal-crawler ingest ":
        "waits for a distributed run's workers at a Redis frontier; tests/test_distributed.py "
        "runs ingest with workers against a real redis-server",
    BENCHMARK:
        "a benchmark at full size, run by hand (minutes); CI runs them at --smoke size in "
        "tests/test_benchmarks_smoke.py, test_bench_corpus.py and test_reliability_fuzz_smoke.py",
}

# "Your plan": the example plan (its archive, ../data/archive.db, is the clone's copy); known
# before a run, so README's, cli.md's and scheduling.md's plan examples run once.
PLAN = (r"--plan (plans/daily|plan)\.toml\b", "--plan docs/plan.example.toml", "the example plan")
# Placeholders of the docs and what they become, in this order ({...} filled per run):
SUBSTITUTIONS: list[tuple[str, str, str]] = [
    (r"(?<![\w/])/tmp/", "{tmp}/", "a temporary folder"),
    PLAN,
    # The README's "from a fresh clone": the venv running these tests was made exactly so.
    (r"python3 -m venv \.venv && \.venv/bin/pip install -q -c constraints\.txt -e \S+ && ", "",
     "the venv is the one running this test, installed by that command"),
    # Running the suite, or part of it, inside itself: collect it instead (paths and command
    # checked, nothing run twice).
    (r"^(\.venv/bin/python -m pytest|\.venv/bin/pytest)( .*)?$", r"\1\2 --collect-only -q",
     "the suite does not run itself; collecting proves the command and its paths"),
    (r"https://(www\.)?vietnam\.vn/id/some-slug", r"https://\1vietnam.vn{id_path}",
     "a real Indonesian article of the archive"),
    (r"^scrapy parse URL$", "scrapy parse {url}", "a real Indonesian article"),
    (r"^scrapy crawl \.\.\. ", "scrapy crawl vietnam_vn ", "the portal's spider"),
    (r"(?<![\w/])page\.html", "{page_html}",
     "that article's page as the replica serves it, saved to a file"),
    # browse's port: 8001 may be taken on a shared machine.
    (r"^(portal-crawler browse.*?)( --port \d+)?(\s+#.*)?$", r"\1 --port {port}",
     "a free port"),
    # The replica started in the background: a free port instead of 8123.
    (r"\b8123\b", "{port}", "a free port"),
    # "Any other site": a local news site found through its feeds (tests/local_sites.py), on
    # loopback; offline mode is off for it, since the replica serves only the registry's portals.
    (r"https://example\.org/", "{site}/", "a local site on 127.0.0.1 (tests/local_sites.py)"),
]

# What the search examples promise to find: a text of the stored articles (sqlite3's instr).
SEARCH_FINDS = {
    "duong": "Đường",
    '"kerja sama" pertahanan': "kerja sama pertahanan",
    "hợp tác": "hợp tác",
    "国家形象": "国家形象",
    "ภาพลักษณ์": "ภาพลักษณ์",
    "Triều*": "Triều",
}


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    text: str          # the logical command line, comments included

    @property
    def command(self) -> str:
        """The command without a trailing comment."""
        cut = _comment_start(self.text)
        return self.text[:cut].rstrip() if cut is not None else self.text.strip()

    @property
    def comment(self) -> str:
        cut = _comment_start(self.text)
        return self.text[cut + 1:].strip() if cut is not None else ""


def _comment_start(text: str) -> int | None:
    quote = None
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return i
    return None


def _complete(text: str) -> bool:
    if text.rstrip().endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:      # an open quote: the command goes on on the next line
        return False
    return True


def _commands(lines: list[tuple[int, str]], doc: str) -> list[Example]:
    """Logical commands of a block: continuation lines and open quotes joined."""
    out, pending, start = [], "", 0
    for number, line in lines:
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not pending:
            start = number
        pending = f"{pending}\n{line}" if pending else line
        if _complete(pending):
            out.append(Example(doc, start, pending))
            pending = ""
    assert not pending, f"{doc}:{start}: unterminated command"
    return out


def extract_examples(doc: str) -> list[Example]:
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    examples, block, lang = [], None, ""
    for number, line in enumerate(lines, 1):
        if line.startswith("```"):
            if block is None:
                block, lang = [], line[3:].strip()
                continue
            if lang == "sh" or (lang == "" and block and all(
                    COMMAND.match(text) for _, text in block if text.strip())):
                examples += _commands(block, doc)
            block = None
            continue
        if block is not None:
            block.append((number, line))
        elif doc == "README.md":
            examples += [Example(doc, number, span) for span in INLINE.findall(line)]
        if doc == "docs/cli.md" and line.strip().startswith("Example: "):
            examples.append(Example(doc, number, line.strip()[len("Example: "):]))
    return examples


def extract_sql(doc: str) -> list[tuple[int, str]]:
    """Every statement of every ```sql block, with its line."""
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    statements, block, pending, start = [], None, "", 0
    for number, line in enumerate(lines, 1):
        if line.startswith("```sql"):
            block = True
            continue
        if block and line.startswith("```"):
            block = None
            continue
        if block:
            if not pending.strip() and (not line.strip() or line.startswith("--")):
                pending = ""
                continue
            if not pending:
                start = number
            pending += line + "\n"
            if sqlite3.complete_statement(pending):
                statements.append((start, pending.strip()))
                pending = ""
    return statements


ALL = [example for doc in DOCS for example in extract_examples(doc)]


def _not_run(example: Example) -> str | None:
    for pattern, reason in NOT_RUN.items():
        if re.search(pattern, example.command):
            return reason
    return None


def _after_background(example: Example) -> bool:
    """The command after a `... &` runs with that server, in its test."""
    index = ALL.index(example)
    return index > 0 and ALL[index - 1].doc == example.doc and \
        ALL[index - 1].command.endswith("&")


RUN = [e for e in ALL if _not_run(e) is None and not _after_background(e)]
# One run per distinct command (README and docs/cli.md share some).
UNIQUE: dict[str, list[Example]] = {}
for _example in RUN:
    UNIQUE.setdefault(re.sub(PLAN[0], PLAN[1], _example.command),
                      []).append(_example)


def test_every_doc_has_examples_and_each_is_run_or_excused():
    counts = {doc: sum(e.doc == doc for e in ALL) for doc in DOCS}
    assert all(counts.values()), counts
    excused = [e for e in ALL if _not_run(e)]
    # Every NOT_RUN entry still excuses something: a stale excuse is a finding too.
    for pattern in NOT_RUN:
        assert any(re.search(pattern, e.command) for e in excused), f"unused: {pattern}"


def test_benchmarks_not_run_here_are_run_at_smoke_size_elsewhere():
    smoke = "".join((ROOT / "tests" / name).read_text(encoding="utf-8") for name in
                    ("test_benchmarks_smoke.py", "test_bench_corpus.py",
                     "test_reliability_fuzz_smoke.py"))
    for example in ALL:
        match = re.match(BENCHMARK, example.command)
        if match:
            assert match.group(1) in smoke, f"{example.doc}:{example.line} is run nowhere"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wrapper(path: Path, *argv: str) -> None:
    path.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(a) for a in argv) + ' "$@"\n')
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path, crawled_archive) -> Path:
    """A clone of the project under $HOME/portal-crawler: code linked, docs and data copied."""
    home = tmp_path / "home"
    clone = home / "portal-crawler"
    (clone / "data").mkdir(parents=True)
    copy_archive(crawled_archive, clone / "data" / "archive.db")
    for name in ("portal_crawler", "spiders", "pipelines", "tests", "benchmarks",
                 "pyproject.toml", "constraints.txt"):
        (clone / name).symlink_to(ROOT / name)
    # Copied, not linked: a plan's relative archive resolves against its own folder.
    (clone / "docs").mkdir()
    for item in (ROOT / "docs").iterdir():
        (clone / "docs" / item.name).write_bytes(item.read_bytes())
    (clone / "scrapy.cfg").write_bytes((ROOT / "scrapy.cfg").read_bytes())
    (clone / "logs").mkdir()
    venv = clone / ".venv" / "bin"
    venv.mkdir(parents=True)
    for target in (venv, tmp_path / "bin"):
        target.mkdir(exist_ok=True)
        _wrapper(target / "portal-crawler", sys.executable, "-m", "portal_crawler")
        _wrapper(target / "scrapy", sys.executable, "-m", "scrapy")
        _wrapper(target / "pytest", sys.executable, "-m", "pytest")
        _wrapper(target / "ruff", str(BIN / "ruff"))
        for name in ("python", "python3"):
            _wrapper(target / name, sys.executable)
    return clone


@dataclass
class Context:
    clone: Path
    tmp: Path
    env: dict[str, str]
    article: tuple[str, str, str]     # id, url, headline of a real Indonesian article
    port: int
    site: str                         # base URL of a local site for the generic spider


@pytest.fixture(scope="module")
def local_site():
    """A local news site (feeds only) for the examples aimed at "any other site"."""
    site = SiteMap()
    with ReplicaServer(site) as server:
        site.update(local_sites.feeds_site(server.base_url).site)
        yield server.base_url


@pytest.fixture
def context(checkout, tmp_path, replica, crawled_archive, local_site) -> Context:
    with sqlite3.connect(f"file:{crawled_archive}?mode=ro", uri=True) as db:
        article = db.execute("select id, url, headline from articles where language = 'id' "
                             "order by id limit 1").fetchone()
    env = {**os.environ, "HOME": str(checkout.parent),
           "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "PORTAL_CRAWLER_REPLICA": f"127.0.0.1:{replica.port}",
           "PORTAL_CRAWLER_NOW": CRAWL_CLOCK}
    env.pop("PORTAL_CRAWLER_DB", None)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    path = article[1].split("vietnam.vn", 1)[1]
    request = urllib.request.Request(f"http://127.0.0.1:{replica.port}{path}",
                                     headers={"Host": "www.vietnam.vn"})
    with urllib.request.urlopen(request, timeout=30) as response:
        (tmp_path / "page.html").write_bytes(response.read())
    return Context(checkout, tmp_path, env, article, _free_port(), local_site)


def substitute(command: str, ctx: Context) -> str:
    values = {"url": ctx.article[1], "id_path": ctx.article[1].split("vietnam.vn", 1)[1],
              "page_html": str(ctx.tmp / "page.html"), "tmp": str(ctx.tmp), "port": ctx.port,
              "site": ctx.site}
    for pattern, replacement, _why in SUBSTITUTIONS:
        command = re.sub(pattern, replacement.format(**values) if "{" in replacement
                         else replacement, command)
    return command


def _bash(command: str, ctx: Context, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = ctx.env
    if ctx.site in command:  # the local site is reached directly (it is on loopback too)
        env = {k: v for k, v in env.items() if k != "PORTAL_CRAWLER_REPLICA"}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                          env=env, cwd=ctx.clone, timeout=timeout)


def _db(ctx: Context, path: str = "data/archive.db") -> sqlite3.Connection:
    return sqlite3.connect(f"file:{ctx.clone / path}?mode=ro", uri=True)


def _wait_http(url: str, process: subprocess.Popen, deadline: float = 60,
               host: str | None = None) -> bytes:
    end = time.monotonic() + deadline
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    while time.monotonic() < end:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def _start(command: str, ctx: Context) -> subprocess.Popen:
    return subprocess.Popen(["bash", "-c", f"exec {command}"], env=ctx.env, cwd=ctx.clone,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    _out, err = process.communicate()
    return err


def _ok(result: subprocess.CompletedProcess[str], command: str) -> None:
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, f"{command}\n{result.stderr[-3000:]}"


def _runs(ctx: Context, path: str = "data/archive.db") -> list[tuple[int, str]]:
    with _db(ctx, path) as db:
        return db.execute("select id, outcome from crawl_runs order by id").fetchall()


def _filters(argv: list[str]) -> tuple[str, list[str]]:
    """The SQL of an example's --lang/--since/--until/--source (days, as the docs define them)."""
    options = {a: b for a, b in itertools.pairwise(argv) if a.startswith("-")}
    where, params = ["1"], []
    if "--lang" in options:
        langs = options["--lang"].split(",")
        where.append(f"language in ({','.join('?' * len(langs))})")
        params += langs
    if "--source" in options:
        where.append("instr(source, ?) > 0")
        params.append(options["--source"])
    if "--since" in options:
        where.append("substr(date_published, 1, 10) >= ?")
        params.append(options["--since"])
    if "--until" in options:
        where.append("substr(date_published, 1, 10) <= ?")
        params.append(options["--until"])
    return " and ".join(where), params


def _search_rows(ctx: Context, argv: list[str]) -> list[tuple[str, str]]:
    """The archive's articles holding the promised text, within the example's filters."""
    where, params = _filters(argv)
    sql = ("select id, headline from articles where instr(coalesce(headline, '') || ' ' || "
           f"coalesce(lead, '') || ' ' || coalesce(body, ''), ?) > 0 and {where}")
    with _db(ctx) as db:
        return db.execute(sql, [SEARCH_FINDS[argv[0]], *params]).fetchall()


def check(example: Example, ctx: Context) -> None:
    command = substitute(example.command, ctx)
    argv = shlex.split(command) if "|" not in command and ";" not in command else []
    if ";" in command:                       # several commands on a line: each as written
        for part in command.split(";"):
            check(Example(example.doc, example.line, part.strip()), ctx)
        return
    if command.endswith("&") or argv[:2] == ["portal-crawler", "browse"]:
        return _check_server(command, ctx)
    feed_only = "PORTAL_CRAWLER_WRITE_ARCHIVE=False" in command
    if " -O " in command and not feed_only:   # a first crawl: its feed holds what it fetched
        (ctx.clone / "data" / "archive.db").unlink()
    before = _runs(ctx) if (ctx.clone / "data" / "archive.db").exists() else []
    result = _bash(command, ctx)
    _ok(result, command)
    out = result.stdout
    if argv[:2] == ["portal-crawler", "search"]:
        rows = _search_rows(ctx, argv[2:])
        assert rows, f"the archive holds no {SEARCH_FINDS[argv[2]]!r}: the example finds nothing"
        assert any(id_ in out for id_, _ in rows), f"{command} found none of {rows}\n{out}"
    elif argv[:2] == ["portal-crawler", "show"]:
        # A URL (the substituted Indonesian article, with a mirror host or tracking parameters)
        # or an id: the article's headline, as stored.
        with _db(ctx) as db:
            (headline,) = db.execute("select headline from articles where id = ?", (
                ctx.article[0] if argv[2].startswith("http") else argv[2],)).fetchone()
        shown = json.loads(out)["article"]["headline"] if "json" in argv else out
        assert headline in shown, out
    elif argv[:2] == ["portal-crawler", "extract"]:
        assert json.loads(out.splitlines()[0])["headline"] == ctx.article[2]
    elif argv[:2] == ["portal-crawler", "runs"]:
        assert re.search(rf"^{before[-1][0]}\s", out, re.M), out
    elif argv[:2] == ["portal-crawler", "stats"]:
        where, params = _filters(argv)
        with _db(ctx) as db:
            (count,) = db.execute(f"select count(*) from articles where {where}",
                                  params).fetchone()
        assert f"{count} articles" in out, out
    elif argv[:2] == ["portal-crawler", "export"]:
        _check_export(argv, ctx, out)
    elif argv[:2] == ["portal-crawler", "report"]:
        assert "<svg" in (ctx.clone / argv[2]).read_text(encoding="utf-8")
    elif feed_only:            # "a crawl that only writes its feed"
        assert _runs(ctx) == before
        articles = [json.loads(line) for line in (ctx.clone / argv[-1]).read_text().splitlines()]
        assert articles and all(a["id"] and a["headline"] for a in articles)
    elif argv[:2] == ["scrapy", "parse"]:
        assert f"'id': '{ctx.article[0]}'" in out, out[-2000:]   # the item, pprinted
    elif argv[:2] == ["scrapy", "check"]:
        assert re.search(r"^OK$", result.stderr, re.M), result.stderr[-2000:]
    elif re.match(r"^(\.venv/bin/)?portal-crawler (crawl|demo)|^scrapy crawl", command):
        db_path = argv[argv.index("--db") + 1] if "--db" in argv else "data/archive.db"
        runs = _runs(ctx, db_path)
        new = runs[len(before):] if db_path == "data/archive.db" else runs
        assert new and all(outcome == "ok" for _, outcome in new), runs
        if "-O" in argv:
            feed = ctx.clone / argv[argv.index("-O") + 1]
            articles = [json.loads(line) for line in feed.read_text().splitlines()]
            with _db(ctx) as db:
                ids = {i for (i,) in db.execute("select id from articles")}
            assert articles and {a["id"] for a in articles} == ids
            langs = [a[len("lang="):] for a in argv if a.startswith("lang=")]
            if langs:
                assert {a["language"] for a in articles} <= set(langs[0].split(","))
    elif " | jq .headline" in command:
        with _db(ctx) as db:
            headlines = [h for (h,) in db.execute(
                "select headline from articles where language = 'vi'")]
        assert sorted(json.loads(line) for line in out.splitlines()) == sorted(headlines)
    elif argv[:1] == ["sqlite3"]:
        assert out.strip(), f"{command} printed no row"
    elif "--collect-only" in command:
        assert re.search(r"\d+ tests? collected|^tests/\S+::", out, re.M), out[-2000:]


def _check_export(argv: list[str], ctx: Context, out: str) -> None:
    options = dict(itertools.pairwise(argv))
    where, params = _filters(argv)
    with _db(ctx) as db:
        (count,) = db.execute(f"select count(*) from articles where {where}", params).fetchone()
        (pages,) = db.execute("select count(*) from pages").fetchone()
    path = ctx.clone / options["-o"]
    if path.suffix == ".jsonl":
        assert len(path.read_text(encoding="utf-8").splitlines()) == count
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as file:
            assert len(list(csv.DictReader(file))) == count
    elif path.suffix == ".parquet":
        import pyarrow.parquet as pq

        assert pq.read_metadata(path).num_rows == count
    else:
        from warcio.archiveiterator import ArchiveIterator

        with path.open("rb") as file:
            responses = sum(r.rec_type == "response" for r in ArchiveIterator(file))
        assert 0 < responses <= pages


def _check_server(command: str, ctx: Context) -> None:
    """A background server: start it, see it answer on 127.0.0.1, stop it."""
    command = command.rstrip("&").strip()
    process = _start(command, ctx)
    try:
        if "replica.server" in command:
            body = _wait_http(f"http://127.0.0.1:{ctx.port}/robots.txt", process,
                   host="www.vietnam.vn")
            assert b"Sitemap" in body or b"User-agent" in body
        else:
            body = _wait_http(f"http://127.0.0.1:{ctx.port}/archive/articles.json?"
                              "_shape=array&_size=max", process)
            with _db(ctx) as db:
                ids = sorted(i for (i,) in db.execute("select id from articles"))
            assert sorted(row["id"] for row in json.loads(body)) == ids
    finally:
        err = _stop(process)
    assert "Traceback" not in err, err


@pytest.mark.parametrize("command", list(UNIQUE), ids=[
    ",".join(f"{e.doc}:{e.line}" for e in UNIQUE[c]) for c in UNIQUE])
def test_shell_example(command, context):
    example = UNIQUE[command][0]
    if example.command.endswith("&"):
        # The background server and the commands after it in the same block run together.
        return _check_background_block(example, context)
    check(example, context)


def _check_background_block(example: Example, ctx: Context) -> None:
    after = ALL[ALL.index(example) + 1]
    process = _start(substitute(example.command, ctx).rstrip("&").strip(), ctx)
    try:
        _wait_http(f"http://127.0.0.1:{ctx.port}/robots.txt", process,
                   host="www.vietnam.vn")
        check(after, ctx)
    finally:
        err = _stop(process)
    assert "Traceback" not in err, err


# Statements that may rightly return nothing on the replica's archive (one crawl, all dated).
MAY_BE_EMPTY = {
    "from article_versions v": "one crawl of the replica changed no article",
    "where date_published is null": "every replica article has a date",
}
SQL = [(doc, line, sql) for doc in ("docs/analysts.md",) for line, sql in extract_sql(doc)]


@pytest.mark.parametrize("doc,line,sql", SQL, ids=[f"{d}:{n}" for d, n, _ in SQL])
def test_sql_example(doc, line, sql, crawled_archive):
    with sqlite3.connect(f"file:{crawled_archive}?mode=ro", uri=True) as db:
        (article,) = db.execute("select article_id from images join links using (article_id) "
                                "group by article_id order by count(*) desc limit 1").fetchone()
        rows = db.execute(sql, [article] * sql.count("?")).fetchall()
    assert rows or any(key in sql for key in MAY_BE_EMPTY), f"{doc}:{line} returns no row:\n{sql}"
