"""CSV: one Article per row, the contract's fields then the archive's links as columns
(exports/links.py); lists and dicts as JSON text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, BinaryIO

from ..article import Article
from .links import EXPORT_FIELDS, Links, export_row


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_csv(articles: Iterable[Article], out: BinaryIO, links: Links | None = None) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(EXPORT_FIELDS)
        count = 0
        for article in articles:
            data = export_row(article, links)
            writer.writerow([_cell(data[name]) for name in EXPORT_FIELDS])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
    return count
