"""Bylines -> people and the publication, kept apart.

Analysts count authors: "Oleh: Andi Saputra (andi@x.id), Wartawan" is one person, "Theo Báo
Quốc Tế" is a paper, and "Báo Quốc Tế" must never appear as an author.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .text import clean_text, dedupe_repeat

_PREFIX = re.compile(
    r"^(?:by|oleh|theo|written by|reported by|text|bài|bài và ảnh|tác giả|penulis|wartawan|"
    r"reporter|par|por|von|от|автор|글|기자|文|作者|記者|โดย)\s*[:：]?\s+|^(?:by|oleh|theo)\s*[:：]\s*",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\bhttps?://[^\s()\[\]]+")
_BRACKETS = re.compile(r"\((?:[^()]*)\)|\[(?:[^\[\]]*)\]")
_ROLE_WORDS = (
    r"phóng viên|pv|ctv|cộng tác viên|biên tập viên|btv|nhóm pv|reporter|correspondent|"
    r"staff writer|staff|editor|contributor|journalist|wartawan|kontributor|penulis|redaktur|"
    r"journaliste|correspondant|periodista|redactor|korrespondent|корреспондент|기자|특파원|"
    r"記者|记者|特派員|ผู้สื่อข่าว"
)
_ROLE = re.compile(rf"^(?:{_ROLE_WORDS})\b\.?\s*|\s*[,-]?\s*\b(?:{_ROLE_WORDS})\.?$", re.IGNORECASE)
_SPLIT = re.compile(
    r"\s*(?:,|;|&|/|\||\s+[-–]\s+|、|\b(?:and|dan|và|et|y|und|и)\b)\s*", re.IGNORECASE
)
# What marks a publication rather than a person.
_PUBLICATION = re.compile(
    r"^(?:báo|tạp chí|thông tấn xã|đài|cổng thông tin|kênh|trang|harian|majalah|kantor berita|"
    r"newspaper|the\s)\b|\.(?:vn|com|net|org|id|kr|jp|cn)\b|^(?:ttxvn|vna|vov|vtv|vtc|afp|ap|"
    r"reuters|xinhua|tass|ria novosti|kcna|yonhap|kyodo|antara|bernama|bloomberg|cnn|bbc|"
    r"nhk|sputnik|the guardian|vnexpress|vietnamplus|tuổi trẻ|thanh niên|dân trí|vietnamnet)$",
    re.IGNORECASE,
)


@dataclass
class Byline:
    authors: list[str] = field(default_factory=list)
    publication: str | None = None


def split_byline(raw: str | None, *, publications: Iterable[str] = ()) -> Byline:
    """People and the credited publication from one byline string."""
    known = {clean_text(p).casefold() for p in publications if p}
    text = _EMAIL.sub(" ", clean_text(raw))  # e-mail addresses and web addresses
    text = _BRACKETS.sub(lambda m: _bracket(m.group(0)), text)
    result = Byline()
    for part in _SPLIT.split(text):
        name = _clean_name(part)
        if not name:
            continue
        if name.casefold() in known or _PUBLICATION.search(name):
            result.publication = result.publication or name
        elif name not in result.authors:
            result.authors.append(name)
    return result


def is_byline(text: str) -> bool:
    """The text opens as a byline does ("By", "Theo", "Tác giả:", "Oleh", "Par", "記者")."""
    return bool(_PREFIX.match(clean_text(text)))


def clean_authors(names: Iterable[str], *, publications: Iterable[str] = ()) -> list[str]:
    """Authors list -> people only, cleaned and deduplicated, order kept (idempotent)."""
    known = list(publications)
    people: list[str] = []
    for name in names:
        for person in split_byline(name, publications=known).authors:
            if person not in people:
                people.append(person)
    return people


def _bracket(text: str) -> str:
    """Keep "(Báo Quốc Tế)" as a separate part; drop "(PV)" or an e-mail's leftovers."""
    inner = clean_text(text[1:-1])
    return f", {inner}" if inner and not _ROLE.fullmatch(inner) else " "


def _unrepeat(part: str) -> str:
    """A name the page printed twice, once: "Thanh HàThanh Hà", "Nguyễn Văn A Nguyễn Văn A".
    One word twice with a space between is a name of its own ("Nguyễn Nguyễn"), not a repeat."""
    text = clean_text(part)
    once = dedupe_repeat(text)
    if once != text and not any(c.isspace() for c in once) and any(c.isspace() for c in text):
        return text
    return once


def _clean_name(part: str) -> str:
    name = _unrepeat(part).strip(" .,:;-–—|")
    for _ in range(3):  # "Oleh: Wartawan Andi": prefix, then role
        stripped = _ROLE.sub("", _PREFIX.sub("", name)).strip(" .,:;-–—|")
        if stripped == name:
            break
        name = stripped
    if not name or not any(ch.isalpha() for ch in name):
        return ""
    return name
