"""Property-based: whatever the bytes, extract() returns an Article that holds the contract.

Mutated golden pages (cuts, deletions, markup debris spliced in, truncation, NFD, a wrong
charset) and random bytes or markup soup: no exception, no layer failure in `messages`, and
every result passes `check_article()` (types, ISO dates, absolute URLs, NFC, messages).
Derandomized and without deadline, so CI runs the same examples every time.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_contract import check_article

from portal_crawler.extract import extract

PAGES = sorted((Path(__file__).parent / "pages").glob("*/*.html"))[::4]  # a spread
SOURCES = [p.read_bytes() for p in PAGES]
URLS = ["https://www.vietnam.vn/id/nga-trieu-tien", "https://vcdn.vietnam.vn/zh-cn/a/",
        "https://news.example.com/world/1"]
FETCHED = "2023-09-14T12:00:00+00:00"
DEBRIS = [b"<", b">", b"</p>", b"<p>", b"<div>", b"</div>", b"<h1>", b"<!--", b"-->", b"&#",
          b"&amp;", b"\x00", b"\xff", b"\xc3", b'"', b"=", b"<script>", b"<table><td>",
          b"<img data-src=", b"14/09/2023", b"[iklan_1]", b"<meta charset='koi8-r'>",
          b"htps://", b"hPtps:", b"dta:i", b"http:/>/[::1", b"//", b"javascript:", b"%"]

PROPERTY = settings(derandomize=True, deadline=None, max_examples=60, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _holds(data: bytes | str, url: str) -> None:
    article = extract(data, url, fetched_at=FETCHED)
    assert check_article(article) == []
    assert not any(m.startswith("parser error") for m in article.messages), article.messages
    assert article.url == url


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 12))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["delete", "insert", "truncate", "duplicate"]))
        if op == "delete":
            del data[pos : pos + draw(st.integers(1, 400))]
        elif op == "insert":
            data[pos:pos] = b"".join(draw(st.lists(st.sampled_from(DEBRIS), min_size=1,
                                                   max_size=6)))
        elif op == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 2000))]
    return bytes(data)


@PROPERTY
@given(mutated_pages(), st.sampled_from(URLS))
def test_mutated_golden_pages(data: bytes, url: str) -> None:
    _holds(data, url)


@PROPERTY
@given(st.binary(max_size=3000), st.sampled_from(URLS))
def test_random_bytes(data: bytes, url: str) -> None:
    _holds(data, url)


MARKUP = st.lists(st.one_of(st.sampled_from([d.decode("latin-1") for d in DEBRIS]),
                            st.text(max_size=30)), max_size=60).map("".join)


@PROPERTY
@given(MARKUP, st.sampled_from(URLS))
def test_random_markup_soup(text: str, url: str) -> None:
    _holds(text, url)


@PROPERTY
@given(st.sampled_from(SOURCES), st.sampled_from(["NFD", "NFKD"]),
       st.sampled_from([None, "latin-1", "cp1252", "utf-16", "no-such"]))
def test_nfd_and_wrong_charsets_give_nfc_and_no_errors(data: bytes, form: str,
                                                       encoding: str | None) -> None:
    text = unicodedata.normalize(form, data.decode("utf-8"))
    article = extract(text.encode("utf-8"), URLS[0], fetched_at=FETCHED, encoding=encoding)
    assert check_article(article) == []
    assert article.headline and article.body
