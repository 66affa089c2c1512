"""`-o` of `export` and `report`: what the path points at is written, never replaced.

Run as the real command in a subprocess, against real device nodes, a real FIFO, a real
symlink and the subprocess's own standard output. The oracle is the kernel: `stat` says what
the path is afterwards, and the reader of the FIFO or pipe gets the bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, cli

from portal_crawler.archive.store import Archive


def article_count(db: Path) -> int:
    with Archive.open_reader(db) as archive:
        return archive.count("articles")


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device node of the kernel's memory driver (1,3 is null, 1,7 is full).

    Made in tmp_path when we may (root), so that a regression replaces a node of the test's
    own and not the machine's /dev; otherwise the machine's own node."""
    node = tmp_path / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        return Path("/dev") / name
    return node


def assert_one_line(stderr: str) -> None:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr


@pytest.mark.parametrize("command", ["export", "report"])
def test_dev_null_stays_a_device(crawled_archive, tmp_path, command):
    null = device(tmp_path, "null", 3)
    args = ["-o", str(null)] if command == "export" else [str(null)]
    result = cli(command, "--db", str(crawled_archive), *args)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    if null.parent == tmp_path:
        assert [p.name for p in tmp_path.iterdir()] == ["null"]  # no temporary left behind


@pytest.mark.parametrize("command", ["export", "report"])
def test_dev_full_fails_in_one_line(crawled_archive, tmp_path, command):
    full = device(tmp_path, "full", 7)
    args = ["-o", str(full)] if command == "export" else [str(full)]
    result = cli(command, "--db", str(crawled_archive), *args)
    assert result.returncode == 1
    assert_one_line(result.stderr)
    assert "No space left on device" in result.stderr
    assert "exported" not in result.stderr and "written" not in result.stderr
    assert stat.S_ISCHR(os.stat(full).st_mode)


def read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(path, "rb") as stream:
            into.append(stream.read())
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", ["export", "report"])
def test_a_fifo_is_written_as_a_stream(crawled_archive, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    thread = read_fifo(fifo, received)
    args = ["-o", str(fifo)] if command == "export" else [str(fifo)]
    result = cli(command, "--db", str(crawled_archive), *args, timeout=60)
    thread.join(10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary left behind
    if command == "export":
        lines = received[0].decode("utf-8").splitlines()
        assert len(lines) == article_count(crawled_archive)
        assert all(json.loads(line)["id"] for line in lines)
    else:
        assert received[0].rstrip().endswith(b"</html>")


def test_a_socket_is_never_renamed_over(crawled_archive, tmp_path):
    """A Unix socket cannot be opened as a file: one line, exit 1, and the socket stays."""
    path = tmp_path / "listener"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen()
        result = cli("export", "--db", str(crawled_archive), "-o", str(path))
        assert stat.S_ISSOCK(os.stat(path).st_mode)
    assert result.returncode == 1
    assert_one_line(result.stderr)
    assert [p.name for p in tmp_path.iterdir()] == ["listener"]


def test_a_symlink_is_written_through(crawled_archive, tmp_path):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "articles.jsonl"
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = cli("export", "--db", str(crawled_archive), "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == article_count(crawled_archive)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["articles.jsonl"]


def test_a_dangling_symlink_creates_its_target(crawled_archive, tmp_path):
    target = tmp_path / "articles.jsonl"
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = cli("export", "--db", str(crawled_archive), "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert len(target.read_text(encoding="utf-8").splitlines()) == article_count(
        crawled_archive)


def stdout_link(tmp_path: Path) -> Path:
    """What /dev/stdout is (a symlink to /proc/self/fd/1), made in tmp_path: a regression
    that renamed over it then breaks the test's link, not the machine's /dev/stdout."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    return link


@pytest.mark.parametrize("where", ["-", "/dev/fd/1", "stdout-link"])
def test_standard_output(crawled_archive, tmp_path, where):
    where = str(stdout_link(tmp_path)) if where == "stdout-link" else where
    result = cli("export", "--db", str(crawled_archive), "-o", where)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == article_count(crawled_archive)
    assert json.loads(lines[0])["id"]
    assert [p.name for p in tmp_path.iterdir()] == (["stdout"] if "stdout" in where else [])


def test_dev_stdout_appends_to_a_redirected_file(crawled_archive, tmp_path):
    """`>> log`: the shell's file is written through the descriptor, never renamed over."""
    log = tmp_path / "log.jsonl"
    log.write_text('{"earlier": 1}\n')
    inode = log.stat().st_ino
    with open(log, "ab") as out:
        result = subprocess.run(
            [sys.executable, "-m", "portal_crawler", "export", "--db", str(crawled_archive),
             "-o", str(stdout_link(tmp_path))], stdout=out, stderr=subprocess.PIPE, text=True,
            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert log.stat().st_ino == inode
    assert lines[0] == '{"earlier": 1}' and len(lines) == 1 + article_count(crawled_archive)


def test_a_regular_file_is_replaced_atomically_keeping_its_mode(crawled_archive, tmp_path):
    out = tmp_path / "all.jsonl"
    out.write_text("old\n")
    out.chmod(0o600)
    result = cli("export", "--db", str(crawled_archive), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text().splitlines()) == article_count(crawled_archive)
    assert [p.name for p in tmp_path.iterdir()] == ["all.jsonl"]


# -- the format follows the extension ----------------------------------------------------------
def test_extension_picks_csv(crawled_archive, tmp_path):
    out = tmp_path / "x.csv"
    result = cli("export", "--db", str(crawled_archive), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == article_count(crawled_archive) and rows[0]["id"]


def test_extension_picks_parquet_and_warc(crawled_archive, tmp_path):
    import pyarrow.parquet as pq

    parquet = tmp_path / "x.parquet"
    assert cli("export", "--db", str(crawled_archive), "-o", str(parquet)).returncode == 0
    assert pq.read_table(parquet).num_rows == article_count(crawled_archive)
    for name in ("x.warc", "x.warc.gz"):
        warc = tmp_path / name
        result = cli("export", "--db", str(crawled_archive), "-o", str(warc))
        assert result.returncode == 0, result.stderr
        data = warc.read_bytes()
        plain = gzip.decompress(data) if name.endswith(".gz") else data
        assert plain.startswith(b"WARC/1.1\r\n")


def test_a_format_contradicting_the_extension_is_refused(crawled_archive, tmp_path):
    out = tmp_path / "x.csv"
    result = cli("export", "--db", str(crawled_archive), "--format", "jsonl", "-o", str(out))
    assert result.returncode == 2
    assert_one_line(result.stderr)
    assert "csv" in result.stderr and "jsonl" in result.stderr
    assert not out.exists()


# -- unknown editions ------------------------------------------------------------------------
@pytest.mark.parametrize("command, lang", [(["search", "x"], "vn"), (["stats"], "zh"),
                                           (["export"], "id,vn"), (["report", "-"], "zh")])
def test_an_unknown_edition_is_a_bad_argument(crawled_archive, command, lang):
    result = cli(*command, "--db", str(crawled_archive), "--lang", lang)
    assert result.returncode == 2, result.stderr
    assert_one_line(result.stderr)
    assert "unknown language" in result.stderr and "zh-cn" in result.stderr
    assert result.stdout == ""


# -- click's own usage errors ----------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["export", "--format", "xml"], "'xml' is not one of"),
    (["search"], "Missing argument 'QUERY'"),
    (["nosuch"], "No such command 'nosuch'"),
    (["stats", "--top", "0"], "--top"),
])
def test_a_usage_error_is_one_line_and_exit_2(args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert_one_line(result.stderr)
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "--help" in result.stderr  # where to look next
