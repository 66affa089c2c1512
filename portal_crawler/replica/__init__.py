"""Offline replica of the portals: content records -> rendered pages -> a loopback HTTP server.

Tests and demos crawl it instead of the live sites; see docs/replica.md. Exports are lazy so
that `python -m portal_crawler.replica.generate|server` runs without a double import.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ReplicaServer": "server",
    "Resource": "resource",
    "SiteMap": "generate",
    "build_site": "generate",
    "build_all": "generate",
    "golden_pairs": "generate",
    "write_golden": "generate",
    "load_site": "content",
    "site_from_records": "content",
    "synthesize": "synth",
    "expected_articles": "synth",
    "edit": "synth",
    "add": "synth",
    "remove": "synth",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
