from __future__ import annotations

import unicodedata

import pytest

from portal_crawler.normalize import (
    clean_text,
    dedupe_repeat,
    is_ad_token,
    is_source_trailer,
    join_paragraphs,
    split_paragraphs,
    strip_ad_tokens,
)

SAMPLES = [
    "Báo Quốc Tế",
    unicodedata.normalize("NFD", "Nga-Triều Tiên tăng cường hợp tác"),
    "  a\u200b b\u00a0\tc \ufeff\n",
    "soft\u00adhyphen",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_clean_text_is_idempotent_and_nfc(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


def test_clean_text_removes_invisible_characters_and_collapses_spaces() -> None:
    assert clean_text("  a\u200b b\u00a0\tc \ufeff\n") == "a b c"
    assert clean_text("soft\u00adhyphen") == "softhyphen"
    assert clean_text(None) == ""


def test_nfd_vietnamese_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Đường")
    assert nfd != "Đường"
    assert clean_text(nfd) == "Đường"


def test_zero_width_between_base_and_mark_still_composes() -> None:
    assert clean_text("e\u200b\u0301") == "é"


def test_paragraphs_round_trip() -> None:
    body = join_paragraphs(["  first ", "", "second\n line"])
    assert body == "first\n\nsecond line"
    assert split_paragraphs(body) == ["first", "second line"]
    assert join_paragraphs(split_paragraphs(body)) == body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Báo Quốc TếBáo Quốc Tế", "Báo Quốc Tế"),
        ("Báo Nhân dân Báo Nhân dân", "Báo Nhân dân"),
        ("A caption. A caption.", "A caption."),
        ("Báo Quốc Tế", "Báo Quốc Tế"),
        ("Hà Nội", "Hà Nội"),
    ],
)
def test_dedupe_repeat(text: str, expected: str) -> None:
    assert dedupe_repeat(text) == expected
    assert dedupe_repeat(expected) == expected


def test_dedupe_repeat_reaches_a_fixed_point() -> None:
    once = dedupe_repeat("Bali Bali Bali Bali")
    assert dedupe_repeat(once) == once == "Bali"


@pytest.mark.parametrize(
    "token", ["[iklan_1]", "[ad_2]", "[quảng_cáo_1]", "[광고_1]", "[広告_3]", "[annonce_1] [ad_2]"]
)
def test_ad_placeholders_in_any_language(token: str) -> None:
    assert is_ad_token(token)
    assert strip_ad_tokens(f"before {token} after") == "before after"


@pytest.mark.parametrize("text", ["[Video 1]", "[1]", "Ukraine [update]", "iklan_1", ""])
def test_not_ad_placeholders(text: str) -> None:
    assert not is_ad_token(text)


@pytest.mark.parametrize("text", ["Sumber", "Nguồn", "Source", "Nguồn: Báo Quốc Tế", "出典"])
def test_source_trailers(text: str) -> None:
    assert is_source_trailer(text)


@pytest.mark.parametrize("text", ["Theo ông Nguyễn Văn A, giá sẽ tăng.", "Sources say", ""])
def test_not_source_trailers(text: str) -> None:
    assert not is_source_trailer(text)
