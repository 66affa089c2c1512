"""Streaming exports of an archive selection: JSON Lines, CSV, Parquet and WARC.

Each writer takes an iterator and a binary file and keeps only one record (Parquet: one batch)
in memory, so an export of the whole archive runs in constant memory.
"""

from __future__ import annotations

import os

from .csvfile import write_csv
from .jsonl import write_jsonl
from .parquet import write_parquet
from .warc import write_warc

# Formats whose records are Articles (the contract's fields, docs/article.md).
ARTICLE_WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}
# Formats whose records are the stored raw responses.
PAGE_WRITERS = {"warc": write_warc}
FORMATS = (*ARTICLE_WRITERS, *PAGE_WRITERS)
# The format an output's name implies (longest suffix first); only .warc.gz is compressed.
EXTENSIONS = {".warc.gz": "warc", ".warc": "warc", ".jsonl": "jsonl", ".ndjson": "jsonl",
              ".csv": "csv", ".parquet": "parquet"}
# Compressions we do not write: a name that promises one would be a lie.
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".br")


class FormatConflict(ValueError):
    """An explicit format that the output's extension contradicts, or an extension that names
    no format we write."""


def format_for(path: str, explicit: str | None, default: str = "jsonl") -> str:
    """The explicit format, else the one `path`'s extension names, else `default` for a name
    with no extension (-, /dev/stdout, a FIFO). FormatConflict when both are given and differ
    (`--format jsonl -o x.csv`), for a compression we do not write (x.csv.gz), and for an
    unknown extension without --format (x.tsv)."""
    name = os.path.basename(path).lower()
    known = " ".join(EXTENSIONS)
    implied = next((fmt for ext, fmt in EXTENSIONS.items() if name.endswith(ext)), None)
    if implied is None and name.endswith(COMPRESSIONS):
        raise FormatConflict(f"{path}: only WARC is written compressed (.warc.gz); "
                             f"known extensions: {known}")
    if explicit and implied and explicit != implied:
        raise FormatConflict(f"--format {explicit} contradicts the extension of {path} "
                             f"({implied}); drop --format or rename the file")
    if not explicit and implied is None and os.path.splitext(name)[1]:
        raise FormatConflict(f"{path}: {os.path.splitext(name)[1]} names no format; use one "
                             f"of {known}, or give --format")
    return explicit or implied or default


def warc_gzipped(path: str) -> bool:
    """A WARC is gzipped per record unless its name says plain `.warc`."""
    return not os.path.basename(path).lower().endswith(".warc")

__all__ = ["ARTICLE_WRITERS", "EXTENSIONS", "FORMATS", "PAGE_WRITERS", "FormatConflict",
           "format_for", "warc_gzipped", "write_csv", "write_jsonl",
           "write_parquet", "write_warc"]
