"""Image captions -> (caption, credit): "... pada 26 Juli. (Sumber: KCNA)" -> ("...", "KCNA")."""

from __future__ import annotations

import re

from .text import clean_text, dedupe_repeat

# Credit labels in the portal's editions and its source papers ("Ảnh" = photo, "Nguồn" = source).
CREDIT_LABELS = (
    "Sumber", "Foto", "Gambar", "Ảnh", "Nguồn", "Photo", "Photos", "Source", "Credit",
    "Image", "Picture", "Courtesy", "사진", "출처", "写真", "出典", "出所", "图", "图片", "照片",
    "来源", "資料", "ภาพ", "ที่มา", "Фото", "Источник", "Fuente", "Imagen", "Quelle", "Bild",
    "Crédit", "Crédit photo", "Fonte", "Imagem", "Créditos",
)
_LABEL = "|".join(sorted((re.escape(label) for label in CREDIT_LABELS), key=len, reverse=True))
# "(Sumber: KCNA)" / "[Ảnh: TTXVN]" at the end of the caption.
_BRACKETED = re.compile(
    rf"[(\[（]\s*(?:{_LABEL})\s*[:：]\s*(?P<credit>[^()\[\]（）]+?)\s*[)\]）]\s*$", re.IGNORECASE
)
# "... ở Hà Nội. Ảnh: TTXVN" / "Photo: Reuters" without brackets, after a sentence or alone.
_TRAILING = re.compile(
    rf"(?:^|(?<=[.!?。…\"”])\s*|\s+[-–—|]\s+)(?:{_LABEL})\s*[:：]\s*(?P<credit>[^.:：]{{1,80}})\s*$",
    re.IGNORECASE,
)


def split_caption(text: str | None) -> tuple[str | None, str | None]:
    """Split a caption from its credit; each printed once, either may be None."""
    text = dedupe_repeat(text)
    if not text:
        return None, None
    match = _BRACKETED.search(text) or _TRAILING.search(text)
    if not match:
        return text, None
    caption = dedupe_repeat(text[: match.start()]) or None
    credit = clean_text(match["credit"]).rstrip(".") or None
    return caption, credit
