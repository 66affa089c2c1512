"""JSON Lines: one Article per line, the contract's fields then the archive's links
(exports/links.py; Article.from_dict reads a line back)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from ..article import Article
from .links import Links, export_row


def write_jsonl(articles: Iterable[Article], out: BinaryIO, links: Links | None = None) -> int:
    count = 0
    for article in articles:
        line = json.dumps(export_row(article, links), ensure_ascii=False) + "\n"
        out.write(line.encode("utf-8"))
        count += 1
    return count
