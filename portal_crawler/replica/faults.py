"""Faults the replica can answer with instead of a page, per URL path, for the first N requests.

Tests and benchmarks use them to show that every fault ends as an archived article or a
recorded failure. A fault counts its own requests, so a plan is reproducible.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .resource import Resource


@dataclass(frozen=True)
class Fault:
    """An answer to serve instead of the page: a status with headers and body, `times` times
    (None: always)."""

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    times: int | None = None

    def resource(self) -> Resource:
        return Resource(status=self.status, body=self.body, content_type=self.content_type,
                        headers=dict(self.headers))


def redirect(location: str, status: int = 302, times: int | None = None) -> Fault:
    return Fault(status=status, headers={"Location": location}, times=times)


def retry_after(seconds: int, status: int = 429, times: int | None = 1) -> Fault:
    return Fault(status=status, headers={"Retry-After": str(seconds)}, times=times)


class FaultPlan:
    """path -> Fault, with per-path counters (thread-safe: the server is threaded)."""

    def __init__(self, faults: dict[str, Fault] | None = None) -> None:
        self.faults = dict(faults or {})
        self.served: dict[str, int] = {}
        self._lock = threading.Lock()

    def answer(self, path: str) -> Resource | None:
        fault = self.faults.get(path)
        if fault is None:
            return None
        with self._lock:
            count = self.served.get(path, 0)
            if fault.times is not None and count >= fault.times:
                return None
            self.served[path] = count + 1
        return fault.resource()
