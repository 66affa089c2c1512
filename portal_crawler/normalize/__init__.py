"""Pure, idempotent normalizers shared by the parsers and the pipelines.

Each module owns one concern; applying any of them twice gives the same result as once, so the
pipelines may re-apply them to an Article that `extract()` already normalized.
"""

from __future__ import annotations

from .boilerplate import is_ad_token, is_legal_footer, is_source_trailer, strip_ad_tokens
from .bylines import Byline, clean_authors, split_byline
from .captions import split_caption
from .dates import find_date, parse_date, parse_fetched_at
from .text import clean_text, dedupe_repeat, join_paragraphs, nfc, split_paragraphs

__all__ = [
    "Byline",
    "clean_authors",
    "clean_text",
    "dedupe_repeat",
    "find_date",
    "is_ad_token",
    "is_legal_footer",
    "is_source_trailer",
    "join_paragraphs",
    "nfc",
    "parse_date",
    "parse_fetched_at",
    "split_byline",
    "split_caption",
    "split_paragraphs",
    "strip_ad_tokens",
]
