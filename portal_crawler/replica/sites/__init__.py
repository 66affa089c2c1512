"""Replicas of the other portals: each a module here, served beside vietnam.vn by host.

A site module renders its own content records (content/<portal>/) in that site's markup, as
../shared/reference/VIETNAMESE_PORTALS.md documents it, with the discovery that site offers
(feeds or sitemaps). It exposes:

    PORTAL: str                          the registry name (portals.toml), e.g. "vnexpress.net"
    def build() -> dict[tuple[str, str], Resource]      (host, path_with_query) -> response
    def golden_pairs() -> dict[str, tuple[str, str]]    name -> (html, expected Article JSON)

`build()` is pure and deterministic; expected Articles come from the records, never from
extract(). Golden pairs are written under tests/pages/<module name>/ by
`python -m portal_crawler.replica.generate --golden-site NAME DIR`.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from ..resource import Resource

# Module names under this package, in the order they are served; each adds one line here.
SITES: tuple[str, ...] = ("vnexpress", "tuoitre", "thanhnien", "dantri", "baoquocte")


def site_module(name: str) -> ModuleType:
    if name not in SITES:
        raise KeyError(f"no replica site {name!r} (known: {', '.join(SITES) or 'none'})")
    return import_module(f".{name}", __name__)


def build_sites(names: tuple[str, ...] | None = None) -> dict[tuple[str, str], Resource]:
    """Every page of every (or the named) site replica, keyed as the vietnam.vn SiteMap."""
    pages: dict[tuple[str, str], Resource] = {}
    for name in SITES if names is None else names:
        pages.update(site_module(name).build())
    return pages
