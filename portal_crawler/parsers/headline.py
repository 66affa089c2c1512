"""A page's title without its site's name: "Summit ends | Example News" -> "Summit ends".

Only a part that is known to name the site is cut: og:site_name, application-name, the
JSON-LD publisher or WebSite, or, at the end only, the host ("eHow" on www.ehow.com) or the
name the site's home link (its logo) prints ("Báo Dân trí" on a link to "/"). An
unknown trailing part stays, since "Mozilla - Wikipedia"'s last part could as well be the
headline's end; nor is anything cut that would leave the headline empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from ..normalize.text import clean_text

# A separator between the headline and the site's name: spaced dashes, bars, bullets, colons,
# guillemets, slashes; CJK sites join with "_" or a bare "|".
_SEPARATOR = re.compile(r"(\s+[|\-–—·•:»/~]\s+|\s*[|_｜]\s*|\s+::\s+)")
_GENERIC_HOST = frozenset({"www", "m", "mobile", "amp", "news", "blog", "blogs", "en", "com",
                           "org", "net", "co", "edu", "gov", "info", "io"})


@lru_cache(maxsize=4096)
def key(text: str) -> str:
    """Letters and digits only, accents off, case folded: "Aktuálně.cz" -> "aktualnecz"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalnum()).casefold()


class Sites(NamedTuple):
    """Keys of the site's names: as the page declares them, and as its host spells them."""

    declared: frozenset[str]
    host: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.declared | self.host


def site_keys(names: Iterable[str], url: str, trailing: Iterable[str] = ()) -> Sites:
    """Keys of every way the page names its site, and of the host's distinctive labels (with
    the `trailing` names, cut only at the title's end)."""
    keys: set[str] = set()
    for name in names:
        name = clean_text(name)
        if not name:
            continue
        keys.add(key(name))
        parts = _SEPARATOR.split(name)
        keys.add(key(parts[0]))  # "Aktuálně.cz - Víte, co se právě děje" -> "Aktuálně.cz"
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    labels = [label for label in host.split(".") if label]
    hosts = {key(name) for name in map(clean_text, trailing) if name}
    if len(labels) >= 2:
        hosts.add(key("".join(labels[-2:])))  # "lwn.net" -> "lwnnet"
        hosts.update(key(label) for label in labels[:-1] if label not in _GENERIC_HOST)
    return Sites(frozenset(k for k in keys if len(k) >= 2),
                 frozenset(k for k in hosts if len(k) >= 2))


def has_parts(title: str) -> bool:
    """The title has a separator, so a part of it may name the site."""
    return _SEPARATOR.search(title or "") is not None


def strip_site_name(title: str, sites: Sites) -> str:
    """The title without trailing parts that name the site, or leading parts that name it as
    the page declares it: a host's word may open a headline ("Việt Nam - Hoa Kỳ ..." on
    vietnam.vn), while sites append their name at the end."""
    title = clean_text(title)
    if not (sites.declared or sites.host) or not title:
        return title
    parts = _SEPARATOR.split(title)  # text, separator, text, ...
    texts = parts[0::2]
    start, end = 0, len(texts)
    while end - start > 1 and _names_site(texts[end - 1], sites.all):
        end -= 1
    while end - start > 1 and _names_site(texts[start], sites.declared):
        start += 1
    if (start, end) == (0, len(texts)):
        return title
    return clean_text("".join(parts[2 * start: 2 * end - 1]))


def _names_site(part: str, sites: frozenset[str]) -> bool:
    k = key(part)
    return bool(k) and (k in sites or any(len(s) >= 4 and k.startswith(s) and len(k) <= len(s) + 4
                                          for s in sites))
