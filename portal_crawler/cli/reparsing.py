"""`reparse`: today's extract() over the stored raw pages, no network; a writer."""

from __future__ import annotations

from collections import Counter

import click

from ..archive import queries
from ..archive.store import Archive
from ..article import Article, with_validation_messages
from ..clock import now_iso
from ..pipelines.validate import refusal
from .analysis import filter_options, make_filters, one_line_errors, reading
from .app import DB_OPTION, main
from .exporting import progress

BATCH = 100


def as_crawled(article: Article) -> Article:
    """What the crawl's pipelines make of extract()'s Article (normalize, then validate's
    messages), so an unchanged parser re-parses to an unchanged article."""
    from ..pipelines.normalize import normalize_article

    return with_validation_messages(normalize_article(article))


@main.command()
@DB_OPTION
@filter_options
def reparse(db: str | None, lang: tuple[str, ...], since: str | None, until: str | None,
            source: tuple[str, ...], section: tuple[str, ...]) -> None:
    """Run today's parsers over the stored raw pages (no network) and record a new version
    where the identity rules say the article changed. Takes the writer lock.

    Prints how many articles changed and which fields.

    Example: portal-crawler reparse --lang vi --since 2023-09-01
    """
    from ..extract import extract

    filters = make_filters(lang, since, until, source, section)
    with reading(db):  # an existing archive, not too new: a writer would create or migrate
        pass
    outcomes: Counter[str] = Counter()
    with one_line_errors():
        archive = Archive.open_writer(db, purpose="portal-crawler reparse")
    with archive, one_line_errors():
        first = queries.last_version_rowid(archive)
        ids = queries.page_ids(archive, filters)
        batch: list[Article] = []
        for id_ in progress(ids, len(ids), "page"):
            page = queries.get_page(archive, id_)
            if page is None:
                continue
            article = as_crawled(extract(page["body"], page["url"], fetched_at=page["fetched_at"],
                                         encoding=page["encoding"]))
            if refusal(article) is not None:  # the crawl's own rule (soft 404s included)
                outcomes["not an article"] += 1
                continue
            batch.append(article)
            if len(batch) >= BATCH:
                outcomes.update(archive.save_articles(batch, seen=False, at=now_iso()))
                batch = []
        if batch:
            outcomes.update(archive.save_articles(batch, seen=False, at=now_iso()))
        versions = queries.versions_since(archive, first)
    fields = Counter(name for v in versions for name in v["changed_fields"])
    click.echo(f"reparsed {len(ids)} pages: {outcomes['updated']} articles changed, "
               f"{outcomes['unchanged']} unchanged, {outcomes['new']} new, "
               f"{outcomes['alias']} aliases" +
               (f", {outcomes['not an article']} not articles"
                if outcomes["not an article"] else ""))
    if fields:
        click.echo("changed fields: " + ", ".join(f"{name} {n}" for name, n in
                                                  fields.most_common()))
