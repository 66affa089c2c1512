"""The crawl's window of publication days, judged on the article itself (docs/scheduling.md).

Sitemaps, listings and related lists all reach articles of other days; the window holds only
when every article is judged on its own `date_published`, read as a day in the portal's zone,
after extraction, whatever path found it. Pure functions: the spider does the counting.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

# A listing entry's printed day: "14/09/2023" or "10:30 14/09/2023" (day first, as the portal
# prints dates everywhere).
PRINTED_DAY = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")


class Verdict(Enum):
    IN = "in"  # published inside the window: archive it
    UNDATED = "undated"  # no date, but a daily sitemap of the window listed it: archive it
    OUT = "out_of_window"  # published outside, or undated and found elsewhere: do not archive


def publication_day(value: str | None, zone: str) -> date | None:
    """The local day (in `zone`) of an ISO 8601 date or datetime; a bare date is already a
    local day and a datetime without offset is local time. None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        if "T" not in text and " " not in text:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment.astimezone(ZoneInfo(zone)) if moment.tzinfo else moment).date()


def judge(date_published: str | None, zone: str, since: date, until: date,
          listed_by_window_sitemap: bool) -> Verdict:
    """Whether an extracted article belongs to the window [since, until] (inclusive).

    An article without a readable date cannot be placed: it is archived only when a sitemap
    read for the window's days listed it (the portal dated it by that file), never when it
    was reached through a listing or a related list (those reach every year)."""
    day = publication_day(date_published, zone)
    if day is None:
        return Verdict.UNDATED if listed_by_window_sitemap else Verdict.OUT
    return Verdict.IN if since <= day <= until else Verdict.OUT


def printed_day(text: str | None) -> date | None:
    """The day a listing prints beside an entry (dd/mm/yyyy), or None."""
    match = PRINTED_DAY.search(text or "")
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
