"""What the project knows about each portal: hosts, editions, clock zone.

One registry so that identity (canonical URLs), offline routing and the spiders agree on
which hosts belong to a portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Portal:
    name: str
    canonical_host: str
    hosts: frozenset[str]
    languages: tuple[str, ...]
    default_language: str
    timezone: str

    def owns(self, url_or_host: str) -> bool:
        host = urlsplit(url_or_host).hostname if "/" in url_or_host else url_or_host
        return (host or "").lower() in self.hosts


VIETNAM_VN = Portal(
    name="vietnam.vn",
    canonical_host="www.vietnam.vn",
    hosts=frozenset({"www.vietnam.vn", "vietnam.vn", "vcdn.vietnam.vn", "thongtin.vietnam.vn"}),
    # Path prefixes of the editions; Vietnamese has none.
    languages=("vi", "en", "fr", "ja", "ko", "id", "th", "ru", "es", "de", "pt", "zh-cn"),
    default_language="vi",
    timezone="Asia/Ho_Chi_Minh",
)

PORTALS: dict[str, Portal] = {VIETNAM_VN.name: VIETNAM_VN}


def portal_for(url: str) -> Portal | None:
    """The portal a URL belongs to, by host; None for any other site."""
    for portal in PORTALS.values():
        if portal.owns(url):
            return portal
    return None
