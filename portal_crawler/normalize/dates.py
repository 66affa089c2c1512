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
    return _parse_iso(text, zone) or _parse_numeric(text, zone) or _parse_with_dateparser(
        text, language, zone, relative_base
    )


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


def _parse_numeric(text: str, zone: str) -> str | None:
    match = _DMY.search(text) or _YMD.search(text)
    if not match:
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    clock_match = _TIME.search(rest)
    gmt = _GMT.search(rest)
    leftover = _TIME.sub(" ", _GMT.sub(" ", rest))
    if _STRAY_DIGITS.search(leftover):
        return None  # something else is printed here; let the general parser judge it
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if not clock_match:
        return day.isoformat()
    clock = time(int(clock_match["H"]), int(clock_match["M"]), int(clock_match["S"] or 0))
    tz = _gmt_offset(gmt) if gmt else _zone(zone)
    return _format(datetime.combine(day, clock), tz)


def _parse_with_dateparser(
    text: str, language: str, zone: str, relative_base: datetime | None
) -> str | None:
    import dateparser  # slow to import; most pages never need it

    tz = _zone(zone)
    base = (relative_base or datetime.now(UTC)).astimezone(tz).replace(tzinfo=None)
    code = (language or "").lower()
    languages = [_DATEPARSER_LANG.get(code, code.split("-")[0])] if code else None
    settings = {
        "DATE_ORDER": "DMY",
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
