"""Three tiny static news sites for the generic spider, served by the replica's HTTP server on
127.0.0.1: one found only through feeds, one only through sitemaps, one only through listing
pages. Each site knows its own article URLs: the tests' oracle."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from portal_crawler.replica.generate import SiteMap
from portal_crawler.replica.resource import Resource

HOST = "127.0.0.1"
HTML = "text/html; charset=utf-8"
_SUBJECTS = ("The city council", "A regional court", "Local farmers", "The transport ministry",
             "Researchers at the university", "Shop owners in the old quarter",
             "The national weather service", "A group of volunteers", "Hospital staff")
_VERBS = ("approved", "questioned", "published", "rejected", "welcomed", "reviewed",
          "announced", "postponed", "defended")
_OBJECTS = ("a new budget for public schools", "plans for a second river bridge",
            "a report on rising rice prices", "the draft law on housing",
            "a programme to plant trees along the coast", "new rules for street vendors",
            "the results of a two-year survey", "a proposal to extend the metro line")
_TAILS = ("after a debate that lasted most of the day.", "despite objections from residents.",
          "and promised further details next month.", "in a statement released on Monday.",
          "following weeks of consultation with experts.", "before the end of the session.")


def prose(seed: int, paragraphs: int = 6) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
                     f"{rng.choice(_TAILS)}" for _ in range(4)) for _ in range(paragraphs)]


def chrome(main: str, title: str, head: str = "") -> bytes:
    """A page with the site's navigation around `main`: links there are not the list."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | Example Daily</title>{head}</head><body>
<header><a href="/">Example Daily</a><nav><a href="/world/">World</a>
<a href="/business/">Business</a><a href="/2024/01/01/our-editorial-standards-explained/">
Standards</a></nav></header>
<main>{main}</main>
<footer><a href="/about/">About</a> <a href="/privacy-policy-and-cookie-terms/">Privacy</a>
</footer></body></html>""".encode()


def article_page(seed: int, title: str, day: str, base: str = "", path: str = "") -> bytes:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in prose(seed))
    canonical = f'<link rel="canonical" href="{base}{path}">' if base else ""
    return chrome(f"""<article><h1>{escape(title)}</h1>
