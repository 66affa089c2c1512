"""Build the replica site (every URL on every portal host) and write golden page pairs.

`build_site()` is pure and fast (called once per test session and per demo); the server only
looks resources up. `python -m portal_crawler.replica.generate --golden DIR` writes
<name>.html + <name>.json for every article page.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from slugify import slugify

from .content import ArticleView, SiteData, load_site
from .expected import expected_article
from .families import FAMILIES, GOLDEN
from .render import (
    render_article,
    render_category,
    render_listing,
    render_not_found,
    render_sitemap,
)
from .resource import Resource, make_resource

_DAILY = re.compile(r"/sitemap-post/(\d{4}-\d{2}-\d{2})\.xml$")
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


class SiteMap(dict[tuple[str, str], Resource]):
    """(host, path_with_query) -> Resource, plus the 404 page the server answers with."""

    not_found: bytes = b""

    def days(self) -> list[date]:
        """The days that have a daily post sitemap: the window that crawls all of it."""
        found = {m.group(1) for (_, path) in self if (m := _DAILY.search(path))}
        return sorted(date.fromisoformat(d) for d in found)


def build_pages(site: SiteData, family: str | None = None) -> dict[str, Resource]:
    """path -> Resource, host-independent (every portal host serves the same paths)."""
    pages: dict[str, Resource] = {}
    newest = max(a.lastmod for a in site.articles)
    for view in site.articles:
        body = render_article(site, view, family=family).encode("utf-8")
        pages[view.path] = make_resource(body, HTML, view.lastmod)
    for slug in site.config["categories"]:
        body = render_category(site, slug).encode("utf-8")
        pages[site.category_path(slug)] = make_resource(body, HTML, newest)
    for path, (title, edition, views) in _listings(site).items():
        body = render_listing(site, title, path, views, edition).encode("utf-8")
        pages[path] = make_resource(body, HTML, newest)
    pages.update(_sitemaps(site))
    pages["/robots.txt"] = make_resource(_robots(site).encode("utf-8"), TEXT, newest)
    return pages


def _listings(site: SiteData) -> dict[str, tuple[str, str, list[ArticleView]]]:
    """Home pages per edition and the /tag/, /authors/, /organization/ families:
    path -> (title, edition, articles)."""
    default = site.config["default_edition"]
    out: dict[str, tuple[str, str, list[ArticleView]]] = {}
    for edition in site.editions:
        members = [a for a in site.articles if a.edition == edition]
        title = site.config["header"]["title"]
        out[site.edition_prefix(edition) or "/"] = (title, edition, members)
    families = (
        ("/tag/", lambda a: a.record.get("tags", [])),
        ("/authors/", lambda a: a.record.get("authors", [])),
        ("/organization/", lambda a: [(a.record.get("source") or {}).get("name") or ""]),
    )
    for prefix, names in families:
        for view in site.articles:
            for name in names(view):
                if not name:
                    continue
                path = prefix + slugify(name)
                out.setdefault(path, (name, default, []))[2].append(view)
    return out


def _sitemaps(site: SiteData) -> dict[str, Resource]:
    """The live site's sitemap family: a <sitemapindex> of the news sitemap, the page, category,
    author, organization and tag sitemaps, and one post sitemap per day (newest first)."""
    by_day: dict[date, list[ArticleView]] = defaultdict(list)
    for view in site.articles:
        by_day[view.day].append(view)
    newest_view = max(site.articles, key=lambda a: a.lastmod)
    newest, newest_text = newest_view.lastmod, newest_view.record["lastmod"]
    out: dict[str, Resource] = {}
    index: list[dict[str, str | None]] = []

    def add(path: str, body: str, modified: datetime, lastmod: str | None) -> None:
        out[path] = make_resource(body.encode("utf-8"), XML, modified)
        index.append({"loc": site.absolute(path), "lastmod": lastmod})

    newest_day = max(by_day)
    news = sorted(by_day[newest_day], key=lambda v: v.lastmod, reverse=True)
    add("/news-sitemap.xml", render_sitemap("news_sitemap.xml", [
        {"loc": v.url, "lastmod": v.record["lastmod"], "language": v.edition,
         "title": v.record["headline"]} for v in news
    ]), news[0].lastmod, news[0].record["lastmod"])
    listings = _listings(site)
    families = {
        "page": [p for p in listings if not p.startswith(("/tag/", "/authors/", "/organization/"))],
        "category": [site.category_path(slug) for slug in site.config["categories"]],
        "author": sorted(p for p in listings if p.startswith("/authors/")),
        "organization": sorted(p for p in listings if p.startswith("/organization/")),
        "tag": sorted(p for p in listings if p.startswith("/tag/")),
    }
    for family, paths in families.items():
        entries = [{"loc": site.absolute(p), "lastmod": None} for p in paths]
        add(f"/sitemap/sitemap-{family}.xml", render_sitemap("urlset.xml", entries), newest,
            newest_text)
    for day in sorted(by_day, reverse=True):
        views = sorted(by_day[day], key=lambda v: v.lastmod, reverse=True)
        entries = [{"loc": v.url, "lastmod": v.record["lastmod"]} for v in views]
        add(f"/sitemap/sitemap-post/{day.isoformat()}.xml", render_sitemap("urlset.xml", entries),
            views[0].lastmod, views[0].record["lastmod"])
    out["/sitemap.xml"] = make_resource(
        render_sitemap("sitemap_index.xml", index).encode("utf-8"), XML, newest
    )
    return out


def _robots(site: SiteData) -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in site.config.get("robots_disallow", [])]
    lines += ["", f"Sitemap: {site.absolute('/sitemap.xml')}", ""]
    return "\n".join(lines)


def build_site(content_dir: Path | None = None, site: SiteData | None = None,
               family: str | None = None) -> SiteMap:
    """Every page on every portal host (the mirrors serve identical bytes); `family` prints the
    article pages in one of the template families (families.py; default: the usual markup)."""
    site = site or load_site(content_dir)
    pages = build_pages(site, family)
    mapping = SiteMap()
    for host in site.hosts:
        for path, resource in pages.items():
            mapping[(host, path)] = resource
    mapping.not_found = render_not_found(site).encode("utf-8")
    return mapping


def build_all(site: SiteData | None = None) -> SiteMap:
    """vietnam.vn and every other portal's replica (sites/), one host map: what the demo and
    `python -m portal_crawler.replica.server` serve. `build_site()` stays vietnam.vn alone."""
    from .sites import build_sites

    mapping = build_site(site=site)
    for key, resource in build_sites().items():
        if key in mapping:
            raise ValueError(f"two replicas serve {key[0]}{key[1]}")
        mapping[key] = resource
    return mapping


def golden_pairs(site: SiteData) -> dict[str, tuple[str, str]]:
    """name -> (html, expected JSON text) for every article page."""
    return {view.name: _pair(site, view) for view in site.articles}


def family_golden_pairs(site: SiteData) -> dict[str, tuple[str, str]]:
    """"<family>__<name>" -> (html, expected JSON text) for the records each family stores."""
    views = {view.name: view for view in site.articles}
    return {f"{family}__{name}": _pair(site, views[name], family)
            for family in FAMILIES for name in GOLDEN[family]}


def _pair(site: SiteData, view: ArticleView, family: str | None = None) -> tuple[str, str]:
    html = render_article(site, view, family=family)
    expected = expected_article(site, view, family)
    return html, json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def write_golden(directory: Path, content_dir: Path | None = None,
                 families: bool = False) -> list[Path]:
    """Write the golden pairs (`families`: the template families' pairs instead)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    site = load_site(content_dir)
    pairs = family_golden_pairs(site) if families else golden_pairs(site)
    for name, (html, expected) in pairs.items():
        for suffix, text in ((".html", html), (".json", expected)):
            path = directory / f"{name}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, help="write <name>.html/.json pairs here")
    parser.add_argument("--golden-families", type=Path, metavar="DIR",
                        help="write the template families' <family>__<name>.html/.json here")
    parser.add_argument("--golden-site", nargs=2, metavar=("NAME", "DIR"),
                        help="write the golden pairs of the replica site NAME (sites/) into DIR")
    parser.add_argument("--content", type=Path, default=None, help="content directory")
    args = parser.parse_args(argv)
    if args.golden_site:
        from .sites import site_module

        name, directory = args.golden_site
        Path(directory).mkdir(parents=True, exist_ok=True)
        for page, (html, expected) in site_module(name).golden_pairs().items():
            for suffix, text in ((".html", html), (".json", expected)):
                path = Path(directory) / f"{page}{suffix}"
                path.write_text(text, encoding="utf-8")
                print(path)
    elif args.golden or args.golden_families:
        for path in write_golden(args.golden or args.golden_families, args.content,
                                 families=bool(args.golden_families)):
            print(path)
    else:
        site = build_site(args.content)
        for host, path in sorted(site):
            if host == "www.vietnam.vn":
                print(f"https://{host}{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
