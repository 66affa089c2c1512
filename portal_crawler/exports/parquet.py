"""Parquet (pyarrow, the `parquet` extra): typed columns, lists and records kept nested; the
contract's fields then the archive's links (exports/links.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, BinaryIO

from ..article import Article
from .links import EXPORT_FIELDS, Links, export_row

if TYPE_CHECKING:
    import pyarrow as pa

BATCH = 1000
INSTALL_HINT = "Parquet export needs pyarrow: pip install 'portal-crawler[parquet]'"
_LISTS = ("authors", "breadcrumbs", "tags", "messages")


def schema() -> pa.Schema:
    import pyarrow as pa

    image = pa.struct([(k, pa.string()) for k in ("url", "caption", "credit", "alt")])
    link = pa.struct([(k, pa.string()) for k in ("url", "text", "relation")])
    types: dict[str, Any] = {name: pa.string() for name in EXPORT_FIELDS}
    types.update({name: pa.list_(pa.string()) for name in _LISTS})
    types["republished_as"] = pa.list_(pa.string())
    types["images"] = pa.list_(image)
    types["related_links"] = pa.list_(link)
    types["translations"] = pa.map_(pa.string(), pa.string())
    return pa.schema([(name, types[name]) for name in EXPORT_FIELDS])


def _rows(articles: Iterable[Article], links: Links | None) -> Iterator[dict[str, Any]]:
    for article in articles:
        row = export_row(article, links)
        row["translations"] = sorted(row["translations"].items())
        yield row


def write_parquet(articles: Iterable[Article], out: BinaryIO, links: Links | None = None
                  ) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError(INSTALL_HINT) from None
    table_schema = schema()
    count = 0
    rows = _rows(articles, links)
    with pq.ParquetWriter(out, table_schema, compression="zstd") as writer:
        while batch := list(islice(rows, BATCH)):
            writer.write_table(pa.Table.from_pylist(batch, schema=table_schema))
            count += len(batch)
        if count == 0:
            writer.write_table(table_schema.empty_table())
    return count
