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
from datetime import date
from pathlib import Path

from .content import ArticleView, SiteData, load_site
from .expected import expected_article
from .render import render_article, render_category, render_not_found, render_sitemap
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


def build_pages(site: SiteData) -> dict[str, Resource]:
    """path -> Resource, host-independent (every portal host serves the same paths)."""
    pages: dict[str, Resource] = {}
    newest = max(a.lastmod for a in site.articles)
    for view in site.articles:
        body = render_article(site, view).encode("utf-8")
        pages[view.path] = make_resource(body, HTML, view.lastmod)
    for slug in site.config["categories"]:
        body = render_category(site, slug).encode("utf-8")
        pages[site.category_path(slug)] = make_resource(body, HTML, newest)
    pages.update(_sitemaps(site))
    pages["/robots.txt"] = make_resource(_robots(site).encode("utf-8"), TEXT, newest)
    return pages


def _sitemaps(site: SiteData) -> dict[str, Resource]:
    """A <sitemapindex> of daily post sitemaps plus the category sitemap, as on the live site."""
    by_day: dict[str, list[ArticleView]] = defaultdict(list)
    for view in site.articles:
        by_day[view.lastmod.date().isoformat()].append(view)
    out: dict[str, Resource] = {}
    index: list[dict[str, str | None]] = []
    for day in sorted(by_day, reverse=True):
        views = sorted(by_day[day], key=lambda v: v.lastmod, reverse=True)
        entries = [{"loc": v.url, "lastmod": v.record["lastmod"]} for v in views]
        path = f"/sitemap/sitemap-post/{day}.xml"
        body = render_sitemap("urlset.xml", entries).encode("utf-8")
        out[path] = make_resource(body, XML, views[0].lastmod)
        index.append({"loc": site.absolute(path), "lastmod": views[0].record["lastmod"]})
    newest = max(a.lastmod for a in site.articles)
    newest_text = max(site.articles, key=lambda a: a.lastmod).record["lastmod"]
    categories = [
        {"loc": site.absolute(site.category_path(slug)), "lastmod": None}
        for slug in site.config["categories"]
    ]
    path = "/sitemap/sitemap-category.xml"
    out[path] = make_resource(render_sitemap("urlset.xml", categories).encode(), XML, newest)
    index.append({"loc": site.absolute(path), "lastmod": newest_text})
    out["/sitemap.xml"] = make_resource(
        render_sitemap("sitemap_index.xml", index).encode("utf-8"), XML, newest
    )
    return out


def _robots(site: SiteData) -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in site.config.get("robots_disallow", [])]
    lines += ["", f"Sitemap: {site.absolute('/sitemap.xml')}", ""]
    return "\n".join(lines)


def build_site(content_dir: Path | None = None, site: SiteData | None = None) -> SiteMap:
    """Every page on every portal host (the mirrors serve identical bytes)."""
    site = site or load_site(content_dir)
    pages = build_pages(site)
    mapping = SiteMap()
    for host in site.hosts:
        for path, resource in pages.items():
            mapping[(host, path)] = resource
    mapping.not_found = render_not_found(site).encode("utf-8")
    return mapping


def golden_pairs(site: SiteData) -> dict[str, tuple[str, str]]:
    """name -> (html, expected JSON text) for every article page."""
    pairs: dict[str, tuple[str, str]] = {}
    for view in site.articles:
        html = render_article(site, view)
        expected = json.dumps(expected_article(site, view), ensure_ascii=False, indent=2) + "\n"
        pairs[view.name] = (html, expected)
    return pairs


def write_golden(directory: Path, content_dir: Path | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, (html, expected) in golden_pairs(load_site(content_dir)).items():
        for suffix, text in ((".html", html), (".json", expected)):
            path = directory / f"{name}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, help="write <name>.html/.json pairs here")
    parser.add_argument("--content", type=Path, default=None, help="content directory")
    args = parser.parse_args(argv)
    if args.golden:
        for path in write_golden(args.golden, args.content):
            print(path)
    else:
        site = build_site(args.content)
        for host, path in sorted(site):
            if host == "www.vietnam.vn":
                print(f"https://{host}{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
