"""The Article item: the public contract that analysts and exports see.

Every field has a default because Scrapy's ItemLoader builds items with no arguments.
The field table with meanings lives in docs/article.md; tests hold every parser to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypedDict


class Image(TypedDict):
    url: str
    caption: str | None
    credit: str | None
    alt: str | None


class Link(TypedDict):
    url: str
    text: str
    relation: str


@dataclass
class Article:
    id: str = ""
    url: str = ""
    canonical_url: str = ""
    portal: str = ""
    language: str = ""
    headline: str = ""
    lead: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    source_url: str | None = None
    date_published: str | None = None
    date_published_raw: str | None = None
    date_modified: str | None = None
    section: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body: str = ""
    body_html: str = ""
    images: list[Image] = field(default_factory=list)
    related_links: list[Link] = field(default_factory=list)
    translations: dict[str, str] = field(default_factory=dict)
    slug: str = ""
    messages: list[str] = field(default_factory=list)
    fetched_at: str = ""
    parser: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (faster than dataclasses.asdict's deep copy: a crawl calls this
        for every article)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("authors", "breadcrumbs", "tags", "messages"):
            data[name] = list(data[name])
        data["images"] = [dict(image) for image in self.images]
        data["related_links"] = [dict(link) for link in self.related_links]
        data["translations"] = dict(self.translations)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build from a dict (stored row, JSON line); unknown keys are an error, not silence."""
        names = {f.name for f in fields(cls)}
        # An exported line carries the archive's links too: known, and not the page's.
        data = {k: v for k, v in data.items() if k not in ARCHIVE_LINK_FIELDS}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown Article fields: {sorted(unknown)}")
        return cls(**data)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Article))
# What exports add after the contract's fields: the archive's republication links
# (exports/links.py, docs/article.md "Exports"), never filled by extract().
ARCHIVE_LINK_FIELDS: tuple[str, ...] = ("republished_from", "republished_as")

# Fields whose change does not make a new version (DESIGN.md, identity rules).
VOLATILE_FIELDS: frozenset[str] = frozenset({"fetched_at", "parser"})
VOLATILE_RELATIONS: frozenset[str] = frozenset({"same_topic", "same_category", "same_author"})
# Fields whose share of filled values a run reports (coverage) and alarms watch.
COVERAGE_FIELDS: tuple[str, ...] = tuple(
    n for n in FIELD_NAMES if n not in VOLATILE_FIELDS | {"messages"})

# Fields whose absence is named in `messages` (never invented, DESIGN.md). Authors are not
# here: `[]` is the right value when only a publication is credited.
REQUIRED_FIELDS: tuple[str, ...] = ("headline", "body", "date_published")
REPORTED_FIELDS: tuple[str, ...] = ("lead", "source", "section")


def validation_messages(item: dict[str, Any]) -> list[str]:
    """`missing required <field>` / `missing <field>` for each empty field, in contract order."""
    messages = [f"missing required {name}" for name in REQUIRED_FIELDS if not item.get(name)]
    messages += [f"missing {name}" for name in REPORTED_FIELDS if not item.get(name)]
    return messages


def with_validation_messages(article: Article) -> Article:
    """The article with its `missing ...` messages recomputed (others, e.g. parser errors,
    kept): the crawl's validation and re-parsing must agree, or an unchanged parser would
    produce versions."""
    from dataclasses import replace

    kept = [m for m in article.messages if not m.startswith("missing ")]
    return replace(article, messages=kept + validation_messages(article.to_dict()))
