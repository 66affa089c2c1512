"""Browse an archive with Datasette (the `browse` extra): read-only, documented, with canned
queries. `metadata(db_name)` is the Datasette metadata; `plugin` adds the search function."""

from __future__ import annotations

from .metadata import CANNED_QUERIES, COLUMNS, TABLES, metadata

INSTALL_HINT = ("portal-crawler browse needs Datasette: pip install 'portal-crawler[browse]'")

__all__ = ["CANNED_QUERIES", "COLUMNS", "INSTALL_HINT", "TABLES", "metadata"]
