"""CI runs the real-page benchmark at smoke size on the shared corpus beside the checkout.

The corpus is not in the repository (its README forbids copies): CI checks the project out
at X with the shared folder at X/../shared. A missing corpus fails this test; it never skips.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "readability"
FIELDS = ("headline", "authors", "date", "body_p", "body_r", "body_f1", "captions",
          "non_articles_kept")
FIGURE = r"(?:\d+\.\d{3}|n/a)"


def test_corpus_benchmark_prints_every_figure() -> None:
    assert CORPUS.is_dir(), f"the shared corpus is missing: {CORPUS}"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_extract.py"), "--corpus", str(CORPUS),
         "--limit", "12", "--passes", "1"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for field in FIELDS:
        assert re.search(rf"^  {field} +{FIGURE} +{FIGURE} +\d+$", out, re.M), (field, out)
    for label in ("extract()", "trafilatura bare_extraction", "lxml.html.fromstring"):
        assert re.search(rf"^  {re.escape(label)} +\d+\.\d$", out, re.M), (label, out)
    assert re.search(r"^  extract\(\) / trafilatura +\d+\.\d\dx$", out, re.M), out
    assert re.search(r"^  extract\(\) / lxml alone +\d+\.\d{3}$", out, re.M), out


def test_missing_corpus_is_a_one_line_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_extract.py"), "--corpus",
         str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no corpus folder" in done.stderr