<p class="meta">By Jane Doe · <time datetime="{day}T08:00:00+00:00">{day}</time></p>
{paragraphs}</article>""", title,
                  f'<meta property="article:published_time" content="{day}T08:00:00+00:00">'
                  f"{canonical}")


def gallery_page(title: str) -> bytes:
    """A photo page with no prose: extract() calls it not an article."""
    images = "".join(f'<figure><img src="/img/{i}.jpg" alt=""></figure>' for i in range(6))
    return chrome(f"<h1>{escape(title)}</h1>{images}", title)


def listing_page(title: str, links: list[str], extra: str = "") -> bytes:
    items = "".join(f'<li><h2><a href="{href}">{escape(href.strip("/").split("/")[-1])}</a>'
                    f"</h2><p>A short teaser.</p></li>" for href in links)
    return chrome(f"<h1>{escape(title)}</h1><ul>{items}</ul>{extra}", title)


@dataclass
class LocalSite:
    site: SiteMap = field(default_factory=SiteMap)
    articles: list[str] = field(default_factory=list)  # paths of the articles it publishes
    not_articles: list[str] = field(default_factory=list)  # discoverable pages that are not
    days: dict[str, str] = field(default_factory=dict)  # article path -> day it was published
    listings: list[str] = field(default_factory=list)  # listing pages it serves

    def add(self, path: str, body: bytes, content_type: str = HTML, status: int = 200) -> None:
        self.site[(HOST, path)] = Resource(status=status, body=body, content_type=content_type,
                                           headers={})

    def add_articles(self, base: str, first_seed: int, count: int) -> list[str]:
        paths = []
        for i in range(count):
            day = f"2024-05-{(i % 27) + 1:02d}"
            path = (f"/{day.replace('-', '/')}/"
                    f"story-number-{first_seed + i}-about-the-city/")
            self.add(path, article_page(first_seed + i, f"Story {first_seed + i} about the city",
                                        day, base, path))
            paths.append(path)
            self.days[path] = day
        self.articles += paths
        return paths


def feeds_site(base: str) -> LocalSite:
    """Found only through feeds: an RSS 2.0 feed and an Atom feed declared in the home page."""
    local = LocalSite()
    rss_items, atom_items = local.add_articles(base, 100, 4), local.add_articles(base, 200, 3)
    local.add("/2024/05/09/photos-of-the-week-in-the-city/", gallery_page("Photos of the week"))
    local.not_articles.append("/2024/05/09/photos-of-the-week-in-the-city/")
    head = ('<link rel="alternate" type="application/rss+xml" href="/news.rss">'
            '<link rel="alternate" type="application/atom+xml" href="/atom/all.xml">')
    local.add("/", chrome("<h1>Example Daily</h1><p>Read us in your feed reader.</p>",
                          "Home", head))
    items = "".join(f"<item><title>t</title><link>{base}{p}</link>"
                    f"<pubDate>Thu, 02 May 2024 08:00:00 +0000</pubDate></item>"
                    for p in [*rss_items, "/2024/05/09/photos-of-the-week-in-the-city/",
                              "/tag/city/"])
    local.add("/news.rss", f'<?xml version="1.0"?><rss version="2.0"><channel><title>x'
                           f"</title>{items}</channel></rss>".encode(), "application/rss+xml")
    entries = "".join(f'<entry><title>t</title><link rel="alternate" href="{p}"/>'
                      f"<updated>2024-05-03T08:00:00Z</updated></entry>"
                      for p in [*atom_items, rss_items[0]])
    local.add("/atom/all.xml", f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"'
                               f' xml:base="{base}/"><title>x</title>{entries}</feed>'.encode(),
              "application/atom+xml")
    local.add("/tag/city/", listing_page("City", rss_items))
    return local


def sitemap_xml(kind: str, entries: list[tuple[str, str]], news: bool = False) -> bytes:
    tag = "sitemap" if kind == "sitemapindex" else "url"
    body = "".join(
        f"<{tag}><loc>{loc}</loc>"
        + (f"<news:news><news:publication_date>{mod}</news:publication_date></news:news>"
           if news else f"<lastmod>{mod}</lastmod>") + f"</{tag}>" for loc, mod in entries)
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><{kind} xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9"{ns}>{body}</{kind}>').encode()


def sitemaps_site(base: str) -> LocalSite:
    """Found only through sitemaps: robots.txt -> a gzipped index -> a gzipped post sitemap,
    a news sitemap and a sitemap of pages that are not articles."""
    local = LocalSite()
    posts, latest = local.add_articles(base, 300, 5), local.add_articles(base, 400, 2)
    local.add("/contact-the-newsroom-team-today/", chrome(
        "<h1>Contact</h1><p>Write to us.</p>", "Contact"))
    local.not_articles.append("/contact-the-newsroom-team-today/")
    local.add("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap_index.xml.gz\n"
              .encode(), "text/plain")
    local.add("/sitemap_index.xml.gz", gzip.compress(sitemap_xml("sitemapindex", [
        (f"{base}/sitemaps/posts.xml.gz", "2024-05-20"),
        (f"{base}/sitemaps/news.xml", "2024-05-21"),
        (f"{base}/sitemaps/pages.xml", "2024-05-01")])), "application/gzip")
    local.add("/sitemaps/posts.xml.gz", gzip.compress(sitemap_xml(
        "urlset", [(base + p, "2024-05-20") for p in posts])), "application/gzip")
    local.add("/sitemaps/news.xml", sitemap_xml(
        "urlset", [(base + p, f"{local.days[p]}T08:00:00+00:00") for p in latest], news=True),
        "application/xml")
    local.add("/sitemaps/pages.xml", sitemap_xml("urlset", [
        (f"{base}/", "2024-05-01"), (f"{base}/about/", "2024-05-01"),
        (f"{base}/author/jane-doe/", "2024-05-01"),
        (f"{base}/contact-the-newsroom-team-today/", "2024-05-01")]), "application/xml")
    local.add("/", chrome("<h1>Example Daily</h1><p>Welcome.</p>", "Home"))
    return local


def listings_site(base: str) -> LocalSite:
    """Found only through listing pages: the home, its next page, a tag and an author page
    linked from the list; navigation and footer links lead elsewhere. One article link
    answers with a bot challenge (status 200)."""
    local = LocalSite()
    first, second = local.add_articles(base, 500, 12), local.add_articles(base, 600, 10)
    tagged = local.add_articles(base, 700, 3)
    challenged = "/2024/05/28/story-behind-a-challenge-page/"
    local.add(challenged, b"<!doctype html><html><head><title>Just a moment...</title></head>"
              b"<body><p>Verify you are human by completing the action below.</p></body></html>")
    local.add("/2024/05/09/photos-of-the-week-in-the-city/", gallery_page("Photos of the week"))
    local.not_articles += ["/2024/05/09/photos-of-the-week-in-the-city/", challenged]
    more = '<a rel="next" href="/page/2/">Older</a> <a href="/tag/economy/">#economy</a>'
    local.add("/", listing_page("Latest", first, more))
    local.add("/page/2/", listing_page("Latest, page 2", [
        *second, challenged, "/2024/05/09/photos-of-the-week-in-the-city/"],
        '<a href="/author/jane-doe/">Jane Doe</a>'))
    local.add("/tag/economy/", listing_page("Economy", [*tagged, first[0]]))
    local.add("/author/jane-doe/", listing_page("Jane Doe", [second[0]]))
    # Navigation targets: pages that are not articles, and an article only the menu links.
    local.add("/world/", listing_page("World", first[:2]))
    local.add("/about/", chrome("<h1>About</h1><p>We are a small newsroom.</p>", "About"))
    return local


def corpus_site(base: str, corpus: Path) -> LocalSite:
    """Real pages of a corpus (one folder per page: source.html.gz, expected-metadata.json with
    `readerable`) served as a site: robots.txt -> a sitemap of every page and of a listing
    page, the home linking every page. `articles` are the readerable pages."""
    local = LocalSite()
    entries, titles = [], []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        path = f"/{folder.name}/"
        local.add(path, gzip.decompress((folder / "source.html.gz").read_bytes()), "text/html")
        (local.articles if meta["readerable"] else local.not_articles).append(path)
        entries.append((base + path, "2024-05-01"))
        titles.append((path, meta.get("title") or folder.name))
    listing = "/all-stories-from-the-corpus/"
    items = "".join(f'<li><h2><a href="{p}">{escape(t)}</a></h2></li>' for p, t in titles)
    page = chrome(f"<h1>All stories</h1><ul>{items}</ul>", "All stories")
    local.add(listing, page)
    local.add("/", page)
    local.listings = ["/", listing]
    local.add("/robots.txt", f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(),
              "text/plain")
    local.add("/sitemap.xml", sitemap_xml("urlset", [*entries, (base + listing, "2024-05-01")]),
              "application/xml")
    return local
