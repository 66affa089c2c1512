"""CI runs the extract() fuzzer at its smoke size (500 inputs). The long run (100,000 inputs) is
by hand: python benchmarks/fuzz_extract.py (figures in docs/reliability.md)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def smoke() -> str:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz_extract.py"),
                             "--smoke"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "inputs: 500 " in result.stdout
    return result.stdout


def test_no_exception_escapes_extract(smoke: str) -> None:
    assert re.search(r"exceptions: 0\b", smoke), smoke[-4000:]


def test_every_result_meets_the_contract(smoke: str) -> None:
    assert "failures: 0 " in smoke, smoke[-4000:]
