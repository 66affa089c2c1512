"""CI runs the extraction benchmark at its smoke size: it must run and print its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_extract_benchmark_smoke() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_extract.py"),
                             "--smoke"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for figure in ("extract()", "trafilatura", "lxml.html.fromstring", "/ trafilatura",
                   "/ lxml alone", "headline", "date", "authors", "captions", "body F1",
                   "per portal parser", "vietnam_vn/1", "vnexpress/1"):
        assert figure in out, f"{figure!r} missing from:\n{out}"


def _smoke(script: str) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--smoke"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_crawl_benchmark_smoke() -> None:
    out = _smoke("bench_crawl.py")
    for figure in ("full crawl:", "bare fetch:", "extract() alone:", "archive writer:",
                   "serial ceiling:", "full / ceiling:", "crawl peak RSS:"):
        assert figure in out, out


def test_archive_benchmark_smoke() -> None:
    out = _smoke("bench_archive.py")
    for figure in ("archive writer:", "plain executemany:", "writer / executemany:",
                   "queries of rare terms", "raw pages:"):
        assert figure in out, out


def test_incremental_benchmark_smoke() -> None:
    out = _smoke("bench_incremental.py")
    assert "run 2 (unchanged replica):      0 article pages fetched" in out, out
    assert "fetched exactly the 30 edited and added pages: yes" in out, out
    assert "archived 20 new and 10 updated: yes" in out, out


def test_distributed_benchmark_smoke() -> None:
    """`crawl --workers 2` end to end (private redis-server, two workers, the writer)."""
    out = _smoke("bench_distributed.py")
    for figure in ("1 process:", "--workers 2:", "writer alone:", "workers 2 / 1:",
                   "serial ceiling:", "1 process / ceil:", "workers 2 / ceil:"):
        assert figure in out, out
    assert out.count("(100 archived)") == 2, out
