"""Article identity: canonical URLs, stable ids, editions (DESIGN.md, "Identity").

Pure functions, shared by the parsers, the pipelines and the archive so that one URL has
one identity everywhere.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

from .portals import Portal, portal_for

# Query parameters that only track a visit; they never change the article.
TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "fbclid", "gclid", "dclid", "msclkid", "zarsrc", "gidzl", "ref", "ref_src", "_gl",
)


@lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """Fold mirrors, bare/www, scheme, tracking params, fragment and trailing slash.

    Cached: the same related and translated URLs recur across thousands of articles."""
    url = url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True, keep_fragments=False)
    url = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    portal = portal_for(url)
    if portal is not None:
        # A subdomain edition (e.vnexpress.net) is its own canonical host, never folded.
        scheme = portal.scheme
        netloc = host if portal.host_language(host) else portal.canonical_host
    elif host.startswith("www."):
        netloc = netloc[4:]
    path = parts.path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    elif not path:
        path = "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def article_id(canonical: str) -> str:
    """First 16 hex digits of the sha256 of the canonical URL: the archive's key."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def edition_of(url: str, portal: Portal | None = None) -> str:
    """The edition's language: a subdomain edition's (e.vnexpress.net: en), else the lower-case
    path prefix, the portal's default when none."""
    portal = portal or portal_for(url)
    parts = urlsplit(url)
    if portal is not None and (language := portal.host_language(parts.hostname)):
        return language
    first = parts.path.lstrip("/").split("/", 1)[0].lower()
    if portal is None:
        return first if re.fullmatch(r"[a-z]{2}(-[a-z]{2,4})?", first) else ""
    return first if first in portal.languages else portal.default_language


def article_slug(url: str, portal: Portal | None = None) -> str:
    """The path's article slug without the edition prefix or a trailing `-N` twin suffix."""
    portal = portal or portal_for(url)
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments and portal is not None and segments[0].lower() in portal.languages:
        segments = segments[1:]
    slug = segments[-1] if segments else ""
    return re.sub(r"-\d{1,2}$", "", slug)


def content_fingerprint(language: str, headline: str, body: str) -> str:
    """Hash of normalized headline + body in one edition: the same text at two URLs is an alias."""
    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    payload = "\x1f".join((language, fold(headline), fold(body)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
