"""A Datasette plugin: the SQL function `fts_query(text)`, so that a query typed in Datasette
is folded like the index (đ -> d, Chinese/Japanese/Thai as bigrams); see search_text.py."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from ..archive.queries import match_expression


def _fts_query(text: Any) -> str:
    # An empty search (the canned query's blank form) matches nothing instead of failing.
    return match_expression(str(text or "")) or '""'


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("fts_query", 1, _fts_query, deterministic=True)
