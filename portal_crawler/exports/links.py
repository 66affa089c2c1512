"""The archive's links an exported article carries beside the contract's fields.

`republished_from` (the canonical URL of the archived original this article republishes, or
null) and `republished_as` (the canonical URLs of the archived republications of this article
on other portals): they are the archive's knowledge, not the page's, so extract() never fills
them and Article.from_dict() reads an exported line back without them (docs/article.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..article import ARCHIVE_LINK_FIELDS, FIELD_NAMES, Article

EXPORT_FIELDS: tuple[str, ...] = (*FIELD_NAMES, *ARCHIVE_LINK_FIELDS)
# An article id -> (republished_from, republished_as): Archive.republication_links.
Links = Callable[[str], tuple[str | None, list[str]]]


def export_row(article: Article, links: Links | None = None) -> dict[str, Any]:
    """The article's contract fields, then its links (null and [] without an archive)."""
    row = article.to_dict()
    original, copies = links(article.id) if links is not None else (None, [])
    row["republished_from"] = original
    row["republished_as"] = list(copies)
    return row
