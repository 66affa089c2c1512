"""Articles as archive rows and back: pure conversions shared by the writer and readers."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ..article import VOLATILE_FIELDS, VOLATILE_RELATIONS, Article
from ..identity import article_slug, content_fingerprint
from ..normalize.dates import parse_date
from ..portals import PORTALS
from .search_text import folded_copy

JSON_COLUMNS = ("authors", "breadcrumbs", "tags", "translations", "messages")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_BASES = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 6, 1, tzinfo=UTC))


def is_relative_date(raw: str | None, language: str) -> bool:
    """"2 giờ trước" reads differently at every fetch: a date that moves with the clock."""
    if not raw:
        return False
    first, second = (parse_date(raw, language=language, relative_base=b) for b in _BASES)
    return first != second


def content_hash(article: Article) -> str:
    """Hash of the contract fields whose change makes a new version. A relative printed date
    ("2 giờ trước") is left out: re-reading it later is not an edit of the article."""
    data = article.to_dict()
    for name in VOLATILE_FIELDS:
        data.pop(name, None)
    if is_relative_date(article.date_published_raw, article.language):
        data.pop("date_published")
        data.pop("date_published_raw")
    data["related_links"] = [
        link for link in data["related_links"] if link["relation"] not in VOLATILE_RELATIONS
    ]
    return hashlib.sha256(dumps(data).encode("utf-8")).hexdigest()


def published_utc(date: str | None, portal: str) -> str | None:
    """A sortable UTC instant; a bare day counts from midnight in the portal's zone."""
    if not date:
        return None
    try:
        if "T" in date:
            moment = datetime.fromisoformat(date)
        else:
            zone = ZoneInfo(PORTALS[portal].timezone) if portal in PORTALS else UTC
            moment = datetime.combine(datetime.fromisoformat(date).date(), time(), zone)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def article_row(article: Article) -> dict[str, Any]:
    row = article.to_dict()
    for name in ("images", "related_links"):
        row.pop(name)
    for name in JSON_COLUMNS:
        row[name] = dumps(row[name])
    row["published_utc"] = published_utc(article.date_published, article.portal)
    row["fingerprint"] = content_fingerprint(article.language, article.headline, article.body)
    row["content_hash"] = content_hash(article)
    row["edition_key"] = article_slug(article.canonical_url)
    return row


def row_to_article(row: dict[str, Any], images: list[dict], links: list[dict]) -> Article:
    data = {name: row[name] for name in Article.__dataclass_fields__ if name in row}
    for name in JSON_COLUMNS:
        data[name] = json.loads(data[name])
    data["images"] = [{k: i[k] for k in ("url", "caption", "credit", "alt")} for i in images]
    data["related_links"] = [{k: li[k] for k in ("url", "text", "relation")} for li in links]
    return Article.from_dict(data)




def search_row(article: Article) -> tuple[str | None, ...]:
    """The article's `article_search` row (search_text.py)."""
    captions = "\n".join(i["caption"] or "" for i in article.images if i["caption"])
    return search_values(article.id, article.headline, article.lead, article.body, captions)


def search_values(id_: str, *fields: str | None) -> tuple[str | None, ...]:
    """article_id, the fields (headline, lead, body, captions) as NFC text, then their folded
    shadows: the columns of schema.SEARCH_TABLE_COLUMNS, in order."""
    texts = [unicodedata.normalize("NFC", f) if f else f for f in fields]
    return (id_, *texts, *(folded_copy(t) for t in texts))


def changed_fields(old: Article, new: Article) -> list[str]:
    """Contract fields that differ, volatile ones and same_* lists aside."""
    a, b = old.to_dict(), new.to_dict()
    changed = [k for k in a if k not in VOLATILE_FIELDS and k != "related_links" and a[k] != b[k]]
    def stable(links: list[dict]) -> list[dict]:
        return [x for x in links if x["relation"] not in VOLATILE_RELATIONS]
    if stable(a["related_links"]) != stable(b["related_links"]):
        changed.append("related_links")
    return changed
