"""Re-apply the idempotent text normalizers: extract() already ran them, but items may come
from other spiders, older parsers or re-parsing, and normalizing twice equals once."""

from __future__ import annotations

from dataclasses import replace

from portal_crawler.article import Article
from portal_crawler.normalize.text import clean_text, join_paragraphs, split_paragraphs


def normalize_article(article: Article) -> Article:
    """NFC, invisible characters and whitespace on every text field; lists keep their order."""

    def opt(value: str | None) -> str | None:
        return clean_text(value) or None

    return replace(
        article,
        headline=clean_text(article.headline),
        lead=opt(article.lead),
        authors=[a for a in (clean_text(a) for a in article.authors) if a],
        source=opt(article.source),
        section=opt(article.section),
        breadcrumbs=[b for b in (clean_text(b) for b in article.breadcrumbs) if b],
        tags=[t for t in (clean_text(t) for t in article.tags) if t],
        body=join_paragraphs(split_paragraphs(article.body)),
        images=[
            {**image, "caption": opt(image["caption"]), "credit": opt(image["credit"]),
             "alt": opt(image["alt"])}
            for image in article.images
        ],
        related_links=[{**link, "text": clean_text(link["text"])}
                       for link in article.related_links],
    )


class NormalizePipeline:
    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            return normalize_article(item)
        return item
