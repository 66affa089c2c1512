"""Test-only: SIGKILL the crawl at a named point, so that resuming is tested without timing.

PORTAL_CRAWLER_TEST_KILL_AT = "discovery" | "batch" | "commit", optionally ":N" for the Nth
time the point is reached. Unset (always, outside tests) it does nothing.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

SETTING = "PORTAL_CRAWLER_TEST_KILL_AT"
POINTS = ("discovery", "batch", "commit")
_reached: Counter[str] = Counter()


def maybe_kill(spec: str | None, point: str) -> None:
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
