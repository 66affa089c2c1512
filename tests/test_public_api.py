"""The public API as docs/article.md and the README write it, each form in a fresh interpreter
(which of the package's names Python has bound depends on what was imported before)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).parent / "pages" / "vietnam_vn" / "vi_nga_trieu_tien.html"
EXPECTED = json.loads(PAGE.with_suffix(".json").read_text("utf-8"))

FORMS = {
    "from package": "from portal_crawler import extract\n"
                    "a = extract(html, url)",
    "from package after the submodule": "import portal_crawler.extract\n"
                                        "from portal_crawler import extract\n"
                                        "a = extract(html, url)",
    "package attribute": "import portal_crawler\n"
                         "a = portal_crawler.extract(html, url)",
    "from submodule": "from portal_crawler.extract import extract\n"
                      "a = extract(html, url)",
    "submodule attribute": "import portal_crawler.extract\n"
                           "a = portal_crawler.extract.extract(html, url)",
    "lazy then loaded": "import portal_crawler\n"
                        "f = portal_crawler.extract\n"
                        "import portal_crawler.extract\n"
                        "a = portal_crawler.extract(html, url, fetched_at=None)\n"
                        "assert f(html, url).headline == a.headline",
}


@pytest.mark.parametrize("form", FORMS)
def test_every_documented_import_form_returns_an_article(form: str) -> None:
    script = (f"html = open({str(PAGE)!r}, 'rb').read()\nurl = {EXPECTED['url']!r}\n"
              + FORMS[form] + "\nfrom portal_crawler import Article\n"
              "assert isinstance(a, Article), type(a)\nprint(a.headline)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == EXPECTED["headline"]
