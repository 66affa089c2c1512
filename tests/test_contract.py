"""The field contract (docs/article.md) as a table, and every parser held to it.

The table below is parsed from docs/article.md itself, so the documentation and the checks
cannot drift apart: every Article field has a row, every row a field, and each row's type is
what `check_article()` enforces on every golden result, every layer's output and (in
test_extract_properties.py) on mangled pages and random bytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from slugify import slugify

from portal_crawler.article import FIELD_NAMES, REQUIRED_FIELDS, Article, validation_messages
from portal_crawler.extract import extract
from portal_crawler.parsers import PORTAL_PARSERS, generic, library, metadata
from portal_crawler.parsers.base import Page
from portal_crawler.parsers.document import decode, parse

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "article.md"
PAGES = sorted((ROOT / "tests" / "pages").glob("*/*.html"))
FETCHED = "2023-09-14T12:00:00+00:00"

RELATIONS = frozenset({"related_box", "inline", "source", "same_topic", "same_category",
                       "same_author", "related"})
# Fields extract() sets itself; no layer may return them.
IDENTITY = frozenset({"id", "url", "canonical_url", "portal", "language", "slug", "messages",
                      "fetched_at", "parser"})
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
_ROW = re.compile(r"^\|\s*(?P<names>[a-z_, ]+?)\s*\|\s*(?P<type>(?:\\\||[^|])+?)\s*\|")


def contract_table() -> dict[str, str]:
    """field -> type, from the field table in docs/article.md (a "a, b" row is two fields)."""
    table: dict[str, str] = {}
    lines = DOC.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| field | type |"))
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        match = _ROW.match(line)
        if match:
            for name in match["names"].split(","):
                table[name.strip()] = match["type"].replace("\\|", "|").replace(" ", "")
    return table


CONTRACT = contract_table()


def _is_absolute(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if _ISO_DAY.match(value):
        datetime.fromisoformat(value)
        return True
    return bool(_ISO_INSTANT.match(value)) and datetime.fromisoformat(value).tzinfo is not None


def _nfc(value: Any) -> bool:
    return not isinstance(value, str) or unicodedata.is_normalized("NFC", value)


def check_value(name: str, value: Any) -> list[str]:
    """What is wrong with one field's value under the contract (empty list: nothing)."""
    kind = CONTRACT[name]
    errors: list[str] = []
    if kind == "str":
        if not isinstance(value, str):
            errors.append(f"{name}: {type(value).__name__}, not str")
    elif kind == "str|None":
        if value is not None and not (isinstance(value, str) and value):
            errors.append(f"{name}: {value!r}: not a non-empty str or None")
    elif kind == "list[str]":
        if not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            errors.append(f"{name}: {value!r}: not a list of non-empty str")
    elif kind == "dict[str,str]":
        if not (isinstance(value, dict) and all(
                isinstance(k, str) and _is_absolute(v) for k, v in value.items())):
            errors.append(f"{name}: {value!r}: not edition -> absolute URL")
    elif kind.startswith("list[{url,caption,credit,alt}]"):
        for image in value if isinstance(value, list) else [None]:
            if not (isinstance(image, dict) and set(image) == {"url", "caption", "credit", "alt"}
                    and _is_absolute(image["url"])
                    and all(image[k] is None or (isinstance(image[k], str) and image[k])
                            for k in ("caption", "credit", "alt"))):
                errors.append(f"{name}: {image!r}")
    elif kind.startswith("list[{url,text,relation}]"):
        for link in value if isinstance(value, list) else [None]:
            if not (isinstance(link, dict) and set(link) == {"url", "text", "relation"}
                    and _is_absolute(link["url"]) and isinstance(link["text"], str)
                    and link["relation"] in RELATIONS):
                errors.append(f"{name}: {link!r}")
    else:
        errors.append(f"{name}: unknown contract type {kind!r}")
    if name in ("date_published", "date_modified") and value is not None and not _is_iso(value):
        errors.append(f"{name}: {value!r} is not ISO 8601 per the contract")
    if name == "source_url" and value is not None and not _is_absolute(value):
        errors.append(f"{name}: {value!r} is not absolute")
    if not (_nfc(value) and all(_nfc(v) for v in (value if isinstance(value, list) else []))):
        errors.append(f"{name}: not NFC")
    return errors


