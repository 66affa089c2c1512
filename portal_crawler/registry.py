"""The portal registry as data: `portals.toml` read into `Portal`s, and the entry derived for
a site nobody registered (its host and www/bare twin, the zone given, languages from pages).

Pure: reading a file and building values; `portals.py` holds the loaded registry."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REGISTRY_FILE = Path(__file__).with_name("portals.toml")
_KEYS = {"canonical_host", "hosts", "editions", "edition_hosts", "default_language", "timezone",
         "parser", "discovery", "scheme"}
_HINTS = ("feeds", "sitemaps", "listings")


class RegistryError(ValueError):
    """A registry entry that cannot be used; the message names the entry and the key."""


@dataclass(frozen=True)
class Portal:
    name: str
    canonical_host: str
    hosts: frozenset[str]
    languages: tuple[str, ...]
    default_language: str
    timezone: str
    # Discovery hints for the generic spider: URLs or site paths.
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    parser: str | None = None
    scheme: str = "https"
    # Editions served on a host of their own: (language, host), e.g. ("en", "e.vnexpress.net").
    edition_hosts: tuple[tuple[str, str], ...] = ()
    # Derived from a URL at crawl time, not declared in the registry.
    derived: bool = field(default=False, compare=False)

    def owns(self, url_or_host: str) -> bool:
        host = urlsplit(url_or_host).hostname if "/" in url_or_host else url_or_host
        return (host or "").lower() in self.hosts

    def host_language(self, host: str | None) -> str | None:
        """The edition a host serves on its own (a subdomain edition), else None."""
        host = (host or "").lower()
        return next((lang for lang, own in self.edition_hosts if own == host), None)

    @property
    def home(self) -> str:
        return f"{self.scheme}://{self.canonical_host}/"

    def absolute(self, url_or_path: str) -> str:
        """A discovery hint as a URL on the portal's canonical host."""
        if url_or_path.startswith(("http://", "https://")):
            return url_or_path
        return f"{self.scheme}://{self.canonical_host}/{url_or_path.lstrip('/')}"


def load_registry(path: Path | str = REGISTRY_FILE) -> dict[str, Portal]:
    """Every portal of a registry file, by name; RegistryError naming what is wrong."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"portal registry {path}: {exc}") from None
    portals = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise RegistryError(f"portal registry {path}: {name!r} is not a table")
        portals[name] = portal_from_entry(name, entry)
    return portals


def portal_from_entry(name: str, entry: dict[str, Any]) -> Portal:
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise RegistryError(f"portal {name!r}: unknown key {', '.join(unknown)}")
    canonical = _text(name, entry, "canonical_host").lower()
    hosts = frozenset(h.lower() for h in _texts(name, entry, "hosts")) | {canonical}
    editions = tuple(e.lower() for e in _texts(name, entry, "editions"))
    default = str(entry.get("default_language", "")).lower()
    if editions and default not in editions:
        raise RegistryError(f"portal {name!r}: default_language {default!r} is not one of "
                            f"its editions")
    edition_hosts = _edition_hosts(name, entry, canonical, default)
    hosts |= {host for _, host in edition_hosts}
    discovery = entry.get("discovery", {})
    if not isinstance(discovery, dict) or set(discovery) - set(_HINTS):
        raise RegistryError(f"portal {name!r}: discovery takes only {', '.join(_HINTS)}")
    return Portal(
        name=name, canonical_host=canonical, hosts=hosts, languages=editions,
        edition_hosts=edition_hosts,
        default_language=default, timezone=check_zone(name, entry.get("timezone", "UTC")),
        feeds=_texts(name, discovery, "feeds"), sitemaps=_texts(name, discovery, "sitemaps"),
        listings=_texts(name, discovery, "listings"), parser=entry.get("parser") or None,
        scheme=entry.get("scheme", "https"),
    )


def _edition_hosts(name: str, entry: dict[str, Any], canonical: str,
                   default: str) -> tuple[tuple[str, str], ...]:
    """`edition_hosts = { en = "e.vnexpress.net" }`: one host per language, each its own
    canonical host, none the portal's canonical host nor the default language's."""
    table = entry.get("edition_hosts", {})
    if not isinstance(table, dict):
        raise RegistryError(f"portal {name!r}: edition_hosts must be a table of "
                            "language = \"host\"")
    pairs: list[tuple[str, str]] = []
    for language, host in table.items():
        if not isinstance(host, str) or not host or "/" in host:
            raise RegistryError(f"portal {name!r}: edition_hosts.{language} must be a host name")
        language, host = language.lower(), host.lower()
        if host == canonical:
            raise RegistryError(f"portal {name!r}: edition_hosts.{language} is the canonical "
                                "host")
        if language == default:
            raise RegistryError(f"portal {name!r}: edition_hosts.{language} is the default "
                                "language, served on the canonical host")
        if host in {h for _, h in pairs}:
            raise RegistryError(f"portal {name!r}: edition_hosts names {host} twice")
        pairs.append((language, host))
    return tuple(pairs)


def derive_portal(url: str, timezone: str | None = None) -> Portal:
    """The entry of a site without one: the URL's host and its www/bare twin, the zone given
    (else UTC); no editions, so each page's <html lang> gives its language."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise RegistryError(f"{url!r} is not an http(s) URL")
    hosts = {host}
    if not _is_ip(host) and "." in host:
        hosts.add(host[4:] if host.startswith("www.") else f"www.{host}")
    # Canonical URLs as identity.canonical_url() writes them for a site outside the registry
    # (bare host, the URL's scheme and port): ids stay the same when the entry is gone, as in
    # a later `reparse`.
    netloc = host.removeprefix("www.") if parts.port is None else f"{host}:{parts.port}"
    netloc = netloc.removeprefix("www.")
    return Portal(
        name=netloc, canonical_host=netloc, hosts=frozenset(hosts),
        languages=(), default_language="", timezone=check_zone(url, timezone or "UTC"),
        scheme=parts.scheme, derived=True,
    )


def check_zone(owner: str, zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise RegistryError(f"{owner}: unknown time zone {zone!r}") from None
    return zone


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _text(name: str, entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise RegistryError(f"portal {name!r}: {key} must be a non-empty string")
    return value


def _texts(name: str, entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RegistryError(f"portal {name!r}: {key} must be a list of strings")
    return tuple(value)
