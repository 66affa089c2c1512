from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal_crawler.normalize import dates
from portal_crawler.normalize.dates import parse_date, parse_fetched_at

BASE = datetime(2023, 9, 14, 12, 0, tzinfo=UTC)  # 19:00 in Hanoi


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14/09/2023", "2023-09-14"),
        ("02/03/2024", "2024-03-02"),  # day first, never 3 February
        ("10:30 14/09/2023", "2023-09-14T10:30:00+07:00"),
        ("14/09/2023 - 10:30", "2023-09-14T10:30:00+07:00"),
        ("14/09/2023 08:46:06", "2023-09-14T08:46:06+07:00"),
        ("Thứ năm, 14/09/2023 10:30 (GMT+7)", "2023-09-14T10:30:00+07:00"),
        ("10h30 ngày 14/9/2023", "2023-09-14T10:30:00+07:00"),
        ("14.09.2023", "2023-09-14"),
        ("2023/09/14", "2023-09-14"),
        ("2023-09-14", "2023-09-14"),
        ("2023-09-14T10:30:00+07:00", "2023-09-14T10:30:00+07:00"),
        ("2023-09-14T03:30:00Z", "2023-09-14T03:30:00+00:00"),
        ("2023-09-14T10:30", "2023-09-14T10:30:00+07:00"),
        ("2023-09-14T10:30:00.123+0700", "2023-09-14T10:30:00+07:00"),
        ("14 tháng 9, 2023", "2023-09-14"),
        ("ngày 14 tháng 9 năm 2023 10:30", "2023-09-14T10:30:00+07:00"),
        ("2023年9月14日", "2023-09-14"),
        ("2023年9月14日 10:30", "2023-09-14T10:30:00+07:00"),
        ("2023년 9월 14일", "2023-09-14"),
        ("2 giờ trước", "2023-09-14T17:00:00+07:00"),
        ("30 phút trước", "2023-09-14T18:30:00+07:00"),
        ("3 hours ago", "2023-09-14T16:00:00+07:00"),
        ("2 jam yang lalu", "2023-09-14T17:00:00+07:00"),
        ("2시간 전", "2023-09-14T17:00:00+07:00"),
        ("2時間前", "2023-09-14T17:00:00+07:00"),
        ("2小时前", "2023-09-14T17:00:00+07:00"),
        ("3 ngày trước", "2023-09-11"),
        ("hôm qua", "2023-09-13"),
        ("어제", "2023-09-13"),
    ],
)
def test_known_formats_without_dateparser(
    raw: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("dateparser must not be called for a known format")

    monkeypatch.setattr(dates, "_parse_with_dateparser", refuse)
    assert parse_date(raw, relative_base=BASE) == expected


@pytest.mark.parametrize(
    ("raw", "language", "expected"),
    [
        ("2 giờ trước", "vi", "2023-09-14T17:00:00+07:00"),
        ("hôm qua", "vi", "2023-09-13"),
        ("14 tháng 9 năm 2023", "vi", "2023-09-14"),
        ("14 September 2023", "id", "2023-09-14"),
        ("September 14, 2023 10:30", "en", "2023-09-14T10:30:00+07:00"),
        ("2023年9月14日", "zh-cn", "2023-09-14"),
        ("3 days ago", "en", "2023-09-11"),
    ],
)
def test_other_formats_through_dateparser(raw: str, language: str, expected: str) -> None:
    assert parse_date(raw, language=language, relative_base=BASE) == expected


@pytest.mark.parametrize("raw", ["", None, "   ", "31/02/2024", "không có ngày"])
def test_not_a_date(raw: str | None) -> None:
    assert parse_date(raw, relative_base=BASE) is None


@pytest.mark.parametrize(
    "raw", ["14/09/2023", "10:30 14/09/2023", "2023-09-14T03:30:00Z", "2 giờ trước", "hôm qua"]
)
def test_parse_date_is_idempotent(raw: str) -> None:
    once = parse_date(raw, relative_base=BASE)
    assert once is not None
    assert parse_date(once, relative_base=BASE) == once


def test_portal_zone_applies_to_a_time_without_offset() -> None:
    assert parse_date("10:30 14/09/2023", zone="Asia/Tokyo") == "2023-09-14T10:30:00+09:00"


def test_fetched_at_is_utc() -> None:
    assert parse_fetched_at("2023-09-14T19:00:00+07:00").isoformat() == "2023-09-14T12:00:00+00:00"
    assert parse_fetched_at("2023-09-14T12:00:00").tzinfo is UTC
    assert parse_fetched_at(None, now=BASE) == BASE


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Báo Quốc TếBáo Quốc Tế14/09/2023", "14/09/2023"),
        ("Báo Nhân dân 10:30 14/09/2023", "10:30 14/09/2023"),
        ("VietnamPlus14 tháng 9, 2023", "14 tháng 9, 2023"),
        ("新华社 2023年9月14日", "2023年9月14日"),
        ("Báo Tuổi Trẻ 2 giờ trước", "2 giờ trước"),
        ("Báo Quốc Tế", ""),
    ],
)
def test_find_date_in_a_dateline(text: str, found: str) -> None:
    assert dates.find_date(text) == found


def test_dateparser_is_told_language_order_base_and_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import dateparser

    seen: dict[str, object] = {}

    def spy(text: str, languages: list[str], settings: dict[str, object]) -> None:
        seen.update(languages=languages, **settings)

    monkeypatch.setattr(dateparser, "parse", spy)
    parse_date("Kamis, 14 September 2023", language="zh-cn", relative_base=BASE)
    assert seen["languages"] == ["zh"]
    assert seen["DATE_ORDER"] == "DMY" and seen["PREFER_DAY_OF_MONTH"] == "first"
    assert seen["TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert seen["RELATIVE_BASE"] == datetime(2023, 9, 14, 19, 0)
