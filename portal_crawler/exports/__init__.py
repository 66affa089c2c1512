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
# The format an output's name implies (longest suffix first); the warc writer gzips each record.
EXTENSIONS = {".warc.gz": "warc", ".warc": "warc", ".jsonl": "jsonl", ".ndjson": "jsonl",
              ".csv": "csv", ".parquet": "parquet"}


class FormatConflict(ValueError):
    """An explicit format that the output's extension contradicts."""


def format_for(path: str, explicit: str | None, default: str = "jsonl") -> str:
    """The explicit format, else the one `path`'s extension names, else `default`;
    FormatConflict when both are given and differ (`--format jsonl -o x.csv`)."""
    name = path.lower()
    implied = next((fmt for ext, fmt in EXTENSIONS.items() if name.endswith(ext)), None)
    if explicit and implied and explicit != implied:
        raise FormatConflict(f"--format {explicit} contradicts the extension of {path} "
                             f"({implied}); drop --format or rename the file")
    return explicit or implied or default

__all__ = ["ARTICLE_WRITERS", "EXTENSIONS", "FORMATS", "PAGE_WRITERS", "FormatConflict",
           "format_for", "write_csv", "write_jsonl",
           "write_parquet", "write_warc"]
