"""CSV: one Article per row, the contract's fields as columns; lists and dicts as JSON text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, BinaryIO

from ..article import FIELD_NAMES, Article


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_csv(articles: Iterable[Article], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(FIELD_NAMES)
        count = 0
        for article in articles:
            data = article.to_dict()
            writer.writerow([_cell(data[name]) for name in FIELD_NAMES])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
    return count
