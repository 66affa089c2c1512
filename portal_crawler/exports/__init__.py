"""Streaming exports of an archive selection: JSON Lines, CSV, Parquet and WARC.

Each writer takes an iterator and a binary file and keeps only one record (Parquet: one batch)
in memory, so an export of the whole archive runs in constant memory.
"""

from __future__ import annotations

from .csvfile import write_csv
from .jsonl import write_jsonl
from .parquet import write_parquet
from .warc import write_warc

# Formats whose records are Articles (the contract's fields, docs/article.md).
ARTICLE_WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}
# Formats whose records are the stored raw responses.
PAGE_WRITERS = {"warc": write_warc}
FORMATS = (*ARTICLE_WRITERS, *PAGE_WRITERS)

__all__ = ["ARTICLE_WRITERS", "FORMATS", "PAGE_WRITERS", "write_csv", "write_jsonl",
           "write_parquet", "write_warc"]
