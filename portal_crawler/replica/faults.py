"""Faults the replica can answer with instead of a page, per URL path, for the first N requests.

Tests and benchmarks use them to show that every fault ends as an archived article or a
recorded failure (docs/reliability.md). A fault counts its own requests, so a plan is
reproducible; `FaultPlan.seeded()` and `FaultPlan.for_site()` draw a plan from a seed.

A fault either replaces the page (a status, headers and body of its own) or transforms the page
it stands for (`transform`: the real Resource in, the served one out: re-encoded, gzipped,
padded, mangled). On the wire it may also wait (`delay`), reset the connection (`reset`) or
send fewer bytes than its Content-Length says (`truncate`).
"""

from __future__ import annotations

import gzip
import random
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .resource import Resource

Transform = Callable[[Resource], Resource]

HTML = "text/html; charset=utf-8"
CHALLENGE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<h1>Checking your browser before accessing www.vietnam.vn</h1>"
    b"<p>Please enable JavaScript and cookies to continue.</p></body></html>"
)
GENERIC_NOT_FOUND = (
    b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>"
    b"<h1>404</h1><p>The page you are looking for does not exist.</p></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@dataclass(frozen=True)
class Fault:
    """An answer to serve in place of the page, `times` times (None: always).

    Without `transform` the answer is `status`, `content_type`, `headers`, `body`; with it, the
    answer is `transform(real page)` (a path the site does not have gets the fault's own answer).
    """

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str | None = HTML
    times: int | None = None
    kind: str = "status"
    transform: Transform | None = field(default=None, compare=False)
    delay: float = 0.0  # seconds to wait before answering (longer than the download timeout: slow)
    reset: bool = False  # close the connection with a TCP reset instead of answering
    truncate: int | None = None  # send only this many body bytes; Content-Length says all
    # Answer only once this event is set (at most `delay` seconds later when delay is set):
    # tests hold a crawl at a known point instead of guessing with sleeps.
    gate: threading.Event | None = field(default=None, compare=False)

    def resource(self, real: Resource | None = None) -> Resource:
        if self.transform is not None and real is not None:
            return self.transform(real)
        return Resource(status=self.status, body=self.body, content_type=self.content_type or "",
                        headers=dict(self.headers))


# -- helpers for transforms ------------------------------------------------------------------
def _retype(resource: Resource, content_type: str, body: bytes,
            **headers: str) -> Resource:
    return replace(resource, body=body, content_type=content_type,
                   headers={**resource.headers, **headers})


_META_CHARSET = re.compile(rb"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.I)
_META_HTTP_EQUIV = re.compile(rb"<meta\s+http-equiv=[\"']?content-type[\"']?[^>]*>", re.I)


def _set_meta_charset(body: bytes, charset: str | None) -> bytes:
    body = _META_HTTP_EQUIV.sub(b"", body)
    new = f'<meta charset="{charset}">'.encode() if charset else b""
    return _META_CHARSET.sub(new, body, count=1)


def encode_cp1258(text: str) -> bytes:
    """Text as windows-1258 writes Vietnamese: a precomposed base letter where the code page has
    one, tone marks as combining characters; what it cannot hold as character references."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        for split in range(len(parts), 0, -1):
            head = unicodedata.normalize("NFC", parts[:split])
            try:
                out += head.encode("cp1258") + parts[split:].encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += f"&#{ord(char)};".encode()
    return bytes(out)


def _cp1258(resource: Resource) -> Resource:
    text = resource.body.decode("utf-8")
    body = _set_meta_charset(encode_cp1258(text), "windows-1258")
    return _retype(resource, "text/html; charset=windows-1258", body)


def _latin1_as_utf8(resource: Resource) -> Resource:
    """Latin-1 bytes (what latin-1 cannot hold as character references) labelled UTF-8."""
    text = resource.body.decode("utf-8")
    return _retype(resource, "text/html; charset=utf-8",
                   text.encode("latin-1", "xmlcharrefreplace"))


def _no_charset(resource: Resource) -> Resource:
    return _retype(resource, "text/html", _set_meta_charset(resource.body, None))


def _gzipped(resource: Resource) -> Resource:
    return _retype(resource, resource.content_type, gzip.compress(resource.body, mtime=0),
                   **{"Content-Encoding": "gzip"})


def _broken_gzip(resource: Resource) -> Resource:
    packed = gzip.compress(resource.body, mtime=0)
    middle = len(packed) // 2
    broken = packed[:middle] + bytes(b ^ 0x5A for b in packed[middle:middle + 64])
    return _retype(resource, resource.content_type, broken, **{"Content-Encoding": "gzip"})


def _padded(size: int) -> Transform:
    def pad(resource: Resource) -> Resource:
        filler = b"<!-- " + b"x" * max(0, size - len(resource.body)) + b" -->"
        body = resource.body.replace(b"</body>", filler + b"</body>", 1)
        return replace(resource, body=body if body != resource.body else resource.body + filler)
    return pad


_CLOSERS = re.compile(rb"</(li|td|tr|html|body|head)>", re.I)


def _malformed(resource: Resource) -> Resource:
    """What broken templates send: (optional) closing tags missing, stray `<`, `&` and NUL,
    bogus closers, an unclosed element at the end."""
    body = _CLOSERS.sub(b"", resource.body)
    body = body.replace(b"<body", b"</nav></i><b><i>broken</b> & </i> 3 < 4 <<>\x00<body", 1)
    return replace(resource, body=body + b"</div></div></section><p>unclosed <b>bold")


def _nested(depth: int) -> Transform:
    """The page's body wrapped in `depth` unclosed-then-closed elements."""
    def nest(resource: Resource) -> Resource:
        body = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + b"<div>" * depth,
                      resource.body, count=1)
        body = body.replace(b"</body>", b"</div>" * depth + b"</body>", 1)
        return replace(resource, body=body)
    return nest


def _robots_disallow(section: str) -> Transform:
    def deny(resource: Resource) -> Resource:
        body = resource.body.replace(b"Allow: /\n", f"Allow: /\nDisallow: {section}\n".encode(), 1)
        if body == resource.body:
            body = f"User-agent: *\nDisallow: {section}\n\n".encode() + resource.body
        return replace(resource, body=body)
    return deny


# -- the fault kinds -------------------------------------------------------------------------
def burst(status: int = 500, times: int | None = 1) -> Fault:
    """`status` the first `times` requests, then the page."""
    return Fault(status=status, times=times, kind=f"burst_{status}",
                 body=f"<html><body><h1>{status}</h1></body></html>".encode())


def redirect(location: str, status: int = 302, times: int | None = None) -> Fault:
    return Fault(status=status, headers={"Location": location}, times=times, kind="redirect")


def retry_after(seconds: int, status: int = 429, times: int | None = 1) -> Fault:
    return Fault(status=status, headers={"Retry-After": str(seconds)}, times=times,
                 kind="retry_after")


def slow(seconds: float, times: int | None = None) -> Fault:
    """The page, after `seconds` (more than the download timeout: the client gives up)."""
    return Fault(delay=seconds, times=times, kind="slow", transform=lambda r: r)


def delayed(seconds: float, times: int | None = None) -> Fault:
    """The page, `seconds` late but within the timeout (keeps a crawl busy, e.g. lock tests)."""
    return Fault(delay=seconds, times=times, kind="delayed", transform=lambda r: r)


def held(gate: threading.Event, timeout: float = 120.0, times: int | None = None) -> Fault:
    """The page, once `gate` is set (or after `timeout` seconds): a crawl held at this URL."""
    return Fault(gate=gate, delay=timeout, times=times, kind="held", transform=lambda r: r)


def connection_reset(times: int | None = None) -> Fault:
    return Fault(reset=True, times=times, kind="reset")


def truncated(times: int | None = None, keep: int = 512) -> Fault:
    """The page's headers with its full Content-Length, then `keep` bytes and a closed socket."""
    return Fault(truncate=keep, times=times, kind="truncated", transform=lambda r: r)


def charset_cp1258(times: int | None = None) -> Fault:
    return Fault(transform=_cp1258, times=times, kind="charset_cp1258")


def latin1_labelled_utf8(times: int | None = None) -> Fault:
    return Fault(transform=_latin1_as_utf8, times=times, kind="latin1_as_utf8")


def no_charset(times: int | None = None) -> Fault:
    return Fault(transform=_no_charset, times=times, kind="no_charset")


def gzipped(times: int | None = None) -> Fault:
    return Fault(transform=_gzipped, times=times, kind="gzip")


def broken_gzip(times: int | None = None) -> Fault:
    return Fault(transform=_broken_gzip, times=times, kind="broken_gzip")


def oversize(size: int, times: int | None = None) -> Fault:
    """The page padded (inside a comment) to more than `size` bytes: over DOWNLOAD_MAXSIZE."""
    return Fault(transform=_padded(size + 1024), times=times, kind="oversize")


def redirect_loop(path: str, times: int | None = None) -> Fault:
    """The page redirects to itself, forever."""
    return Fault(status=302, headers={"Location": path}, times=times, kind="redirect_loop")


def offsite_redirect(location: str = "https://example.org/moved", times: int | None = None
                     ) -> Fault:
    return Fault(status=301, headers={"Location": location}, times=times,
                 kind="offsite_redirect")


def non_html(content_type: str = "image/png", body: bytes = PNG,
             times: int | None = None) -> Fault:
    return Fault(status=200, body=body, content_type=content_type, times=times,
                 kind="non_html")


def empty_200(times: int | None = None) -> Fault:
    return Fault(status=200, body=b"", times=times, kind="empty_200")


def soft_404(body: bytes = GENERIC_NOT_FOUND, times: int | None = None) -> Fault:
    """A 200 whose page says "not found" (the site's own 404 page)."""
    return Fault(status=200, body=body, times=times, kind="soft_404")


def challenge(times: int | None = None) -> Fault:
    """A bot-challenge HTML page with status 200, e.g. in place of a sitemap."""
    return Fault(status=200, body=CHALLENGE_PAGE, times=times, kind="challenge")


def robots_disallow(section: str, times: int | None = None) -> Fault:
    """robots.txt with one more `Disallow:` line for `section` (e.g. `/en/`)."""
    return Fault(transform=_robots_disallow(section), times=times, kind="robots_disallow")


def malformed(times: int | None = None) -> Fault:
    return Fault(transform=_malformed, times=times, kind="malformed")


def deeply_nested(depth: int = 2000, times: int | None = None) -> Fault:
    return Fault(transform=_nested(depth), times=times, kind="deeply_nested")


@dataclass(frozen=True)
class Limits:
    """The crawler's limits a fault has to beat (a slow answer, a page too big)."""

    download_timeout: float = 10.0  # REPLICA_PROFILE
    download_maxsize: int = 10 * 1024 * 1024  # settings.DOWNLOAD_MAXSIZE


# Kinds for page paths, drawn by seeded plans: name -> (rng, path, limits) -> Fault.
PAGE_KINDS: dict[str, Callable[[random.Random, str, Limits], Fault]] = {
    "burst_500": lambda rng, p, lim: burst(500, times=rng.choice((1, 1, 5))),
    "burst_503": lambda rng, p, lim: burst(503, times=rng.choice((1, 1, 5))),
    "retry_after": lambda rng, p, lim: retry_after(1, times=rng.choice((1, 5))),
    "slow": lambda rng, p, lim: slow(lim.download_timeout + 1.0),
    "reset": lambda rng, p, lim: connection_reset(times=rng.choice((1, None))),
    "truncated": lambda rng, p, lim: truncated(times=rng.choice((1, None))),
    "charset_cp1258": lambda rng, p, lim: charset_cp1258(),
    "latin1_as_utf8": lambda rng, p, lim: latin1_labelled_utf8(),
    "no_charset": lambda rng, p, lim: no_charset(),
    "gzip": lambda rng, p, lim: gzipped(),
    "broken_gzip": lambda rng, p, lim: broken_gzip(),
    "oversize": lambda rng, p, lim: oversize(lim.download_maxsize),
    "redirect_loop": lambda rng, p, lim: redirect_loop(p),
    "offsite_redirect": lambda rng, p, lim: offsite_redirect(),
    "non_html": lambda rng, p, lim: non_html(),
    "empty_200": lambda rng, p, lim: empty_200(),
    "soft_404": lambda rng, p, lim: soft_404(),
    "malformed": lambda rng, p, lim: malformed(),
    "deeply_nested": lambda rng, p, lim: deeply_nested(),
}
# Kinds for sitemap paths.
SITEMAP_KINDS: dict[str, Callable[[random.Random, str, Limits], Fault]] = {
    "challenge": lambda rng, p, lim: challenge(),
    "burst_503": lambda rng, p, lim: burst(503, times=1),
    "gzip": lambda rng, p, lim: gzipped(),
}


class FaultPlan:
    """path -> Fault, with per-path counters (thread-safe: the server is threaded)."""

    def __init__(self, faults: Mapping[str, Fault] | None = None) -> None:
        self.faults = dict(faults or {})
        self.served: dict[str, int] = {}
        self._lock = threading.Lock()

    @classmethod
    def seeded(cls, paths: Iterable[str], seed: int, rate: float = 0.3,
               kinds: Sequence[str] | None = None, limits: Limits | None = None,
               ) -> FaultPlan:
        """Each path, in sorted order, gets a fault with probability `rate`, its kind drawn from
        `kinds` (default: every page kind): the same seed gives the same plan."""
        rng = random.Random(seed)
        limits = limits or Limits()
        names = list(kinds or PAGE_KINDS)
        table = {**SITEMAP_KINDS, **PAGE_KINDS}
        faults: dict[str, Fault] = {}
        for path in sorted(set(paths)):
            if rng.random() < rate:
                faults[path] = table[rng.choice(names)](rng, path, limits)
        return cls(faults)

    @classmethod
    def for_site(cls, site: Iterable[tuple[str, str]], seed: int, rate: float = 0.3,
                 limits: Limits | None = None) -> FaultPlan:
        """A seeded plan over a whole replica (keys `(host, path)`): article and listing pages
        get page kinds, child sitemaps sitemap kinds, robots.txt sometimes a disallowed section;
        the sitemap index is left alone so that a crawl always starts."""
        paths = sorted({path for _, path in site})
        sitemaps = [p for p in paths if p.endswith(".xml") and p != "/sitemap.xml"]
        pages = [p for p in paths if not p.endswith((".xml", ".txt"))]
        plan = cls.seeded(pages, seed, rate, limits=limits)
        rng = random.Random(seed + 1)
        plan.faults.update(cls.seeded(sitemaps, seed, rate, kinds=list(SITEMAP_KINDS),
                                      limits=limits).faults)
        sections = sorted({"/" + p.split("/")[1] + "/" for p in pages if p.count("/") >= 2})
        if sections and rng.random() < rate:
            plan.faults["/robots.txt"] = robots_disallow(rng.choice(sections))
        return plan

    def describe(self) -> dict[str, str]:
        """path -> fault kind, for logs and reports."""
        return {path: fault.kind for path, fault in sorted(self.faults.items())}

    def answer(self, path: str) -> Fault | None:
        """The fault to serve for this request, counting it; None once it is used up."""
        fault = self.faults.get(path)
        if fault is None:
            return None
        with self._lock:
            count = self.served.get(path, 0)
            if fault.times is not None and count >= fault.times:
                return None
            self.served[path] = count + 1
        return fault