def check_article(article: Article) -> list[str]:
    """Everything the contract says of one extract() result."""
    data = article.to_dict()
    errors = [] if tuple(data) == FIELD_NAMES else [f"fields {tuple(data)}"]
    for name in FIELD_NAMES:
        errors += check_value(name, data[name])
    if data["id"] != hashlib.sha256(data["canonical_url"].encode()).hexdigest()[:16]:
        errors.append("id is not the hash of canonical_url")
    if data["slug"] != slugify(data["headline"]):
        errors.append("slug is not slugify(headline)")
    if data["messages"][: len(validation_messages(data))] != validation_messages(data):
        errors.append("messages do not start with validation_messages()")
    if data["lead"] and not data["body"].startswith(data["lead"]):
        errors.append("lead is not the body's first paragraph")
    if data["body"] != "\n\n".join(p for p in data["body"].split("\n\n") if p.strip()):
        errors.append("body paragraphs are not separated by exactly one blank line")
    if data["date_published"] and not data["date_published_raw"]:
        errors.append("date_published without the printed form")
    if not _is_iso(data["fetched_at"]) or not data["fetched_at"].endswith("+00:00"):
        errors.append(f"fetched_at {data['fetched_at']!r} is not ISO UTC")
    if not re.fullmatch(r"[a-z_]+/\d+(\+[a-z_]+/\d+)*", data["parser"]):
        errors.append(f"parser {data['parser']!r}")
    for name in REQUIRED_FIELDS:
        if not data[name] and f"missing required {name}" not in data["messages"]:
            errors.append(f"{name} empty and not named in messages")
    return errors


def check_layer_output(found: dict[str, Any]) -> list[str]:
    """A layer returns only non-identity contract fields, non-empty and of the contract's type."""
    errors = [f"{name}: not a layer's field" for name in found
              if name not in FIELD_NAMES or name in IDENTITY]
    for name, value in found.items():
        if name in CONTRACT and name not in IDENTITY:
            if value in (None, "", [], {}):
                errors.append(f"{name}: empty value returned")
            errors += check_value(name, value)
    return errors


def _page(path: Path) -> Page:
    import json

    expected = json.loads(path.with_suffix(".json").read_text("utf-8"))
    from portal_crawler.identity import edition_of
    from portal_crawler.normalize.dates import parse_fetched_at

    return Page(sel=parse(decode(path.read_bytes())), url=expected["url"],
                language=edition_of(expected["url"]), zone="Asia/Ho_Chi_Minh",
                fetched_at=parse_fetched_at(expected["fetched_at"]))


def test_the_table_documents_every_field_and_only_them() -> None:
    assert list(CONTRACT) == list(FIELD_NAMES)


def test_the_table_types_match_the_dataclass() -> None:
    defaults = Article().to_dict()
    for name, kind in CONTRACT.items():
        if kind == "str":
            assert defaults[name] == "", name
        elif kind == "str|None":
            assert defaults[name] is None, name
        elif kind.startswith("list"):
            assert defaults[name] == [], name
        elif kind.startswith("dict"):
            assert defaults[name] == {}, name


LAYERS = [*PORTAL_PARSERS.values(), metadata, generic, library]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda m: m.NAME)
@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_layer_returns_contract_fields(layer: Any, path: Path) -> None:
    assert check_layer_output(layer.parse(_page(path))) == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_golden_result_holds_the_contract(path: Path) -> None:
    import json

    expected = json.loads(path.with_suffix(".json").read_text("utf-8"))
    for portal_parser in (True, False):
        article = extract(path.read_bytes(), expected["url"], fetched_at=expected["fetched_at"],
                          portal_parser=portal_parser)
        assert check_article(article) == [], portal_parser


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_expected_json_holds_the_contract(path: Path) -> None:
    """The generator's expectations are held to the same table (a disagreement shows here)."""
    import json

    data = json.loads(path.with_suffix(".json").read_text("utf-8"))
    errors = [e for name in FIELD_NAMES for e in check_value(name, data[name])]
    assert errors == []


@pytest.mark.parametrize("data", [b"", b"\x00\xff" * 50, b"<h1>x", "<p>only</p>", b"{}"])
def test_degenerate_inputs_hold_the_contract(data: bytes | str) -> None:
    article = extract(data, "https://www.vietnam.vn/x", fetched_at=FETCHED)
    assert check_article(article) == []
    article = extract(data, "https://example.com/x", fetched_at=FETCHED)
    assert check_article(article) == []
