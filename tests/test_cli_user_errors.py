"""A user's mistake with an output or an argument: one line on stderr, the documented exit
status, and nothing of the archive lost.

Each case runs the real command in a subprocess on real files. The oracles are outside our
code: the archive's sha256 before and after, the kernel's answer on read-only media, the
shell's pipe, gzip's magic bytes and warcio reading what we wrote.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, cli, copy_archive

GZIP_MAGIC = b"\x1f\x8b"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line(stderr: str) -> None:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr


# -- 1. an output that is the archive itself -------------------------------------------------
def _output_args(command: str, target: Path) -> list[str]:
    """--format too, so that the refusal is the archive's, not the extension's."""
    return ["--format", "jsonl", "-o", str(target)] if command == "export" else [str(target)]


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("how", ["same path", "symlink", "relative", "hard link"])
def test_the_archive_is_never_the_output(archive_copy, tmp_path, command, how):
    before = sha256(archive_copy)
    target = archive_copy
    if how == "symlink":
        target = tmp_path / "link.db"
        target.symlink_to(archive_copy)
    elif how == "hard link":
        target = tmp_path / "other-name.db"
        os.link(archive_copy, target)
    elif how == "relative":
        target = Path(os.path.relpath(archive_copy, ROOT))
    result = cli(command, "--db", str(archive_copy), *_output_args(command, target))
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line(result.stderr)
    assert "overwrite" in result.stderr and "archive" in result.stderr
    assert sha256(archive_copy) == before


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ".lock"])
def test_the_archive_companions_are_never_the_output(archive_copy, tmp_path, command, suffix):
    companion = Path(f"{archive_copy}{suffix}")
    before = sha256(archive_copy)
    result = cli(command, "--db", str(archive_copy), *_output_args(command, companion))
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line(result.stderr)
    assert "overwrite" in result.stderr
    assert sha256(archive_copy) == before
    # SQLite may keep its own -wal/-shm beside a read archive; none holds what we would write
    if companion.exists():
        assert not companion.read_bytes().lstrip().startswith((b"{", b"<"))
    # the archive still opens and reads
    assert cli("stats", "--db", str(archive_copy)).returncode == 0


# -- 2. an archive on read-only media --------------------------------------------------------
def _read_only_mount_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null "
                            "|| mount -t tmpfs none /tmp"], capture_output=True)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _read_only_mount_available(),
                                 reason="needs unshare -rm (user + mount namespaces)")


def _on_read_only_mount(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    script = (f'mount --bind "{folder}" "{folder}" && '
              f'mount -o remount,bind,ro "{folder}" && exec "$@"')
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", sys.executable, "-m",
                           "portal_crawler", *command], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


@needs_mount
@pytest.mark.parametrize("existing", [True, False])
def test_crawl_into_read_only_media_is_one_line(archive_copy, tmp_path, existing):
    folder = tmp_path / "media"
    folder.mkdir()
    db = folder / "r.db"
    if existing:
        copy_archive(archive_copy, db)
    before = sorted(p.name for p in folder.iterdir())
    result = _on_read_only_mount(folder, "crawl", "vietnam_vn", "--db", str(db),
                                 "--replica", "127.0.0.1:9")
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert_one_line(result.stderr)
    assert "read-only" in result.stderr.lower()
    assert sorted(p.name for p in folder.iterdir()) == before


@needs_mount
def test_reparse_on_read_only_media_is_one_line(archive_copy, tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    db = copy_archive(archive_copy, folder / "r.db")
    result = _on_read_only_mount(folder, "reparse", "--db", str(db))
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert_one_line(result.stderr)


# -- 3. a reader that leaves early -----------------------------------------------------------
@pytest.mark.parametrize("command", ["export -o -", "stats", "search hà --limit 50"])
def test_a_closed_pipe_ends_quietly(crawled_archive, command):
    """`| head -1`: the conventional quiet end, exit status 0 (docs/analysts.md)."""
    script = (f'"{sys.executable}" -m portal_crawler {command} --db "{crawled_archive}" '
              f'2>"$ERR" | head -c 1 >/dev/null; echo "${{PIPESTATUS[0]}}"')
    for attempt in range(3):  # the race between writer and reader differs run to run
        err = Path(os.environ.get("TMPDIR", "/tmp")) / f"pipe-{os.getpid()}-{attempt}.err"
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                                env={**os.environ, "ERR": str(err)}, cwd=ROOT, timeout=120)
        stderr = err.read_text()
        err.unlink()
        assert result.stdout.strip() == "0", (command, result.stdout, stderr)
        assert stderr == "", stderr


# -- 4. a bad Scrapy setting -----------------------------------------------------------------
def test_unknown_log_level_is_a_bad_argument(tmp_path):
    result = cli("crawl", "vietnam_vn", "--db", str(tmp_path / "a.db"),
                 "--replica", "127.0.0.1:9", "-s", "LOG_LEVEL=BOGUS")
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line(result.stderr)
    assert "LOG_LEVEL" in result.stderr
    assert not (tmp_path / "a.db").exists()


# -- 5. the format an output's name implies --------------------------------------------------
@pytest.mark.parametrize("name", ["x.csv.gz", "x.tsv", "x.txt", "x.jsonl.gz", "x.json.bz2"])
def test_an_unknown_extension_is_refused(crawled_archive, tmp_path, name):
    result = cli("export", "--db", str(crawled_archive), "-o", str(tmp_path / name))
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line(result.stderr)
    assert ".jsonl" in result.stderr and ".csv" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_explicit_format_writes_any_name(crawled_archive, tmp_path):
    out = tmp_path / "x.txt"
    result = cli("export", "--db", str(crawled_archive), "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("id,")


def _warc_records(path: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as stream:
        return [record.rec_type for record in ArchiveIterator(stream)]


@pytest.mark.parametrize(("name", "gzipped"), [("x.warc", False), ("x.warc.gz", True)])
def test_warc_is_gzipped_only_when_named_so(crawled_archive, tmp_path, name, gzipped):
    out = tmp_path / name
    result = cli("export", "--db", str(crawled_archive), "-o", str(out))
    assert result.returncode == 0, result.stderr
    head = out.read_bytes()[:8]
    assert head.startswith(GZIP_MAGIC) == gzipped
    if not gzipped:
        assert head.startswith(b"WARC/1.1")
    else:
        assert gzip.decompress(out.read_bytes()).startswith(b"WARC/1.1")
    records = _warc_records(out)
    assert records[0] == "warcinfo" and records.count("response") >= 1
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


# -- 6. an empty search ----------------------------------------------------------------------
@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_is_a_bad_argument(crawled_archive, query):
    result = cli("search", query, "--db", str(crawled_archive))
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line(result.stderr)
