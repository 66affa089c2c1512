"""Crawl arguments, checked once at start: a wrong one stops the crawl with one line naming it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..clock import now
from ..portals import Portal


class ArgumentError(ValueError):
    """A wrong crawl argument; its message is the one line the user sees."""


@dataclass(frozen=True)
class CrawlArguments:
    languages: frozenset[str]
    since: date
    until: date
    max_articles: int | None = None
    follow_related: int = 0
    follow_sources: bool = False

    @classmethod
    def parse(cls, portal: Portal, *, lang: str | None = None, since: str | None = None,
              until: str | None = None, max_articles: str | int | None = None,
              follow_related: str | int | None = None,
              follow_sources: str | bool | None = None,
              clock: datetime | None = None) -> CrawlArguments:
        """Defaults: every edition; the last 2 local days (today and yesterday) by the
        project's clock; no article limit; related lists not followed."""
        today = (clock or now()).astimezone(ZoneInfo(portal.timezone)).date()
        last = parse_day("until", until) or today
        first = parse_day("since", since) or (last - timedelta(days=1))
        if first > last:
            raise ArgumentError(f"since={first} is after until={last}")
        return cls(
            languages=parse_languages(portal, lang),
            since=first,
            until=last,
            max_articles=parse_count("max_articles", max_articles, minimum=1),
            follow_related=parse_count("follow_related", follow_related) or 0,
            follow_sources=parse_flag("follow_sources", follow_sources),
        )


def parse_languages(portal: Portal, value: str | None) -> frozenset[str]:
    """`value`'s comma-separated editions, each one the portal has; all of them when empty."""
    if not value:
        return frozenset(portal.languages)
    langs = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = sorted(langs - set(portal.languages))
    if unknown or not langs:
        raise ArgumentError(f"unknown language {', '.join(unknown) or repr(value)} for "
                            f"{portal.name}; known: {', '.join(portal.languages)}")
    return langs


def parse_day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArgumentError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def parse_count(name: str, value: str | int | None, minimum: int = 0) -> int | None:
    """A whole number of at least `minimum` (max_articles=0 would fetch nothing: a mistake)."""
    if value in (None, ""):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except ValueError:
        raise ArgumentError(f"{name}={value!r} is not a whole number") from None
    if number < 0:
        raise ArgumentError(f"{name}={value!r} must not be negative")
    if number < minimum:
        raise ArgumentError(f"{name}={value!r} must be at least {minimum}")
    return number


_FLAGS = {"1": True, "true": True, "yes": True, "on": True,
          "0": False, "false": False, "no": False, "off": False, "": False}


def parse_flag(name: str, value: str | bool | int | None) -> bool:
    """A yes/no argument: `-a follow_sources=1` under scrapy crawl, True from the CLI."""
    if value is None or isinstance(value, bool):
        return bool(value)
    flag = _FLAGS.get(str(value).strip().lower())
    if flag is None:
        raise ArgumentError(f"{name}={value!r} is not 1 or 0 (true/false, yes/no)")
    return flag
