"""JSON Lines: one Article per line, exactly the contract's fields (Article.from_dict reads it)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from ..article import Article


def write_jsonl(articles: Iterable[Article], out: BinaryIO) -> int:
    count = 0
    for article in articles:
        line = json.dumps(article.to_dict(), ensure_ascii=False) + "\n"
        out.write(line.encode("utf-8"))
        count += 1
    return count
