"""Golden pages: every stored page against the expected Article written by the generator.

One test per page x contract field, plus "no extra fields". `body_html` is compared by its
paragraphs' texts and `parser` by its first component (docs/article.md, "Golden pages").
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector

from portal_crawler.article import FIELD_NAMES
from portal_crawler.extract import extract

PAGES = Path(__file__).parent / "pages"
GOLDEN = sorted(p for p in PAGES.glob("*/*.html") if p.with_suffix(".json").exists())


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@cache
def _expected(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".json").read_text("utf-8"))


@cache
def _actual(path: Path) -> dict[str, Any]:
    expected = _expected(path)
    article = extract(path.read_bytes(), expected["url"], fetched_at=expected["fetched_at"])
    return article.to_dict()


def _paragraphs(body_html: str) -> list[str]:
    if not body_html:
        return []
    texts = Selector(text=body_html).xpath("//p").xpath("normalize-space(string())").getall()
    return [t for t in texts if t]


def _comparable(name: str, value: Any) -> Any:
    if name == "body_html":
        return _paragraphs(value)
    if name == "parser":
        return value.split("+", 1)[0]
    return value


def test_golden_pages_exist() -> None:
    assert GOLDEN, f"no golden pages under {PAGES}"


@pytest.mark.parametrize("path", GOLDEN, ids=_id)
@pytest.mark.parametrize("name", FIELD_NAMES)
def test_field(path: Path, name: str) -> None:
    expected = _expected(path)
    assert name in expected, f"{_id(path)}.json lacks {name!r}"
    actual = _actual(path)
    assert _comparable(name, actual[name]) == _comparable(name, expected[name])


@pytest.mark.parametrize("path", GOLDEN, ids=_id)
def test_pipeline_normalizers_leave_extract_output_unchanged(path: Path) -> None:
    """extract() returns normalized fields: re-normalizing in the pipelines changes nothing."""
    from portal_crawler.article import Article
    from portal_crawler.pipelines.normalize import normalize_article

    article = Article(**_actual(path))
    assert normalize_article(article) == article


@pytest.mark.parametrize("path", GOLDEN, ids=_id)
def test_no_extra_fields(path: Path) -> None:
    assert set(_expected(path)) == set(FIELD_NAMES)
    assert set(_actual(path)) == set(FIELD_NAMES)
