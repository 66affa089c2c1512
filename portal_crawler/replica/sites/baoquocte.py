"""baoquocte.vn replica: the originals of the vietnam.vn records that credit Báo Quốc Tế.

A portal without a parser (portals.toml has no `parser` key): its pages are read by the
metadata and generic layers, so its markup is plain: a headline, a byline with a linked
author and a `<time datetime>`, paragraphs, figures. At each credited URL
(`/<slug>-<6-digit id>.html`) it serves the vietnam.vn `vi` record's headline and paragraphs,
read at build time, with what only the paper prints (an earlier time, the byline, the
section) from content/baoquocte.vn/originals.json; plus robots.txt, a sitemap and a home page.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from html import escape
from typing import Any
from urllib.parse import urlsplit

from slugify import slugify

from ...article import FIELD_NAMES, validation_messages
from ...identity import article_id, canonical_url
from ..content import CONTENT_DIR
from ..resource import Resource, make_resource

PORTAL = "baoquocte.vn"
HOST = "baoquocte.vn"
HOSTS = ("baoquocte.vn", "www.baoquocte.vn")
BASE = f"https://{HOST}"
PAPER = "Báo Quốc Tế"
PATH = re.compile(r"^/[a-z0-9-]+-\d{6}\.html$")
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
# The layers that read a page of a portal without a parser (extract.py's order).
PARSER = "metadata/1+generic/3"


@cache
def originals() -> tuple[dict[str, Any], ...]:
    """One record per credited baoquocte.vn URL: url, path, headline, paragraphs, images,
    published, author, section, and the vietnam.vn records that republish it."""
    notes = json.loads((CONTENT_DIR / PORTAL / "originals.json").read_text("utf-8"))
    notes.pop("_comment", None)
    records = []
    for url, copies in sorted(credits().items()):
        note = notes.get(url)
        if note is None:
            raise ValueError(f"{PORTAL}: originals.json has no entry for credited {url}")
        records.append(_original(url, copies, note))
    return tuple(records)


def credits() -> dict[str, list[dict[str, Any]]]:
    """Credited baoquocte.vn URL -> the vietnam.vn records (every edition) crediting it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((CONTENT_DIR / "vietnam.vn" / "articles").rglob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        record = json.loads(path.read_text("utf-8"))
        url = (record.get("source") or {}).get("url") or ""
        if urlsplit(url).hostname in HOSTS:
            found.setdefault(url, []).append(record)
    return found


def _original(url: str, copies: list[dict[str, Any]], note: dict[str, Any]) -> dict[str, Any]:
    path = urlsplit(url).path
    if not PATH.match(path):
        raise ValueError(f"{PORTAL}: {url} is not /<slug>-<6-digit id>.html")
    vi = next((c for c in copies if c["edition"] == "vi"), None)
    if vi is not None:
        headline = vi["headline"]
        paragraphs = ([vi["sapo"]] if vi.get("sapo") else []) + [
            b["text"] for b in vi["body"] if b["type"] == "p"]
        images = [b for b in vi["body"] if b["type"] == "image"]
    elif note.get("headline") and note.get("paragraphs"):
        headline, paragraphs, images = note["headline"], list(note["paragraphs"]), []
    else:
        raise ValueError(f"{PORTAL}: {url} has no vi record; originals.json must give its "
                         "headline and paragraphs")
    published = datetime.fromisoformat(note["published"])
    for copy in copies:
        republished = datetime.fromisoformat(copy["date_published"])
        if republished.tzinfo is None:  # a bare day: from its first moment in Hanoi
            republished = republished.replace(tzinfo=published.tzinfo)
        if published >= republished:
            raise ValueError(f"{PORTAL}: {url} is published after its republication")
    return {"url": url, "path": path, "headline": headline, "paragraphs": paragraphs,
            "images": images, "published": note["published"], "author": note["author"],
            "section": note["section"],
            "republished_by": sorted(f"{c['edition']}/{c['slug']}" for c in copies)}


def print_date(moment: str) -> str:
    """"Thứ Hai, 11/09/2023 21:40", as the byline prints it."""
    days = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
    when = datetime.fromisoformat(moment)
    return f"{days[when.weekday()]}, {when:%d/%m/%Y %H:%M}"


def render_article(record: dict[str, Any]) -> str:
    figures = "".join(
        f'<figure><img src="{escape(i["src"])}" alt="{escape(i.get("alt") or "")}">'
        f'<figcaption>{escape(i.get("caption") or "")}</figcaption></figure>\n'
        for i in record["images"])
    paragraphs = "".join(f"<p>{escape(p, quote=False)}</p>\n" for p in record["paragraphs"])
    author = record["author"]
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{escape(record["headline"])} | {PAPER}</title>
<link rel="canonical" href="{record["url"]}">
<meta property="og:site_name" content="{PAPER}">
<meta property="og:title" content="{escape(record["headline"])}">
</head>
<body>
<header><a href="/">{PAPER}</a>
<nav><a href="/thoi-su">Thời sự</a> <a href="/the-gioi">Thế giới</a>
<a href="/kinh-te">Kinh tế</a></nav>
</header>
<main>
<article>
<p class="section"><a href="/{slugify(record["section"])}">{escape(record["section"])}</a></p>
<h1>{escape(record["headline"])}</h1>
<p class="byline"><a rel="author" href="/tac-gia/{slugify(author)}">{escape(author)}</a>
<time datetime="{record["published"]}">{print_date(record["published"])}</time></p>
{figures}{paragraphs}</article>
</main>
<footer><p>{PAPER} - Cơ quan của Bộ Ngoại giao</p></footer>
</body>
</html>
"""


def render_home(records: tuple[dict[str, Any], ...]) -> str:
    items = "".join(f'<li><a href="{r["path"]}">{escape(r["headline"])}</a></li>\n'
                    for r in sorted(records, key=lambda r: r["published"], reverse=True))
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{PAPER}'
            f"</title></head>\n<body><h1>{PAPER}</h1>\n<ul>\n{items}</ul></body></html>\n")


def render_sitemap(records: tuple[dict[str, Any], ...]) -> str:
    urls = "".join(f"<url><loc>{r['url']}</loc><lastmod>{r['published']}</lastmod></url>\n"
                   for r in records)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n")


def _utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(UTC)


def build() -> dict[tuple[str, str], Resource]:
    records = originals()
    newest = max(_utc(r["published"]) for r in records)
    pages = {r["path"]: make_resource(render_article(r).encode("utf-8"), HTML,
                                      _utc(r["published"]))
             for r in records}
    pages["/"] = make_resource(render_home(records).encode("utf-8"), HTML, newest)
    pages["/sitemap.xml"] = make_resource(render_sitemap(records).encode("utf-8"), XML, newest)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {BASE}/sitemap.xml\n"
    pages["/robots.txt"] = make_resource(robots.encode("utf-8"), TEXT, newest)
    return {(host, path): resource for host in HOSTS for path, resource in pages.items()}


def expected_article(record: dict[str, Any]) -> dict[str, Any]:
    """The Article the generic path must read from the page, from the record alone."""
    url = record["url"]
    canonical = canonical_url(url)
    paragraphs = record["paragraphs"]
    item: dict[str, Any] = {
        "id": article_id(canonical), "url": url, "canonical_url": canonical,
        "portal": PORTAL, "language": "vi", "headline": record["headline"], "lead": None,
        "authors": [record["author"]], "source": None, "source_url": None,
        "date_published": record["published"],
        "date_published_raw": record["published"],  # <time datetime>, as metadata reads it
        "date_modified": None, "section": None, "breadcrumbs": [], "tags": [],
        "body": "\n\n".join(paragraphs),
        "body_html": "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs),
        "images": [{"url": i["src"], "caption": i.get("caption"), "credit": None,
                    "alt": i.get("alt") or None} for i in record["images"]],
        "related_links": [], "translations": {}, "slug": slugify(record["headline"]),
        "messages": [], "fetched_at": "2023-09-20T12:00:00+00:00", "parser": PARSER,
    }
    item["messages"] = validation_messages(item)
    if tuple(item) != FIELD_NAMES:
        raise RuntimeError("expected Article out of step with the contract (article.py)")
    return item


def golden_pairs() -> dict[str, tuple[str, str]]:
    """name (the 6-digit id) -> (html, expected Article JSON)."""
    return {record["path"].rsplit("-", 1)[1].removesuffix(".html"): (
        render_article(record),
        json.dumps(expected_article(record), ensure_ascii=False, indent=2) + "\n")
        for record in originals()}
