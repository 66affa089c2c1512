"""Image captions -> (caption, credit): "... pada 26 Juli. (Sumber: KCNA)" -> ("...", "KCNA")."""

from __future__ import annotations

import re

from .text import clean_text, dedupe_repeat

# Credit labels in the portal's editions and its source papers ("Ảnh" = photo, "Nguồn" = source).
CREDIT_LABELS = (
    "Sumber", "Foto", "Gambar", "Ảnh", "Nguồn", "Photo", "Photos", "Source", "Credit",
    "Image", "Picture", "Courtesy", "사진", "출처", "写真", "出典", "出所", "提供", "图", "图片",
    "照片", "圖片", "来源", "資料", "ภาพ", "ภาพถ่าย", "ที่มา", "Фото", "Источник", "Fuente",
    "Imagen", "Quelle", "Bild", "Crédit", "Crédit photo", "Fonte", "Imagem", "Créditos",
    "Video",
)
# A credited name: dots only inside it or closing initials ("D.H."), never ". " (a sentence).
_NAME = r"(?:[^.:：]|\.(?!\s))(?:[^.:：]|\.(?!\s)){0,79}"
_INITIAL_DOT = re.compile(r"(?:^|[\s.])[^\W\d_]\.$")
_LABEL = "|".join(sorted((re.escape(label) for label in CREDIT_LABELS), key=len, reverse=True))
# "(Sumber: KCNA)" / "[Ảnh: TTXVN]" at the end of the caption.
_BRACKETED = re.compile(
    rf"[(\[（]\s*(?:{_LABEL})\s*[:：]\s*(?P<credit>[^()\[\]（）]+?)\s*[)\]）]\s*$", re.IGNORECASE
)
# "... ở Hà Nội. Ảnh: TTXVN" / "Photo: Reuters" without brackets: after a sentence, a dash,
# alone, or after a space when the label is capitalised ("Lễ khai mạc Ảnh: TTXVN").
_TRAILING = re.compile(
    rf"(?:^|(?<=[.!?。…\"”])\s*|\s+[-–—|]\s+)(?:{_LABEL})\s*[:：]\s*(?P<credit>{_NAME})\s*$",
    re.IGNORECASE,
)
# After a plain space only with the label capitalised as listed (case-sensitive).
_SPACED = re.compile(rf"\s+(?:{_LABEL})\s*[:：]\s*(?P<credit>{_NAME})\s*$")
# "... in Hanoi. Photo by VnExpress/Giang Huy" (e.vnexpress.net): after a sentence or alone.
_BY = re.compile(rf"(?:^|(?<=[.!?…\"”])\s*)(?:Photos?|Video) by\s+(?P<credit>{_NAME})\s*$")


def split_caption(text: str | None) -> tuple[str | None, str | None]:
    """Split a caption from its credit; each printed once, either may be None."""
    text = dedupe_repeat(text)
    if not text:
        return None, None
    match = (_BRACKETED.search(text) or _TRAILING.search(text) or _SPACED.search(text)
             or _BY.search(text))
    if not match:
        return text, None
    caption = dedupe_repeat(text[: match.start()]) or None
    credit = clean_text(match["credit"])
    if credit.endswith(".") and not _INITIAL_DOT.search(credit):
        credit = credit[:-1]  # the sentence's full stop, not an initial's ("D.H." keeps it)
    credit = credit or None
    return caption, credit
