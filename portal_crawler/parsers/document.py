"""Bytes -> text -> one parsed document; and the cheap "is this HTML at all?" check."""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree
from parsel import Selector
from w3lib.encoding import html_to_unicode, read_bom

# C0 controls other than tab/newline/carriage return make lxml refuse the whole document.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_CHARS = tuple(chr(c) for c in (*range(9), 11, 12, *range(14, 32), 127))
_TAG = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p|article|section|main|h[1-6]|"
    rb"span|a|img|script|link|table|ul|br)(?:\s|/?>)",
    re.IGNORECASE,
)
_LOCAL = threading.local()
_SNIFF = 65536
_QUICK = 4096
_MAX_NULS = 4  # a stray NUL in a page is damage; many near the start is a binary file


def decode(data: str | bytes, encoding: str | None = None) -> str:
    """Text of a page: BOM, else valid UTF-8, else the given or declared charset (lenient).

    Valid UTF-8 wins over a declared single-byte charset: servers and templates often
    declare iso-8859-1 for UTF-8 pages, while a real legacy page is almost never valid UTF-8.
    """
    if isinstance(data, str):
        return data
    data = bytes(data or b"")
    bom, _ = read_bom(data)
    if not bom:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    header = f"text/html; charset={encoding}" if encoding and _known(encoding) else None
    _, text = html_to_unicode(header, data, auto_detect_fun=_detect)
    return text


def parse(text: str) -> Selector:
    """The one parse of the page; never raises on junk or truncated markup."""
    if any(c in text for c in _CONTROL_CHARS):  # ~6x faster than scanning with the regex
        text = _CONTROL.sub("", text)
    try:
        root = etree.fromstring(text.strip().encode("utf-8") or b"<html/>", parser=_parser())
    except Exception:  # lxml gives up on some inputs: parse nothing
        root = None
    if root is None:  # e.g. only a comment
        root = etree.fromstring(b"<html/>", parser=_parser())
    return Selector(root=root, type="html")


def _parser() -> etree.HTMLParser:
    """Plain lxml elements, not lxml.html's: its per-element class lookup runs in Python and
    cost a tenth of extract(). One parser per thread (lxml parsers are not thread-safe)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.HTMLParser(recover=True, huge_tree=True,
                                                  encoding="utf-8")
    return parser


def is_html(data: bytes | str) -> bool:
    """Cheap check: markup near the start, not binary, JSON or tag-less text."""
    if isinstance(data, str):
        if len(data) > _QUICK and is_html(data[:_QUICK]):
            return True  # most pages show a tag in their first few kB: no need to encode more
        head = data[:_SNIFF].encode("utf-8", "replace")
    else:
        head = bytes(data[:_SNIFF])
        bom, _ = read_bom(head)
        if bom and bom not in (codecs.BOM_UTF8,):
            head = decode(head).encode("utf-8", "replace")
        elif bom:
            head = head[len(bom):]
    stripped = head.lstrip()
    if not stripped or stripped[:1] in (b"{", b"["):
        return False
    if head[:1024].count(b"\x00") > _MAX_NULS:
        return False  # binary (UTF-16 pages carry a BOM and were decoded above)
    return bool(_TAG.search(head))


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _detect(data: bytes) -> str:
    """No BOM, header or <meta> and not UTF-8: cp1252 decodes nearly any legacy byte."""
    return "cp1252"
