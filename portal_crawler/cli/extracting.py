"""`extract`: saved pages to Articles, one JSON line each."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from .app import main


def _url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """An absolute http(s) URL: the parser is chosen by its host."""
    if value is not None and (urlsplit(value).scheme not in ("http", "https")
                              or not urlsplit(value).hostname):
        raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return value


def _instant(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """An ISO 8601 instant with its offset: relative dates ("2 giờ trước") count from it."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 instant with an offset, "
                                 "e.g. 2023-09-16T05:00:00+00:00")
    return value


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", callback=_url,
              help="The page's URL (else its canonical link, else the file's path).")
@click.option("--fetched-at", callback=_instant,
              help="ISO 8601 instant of the fetch (clock for relative dates).")
def extract(files: tuple[str, ...], url: str | None, fetched_at: str | None) -> None:
    """Parse saved pages into Articles, one JSON line each.

    Example: portal-crawler extract page.html --url https://www.vietnam.vn/id/some-slug
    """
    from ..extract import extract as extract_article
    from ..extract import is_html

    failed = False
    for name in files:
        data = Path(name).read_bytes()
        if not is_html(data):
            click.echo(f"portal-crawler: {name}: not an HTML document", err=True)
            failed = True
            continue
        page_url = url or _canonical_link(data) or Path(name).resolve().as_uri()
        article = extract_article(data, page_url, fetched_at=fetched_at)
        click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
    if failed:
        sys.exit(1)


def _canonical_link(data: bytes) -> str | None:
    """A saved page's own URL, so that `extract page.html` picks the portal's parser."""
    from parsel import Selector

    try:
        href = Selector(body=data, type="html").css('link[rel="canonical"]::attr(href)').get()
    except Exception:
        return None
    return href.strip() if href and href.strip().startswith("http") else None
