"""Dates as printed on a page -> ISO 8601 strings of the Article contract.

A day without a time stays a bare date ("2023-09-14"); a time gets the page's offset or the
portal's zone. ISO and numeric day-first formats are parsed here with regexes: dateparser is
slow (~13 ms a call without hints) and reads 02/03/2024 month-first, so it is only the last
resort, told the edition's language, day-first order, the portal zone and the fetch clock.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from .text import clean_text

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)
# 14/09/2023, 14-09-2023, 14.09.2023 (day first, the portal's order) or 2023/09/14.
_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?!\d)")
# 10:30, 10:30:15, 10h30; "10:30 14/09/2023" and "14/09/2023 - 10:30" both occur.
_TIME = re.compile(
    r"(?<![\d:])(?P<H>[01]?\d|2[0-3])\s*[:hH]\s*(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?(?![\d:])"
)
_GMT = re.compile(r"(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.I)
# Whatever else may surround a numeric date without making it something else: weekday names,
# "ngày", "(GMT+7)", punctuation. Letters are allowed; digits other than the date/time are not.
_STRAY_DIGITS = re.compile(r"\d")

# "14 tháng 9, 2023", "ngày 14 tháng 9 năm 2023": Vietnamese day, month number, year.
_VI = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*,?\s*(?:năm\s+)?(?P<y>\d{4})(?!\d)",
    re.IGNORECASE,
)
# "2023年9月14日" (zh, ja), "2023년 9월 14일" (ko).
_CJK = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일号]?"
)
# "2 giờ trước", "3 hours ago", "2 jam yang lalu", "2시간 전", "2時間前", "2小时前".
_UNITS: dict[str, tuple[str, ...]] = {
    "seconds": ("giây", "seconds", "second", "secs", "sec", "detik", "초", "秒", "秒钟", "วินาที"),
    "minutes": ("phút", "minutes", "minute", "mins", "min", "menit", "분", "分钟", "分", "นาที"),
    "hours": ("giờ", "tiếng", "hours", "hour", "hrs", "jam", "시간", "時間", "小时", "小時",
              "ชั่วโมง", "ชม."),
    "days": ("ngày", "days", "day", "hari", "일", "日", "天", "วัน"),
    "weeks": ("tuần", "weeks", "week", "minggu", "주", "週間", "周", "週", "สัปดาห์"),
}
_UNIT_OF = {word.casefold(): unit for unit, words in _UNITS.items() for word in words}
_AGO = ("trước", "ago", "yang lalu", "lalu", "전", "前", "之前", "以前", "ที่แล้ว", "ก่อน")
_RELATIVE = re.compile(
    r"(?<!\d)(?P<n>\d{1,3})\s*(?P<unit>"
    + "|".join(sorted(map(re.escape, _UNIT_OF), key=len, reverse=True))
    + r")\s*(?:"
    + "|".join(map(re.escape, _AGO))
    + ")",
    re.IGNORECASE,
)
# "hôm qua" / "yesterday" / "kemarin" / "어제" / "昨日" / "昨天" / "เมื่อวาน": days back.
_DAY_WORDS = {
    "hôm nay": 0, "today": 0, "hari ini": 0, "오늘": 0, "今日": 0, "今天": 0, "วันนี้": 0,
    "hôm qua": 1, "yesterday": 1, "kemarin": 1, "어제": 1, "昨日": 1, "昨天": 1, "เมื่อวาน": 1,
}
_WORD = r"(?:[^\W\d_]|[\u0e00-\u0e7f])"  # a letter (Thai vowel signs are not \w)
_TIME_PART = r"\d{1,2}\s*[:hH]\s*\d{2}(?::\d{2})?"
_DAY_PARTS = (
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}",
    r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}",
    r"(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}\s*,?\s*(?:năm\s+)?\d{4}",
    r"\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일号]?",
    rf"\d{{1,2}}\s+{_WORD}{{3,15}}\.?,?\s+\d{{4}}",
    rf"(?<!{_WORD}){_WORD}{{3,12}}\.?\s+\d{{1,2}},?\s+\d{{4}}",
)
# A printed date inside a longer text: an optional time, a day, an optional time; or relative.
PRINTED_DATE = re.compile(
    rf"(?<![\d:])(?:{_TIME_PART}[,\s]*)?(?:{'|'.join(_DAY_PARTS)})(?:[,\s-]*{_TIME_PART})?(?![\d:])"
    rf"|{_RELATIVE.pattern}",
    re.IGNORECASE,
)

# Languages (html lang) whose numeric dates put the month first: 9/11/2013 is 11 September.
MONTH_FIRST = frozenset({"en-us"})
# dateparser's language codes for the editions whose prefix differs.
_DATEPARSER_LANG = {"zh-cn": "zh", "zh-tw": "zh", "pt-br": "pt"}


def parse_fetched_at(value: str | datetime | None, *, now: datetime | None = None) -> datetime:
    """The fetch clock as an aware UTC datetime; a naive value is taken as UTC."""
    if value is None or value == "":
        value = now or datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def format_fetched_at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def parse_date(
    raw: str | None,
    *,
    language: str = "vi",
    zone: str = DEFAULT_ZONE,
    relative_base: datetime | None = None,
) -> str | None:
    """ISO 8601 for a printed date, or None when it is not a date. Idempotent on its output."""
    text = clean_text(raw)
    if not text:
        return None
    return (
        _parse_iso(text, zone)
        or _parse_numeric(text, zone, (language or "").lower() in MONTH_FIRST)
        or _parse_relative(text, zone, relative_base)
        or _parse_with_dateparser(text, language, zone, relative_base)
    )


def find_date(text: str | None) -> str:
    """The printed date inside a longer text ("Báo Quốc Tế14/09/2023" -> "14/09/2023"), or ""."""
    match = PRINTED_DATE.search(text or "")
    return match.group(0).strip(" ,-") if match else ""


def _parse_iso(text: str, zone: str) -> str | None:
    match = _ISO.match(text)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        if match["H"] is None:
            return day.isoformat()
        clock = time(int(match["H"]), int(match["M"]), int(match["S"] or 0))
    except ValueError:
        return None
    tz = _offset(match["tz"]) if match["tz"] else _zone(zone)
    return _format(datetime.combine(day, clock), tz)


def _parse_numeric(text: str, zone: str, month_first: bool = False) -> str | None:
    match = _DMY.search(text) or _YMD.search(text) or _VI.search(text) or _CJK.search(text)
    if not match:
        return None
    day_key, month_key = ("m", "d") if month_first and match.re is _DMY else ("d", "m")
    rest = text[: match.start()] + " " + text[match.end() :]
    clock_match = _TIME.search(rest)
    gmt = _GMT.search(rest)
    leftover = _TIME.sub(" ", _GMT.sub(" ", rest))
    if _STRAY_DIGITS.search(leftover):
        return None  # something else is printed here; let the general parser judge it
    try:
        day = date(int(match["y"]), int(match[month_key]), int(match[day_key]))
    except ValueError:
        return None
    if not clock_match:
        return day.isoformat()
    clock = time(int(clock_match["H"]), int(clock_match["M"]), int(clock_match["S"] or 0))
    tz = _gmt_offset(gmt) if gmt else _zone(zone)
    return _format(datetime.combine(day, clock), tz)


def _parse_relative(text: str, zone: str, base: datetime | None) -> str | None:
    """"2 giờ trước" against the fetch clock; "hôm qua" as a bare day. Only when that is all."""
    tz = _zone(zone)
    now = (base or datetime.now(UTC)).astimezone(tz).replace(microsecond=0)
    words = text.casefold().strip(" .,")
    if words in _DAY_WORDS:
        return (now.date() - timedelta(days=_DAY_WORDS[words])).isoformat()
    match = _RELATIVE.fullmatch(text.strip(" .,"))
    if not match:
        return None
    unit = _UNIT_OF[match["unit"].casefold()]
    moment = now - timedelta(**{unit: int(match["n"])})
    if unit in ("days", "weeks"):
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def _parse_with_dateparser(
    text: str, language: str, zone: str, relative_base: datetime | None
) -> str | None:
    import dateparser  # slow to import; most pages never need it

    tz = _zone(zone)
    base = (relative_base or datetime.now(UTC)).astimezone(tz).replace(tzinfo=None)
    code = (language or "").lower()
    languages = [_DATEPARSER_LANG.get(code, code.split("-")[0])] if code else None
    settings = {
        "DATE_ORDER": "MDY" if code in MONTH_FIRST else "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RELATIVE_BASE": base,
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except Exception:  # unknown language code, odd input: a date we cannot read is not a crash
        parsed = None
    if parsed is None:
        return None
    if parsed.year > 2400:  # Thai Buddhist era
        parsed = parsed.replace(year=parsed.year - 543)
    local = parsed.astimezone(tz)
    clock = local.time().replace(microsecond=0)
    explicit_time = bool(_TIME.search(text))
    if not explicit_time and clock in (time(0), base.time().replace(microsecond=0)):
        return local.date().isoformat()  # a day ("hôm qua", "14 tháng 9"), not an instant
    return _format(local.replace(tzinfo=None, microsecond=0), tz)


def _format(moment: datetime, tz: tzinfo) -> str:
    return moment.replace(tzinfo=tz).isoformat(timespec="seconds")


@lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return UTC


def _offset(text: str) -> tzinfo:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _gmt_offset(match: re.Match[str]) -> tzinfo:
    sign = -1 if match["sign"] == "-" else 1
    return timezone(sign * timedelta(hours=int(match["h"]), minutes=int(match["m"] or 0)))
