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
