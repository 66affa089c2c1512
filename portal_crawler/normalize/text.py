"""Text hygiene: Unicode NFC, whitespace, invisible characters, doubled strings.

Vietnamese text arrives in both NFC and NFD; hashing or comparing it needs one form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Zero-width space, word joiner, BOM, soft hyphen: invisible noise from CMS editors; control
# characters and lone surrogates (from "&#1;"-style entities), which XML tools refuse.
# ZWJ/ZWNJ are kept: they carry meaning in emoji sequences and some scripts.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def nfc(text: str | None) -> str:
    """Invisible characters out, then NFC (removing them first lets marks compose)."""
    if not text:
        return ""
    if text.isascii():  # NFC already; only control characters can be invisible
        return text if text.isprintable() else _INVISIBLE.sub("", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def clean_text(text: str | None) -> str:
    """One line of text: invisible characters out, NFC, whitespace collapsed and stripped."""
    return " ".join(nfc(text).split())  # str.split() and re's \s agree on Unicode spaces


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Body text: cleaned paragraphs separated by one blank line, empty ones dropped."""
    return "\n\n".join(p for p in (clean_text(p) for p in paragraphs) if p)


def split_paragraphs(body: str) -> list[str]:
    """The inverse of `join_paragraphs` (tolerant of single newlines and stray spaces)."""
    return [p for p in (clean_text(b) for b in re.split(r"\n\s*\n", body or "")) if p]


def dedupe_repeat(text: str | None) -> str:
    """"Báo Quốc TếBáo Quốc Tế" -> "Báo Quốc Tế": the page prints some names and captions twice."""
    text = clean_text(text)
    while (half := _repeated_half(text)) is not None:
        text = half  # to a fixed point, so that applying it twice equals once
    return text


def _repeated_half(text: str) -> str | None:
    n = len(text)
    for cut in (n // 2, (n + 1) // 2):
        first, rest = text[:cut].rstrip(), text[cut:].lstrip()
        if len(first) >= 2 and first == rest:
            return first
    return None
