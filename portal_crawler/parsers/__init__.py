"""Extraction layers: pure functions (parsed page -> fields), one module per job.

A layer module has `NAME`, `VERSION` and `parse(page) -> dict of Article fields`; `extract()`
runs the portal's own parser, then `metadata`, then `generic`, then (off the portal path)
`library` (trafilatura), each filling only what the ones before left empty.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from ..portals import PORTALS
from ..registry import RegistryError
from . import generic, library, metadata, vietnam_vn


def _portal_parsers() -> dict[str, ModuleType]:
    """Portal name -> its own parser module, as the registry's `parser` key names it: adding a
    portal's parser is a module here plus one line in portals.toml."""
    parsers: dict[str, ModuleType] = {}
    for portal in PORTALS.values():
        if not portal.parser:
            continue
        if not portal.parser.isidentifier():
            raise RegistryError(f"portal {portal.name!r}: parser {portal.parser!r} is not a "
                                "module name under portal_crawler/parsers")
        try:
            parsers[portal.name] = import_module(f".{portal.parser}", __name__)
        except ModuleNotFoundError:
            raise RegistryError(f"portal {portal.name!r}: no parser module "
                                f"portal_crawler/parsers/{portal.parser}.py") from None
    return parsers


PORTAL_PARSERS: dict[str, ModuleType] = _portal_parsers()


def label(layer: ModuleType) -> str:
    """"vietnam_vn/1": the name and version recorded in `Article.parser`."""
    return f"{layer.NAME}/{layer.VERSION}"


__all__ = ["PORTAL_PARSERS", "generic", "label", "library", "metadata", "vietnam_vn"]
