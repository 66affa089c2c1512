"""Extraction layers: pure functions (parsed page -> fields), one module per job.

A layer module has `NAME`, `VERSION` and `parse(page) -> dict of Article fields`; `extract()`
runs the portal's own parser, then `metadata`, then `generic`, then (off the portal path)
`library` (trafilatura), each filling only what the ones before left empty.
"""

from __future__ import annotations

from types import ModuleType

from . import generic, library, metadata, vietnam_vn

# Portal name (portals.py) -> its own parser module.
PORTAL_PARSERS: dict[str, ModuleType] = {"vietnam.vn": vietnam_vn}


def label(layer: ModuleType) -> str:
    """"vietnam_vn/1": the name and version recorded in `Article.parser`."""
    return f"{layer.NAME}/{layer.VERSION}"


__all__ = ["PORTAL_PARSERS", "generic", "label", "library", "metadata", "vietnam_vn"]
