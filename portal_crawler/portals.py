"""What the project knows about each portal: hosts, editions, clock zone.

One registry so that identity (canonical URLs), offline routing and the spiders agree on
which hosts belong to a portal. The portals are declared in `portals.toml` (registry.py reads
it); a site crawled without an entry gets a derived one, registered for the crawl.
"""

from __future__ import annotations

from .registry import Portal, load_registry

__all__ = ["PORTALS", "VIETNAM_VN", "Portal", "portal_for", "register"]

PORTALS: dict[str, Portal] = load_registry()
VIETNAM_VN = PORTALS["vietnam.vn"]


def portal_for(url: str) -> Portal | None:
    """The portal a URL belongs to, by host; None for any other site."""
    for portal in PORTALS.values():
        if portal.owns(url):
            return portal
    return None


def register(portal: Portal) -> Portal:
    """Add a (derived) portal for this process: identity then folds its hosts."""
    PORTALS[portal.name] = portal
    from .identity import canonical_url  # identity imports this module

    canonical_url.cache_clear()  # URLs of its hosts were canonical as "any other site"
    return portal
