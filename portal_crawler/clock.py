"""The one clock for time-relative rules; tests fix it with PORTAL_CRAWLER_NOW."""

from __future__ import annotations

import os
from datetime import UTC, datetime

NOW_ENV = "PORTAL_CRAWLER_NOW"


def now(override: str | None = None) -> datetime:
    """Aware UTC now, or the fixed instant of a setting / $PORTAL_CRAWLER_NOW."""
    fixed = override or os.environ.get(NOW_ENV)
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime.now(UTC)


def now_iso(override: str | None = None) -> str:
    return now(override).isoformat(timespec="seconds")


def parse_instant(value: str | None) -> datetime | None:
    """An ISO 8601 instant (`Z` allowed) as an aware datetime; a value without offset, such as
    a sitemap's bare `2023-09-20`, counts as UTC. None when absent or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
