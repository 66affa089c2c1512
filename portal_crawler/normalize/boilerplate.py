"""Text that is never article content: ad placeholders, source trailers, legal footers."""

from __future__ import annotations

import re

from .text import clean_text

# "[iklan_1]", "[ad_2]", "[quảng_cáo_1]", "[광고_1]": the importing plugin's ad placeholders,
# machine translated per edition: bracketed letters joined by underscores, then "_<number>".
_AD_TOKEN = re.compile(r"\[\s*[^\W\d_]+(?:_[^\W\d_]+)*_\d{1,3}\s*\]")
_AD_ONLY = re.compile(rf"^(?:\s*{_AD_TOKEN.pattern})+\s*$")

# "Nguồn" (vi), "Source", "Sumber" (id) and the machine-translated labels of other editions.
SOURCE_LABELS = (
    "Nguồn", "Source", "Sources", "Sumber", "Fuente", "Quelle", "Fonte", "Источник", "出典",
    "出所", "ソース", "출처", "소스", "원천", "来源", "來源", "资料来源", "ที่มา", "แหล่งที่มา",
    "Nguồn tin", "Theo",
)
_LABELS = "|".join(sorted((re.escape(label) for label in SOURCE_LABELS), key=len, reverse=True))
_TRAILER = re.compile(rf"^(?:{_LABELS})\s*(?:[:：]|$)", re.IGNORECASE)
# The ministry's legal footer printed near the content container on vietnam.vn.
_LEGAL = re.compile(r"^(?:BỘ VĂN HÓA|Chịu trách nhiệm|Giấy phép|Trụ sở|Bản quyền|Copyright|©)",
                    re.IGNORECASE)


def is_ad_token(text: str | None) -> bool:
    """True when the text is nothing but ad placeholders such as "[iklan_1] [iklan_2]"."""
    return bool(text) and bool(_AD_ONLY.match(text))


def strip_ad_tokens(text: str | None) -> str:
    """Remove ad placeholders anywhere in the text, then clean it."""
    return clean_text(_AD_TOKEN.sub(" ", text or ""))


def is_source_trailer(text: str | None) -> bool:
    """ "Sumber", "Nguồn: Báo Quốc Tế", "Source: VNA": the credit line closing the body."""
    text = clean_text(text)
    return bool(text) and len(text) < 200 and bool(_TRAILER.match(text))


def is_legal_footer(text: str | None) -> bool:
    return bool(_LEGAL.match(clean_text(text)))
