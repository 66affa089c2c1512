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
                   "/ lxml alone", "headline", "date", "authors", "captions", "body F1"):
        assert figure in out, f"{figure!r} missing from:\n{out}"
