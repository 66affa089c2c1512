"""The structured-metadata and generic layers on pages of sites without a parser."""

from __future__ import annotations

import json

from portal_crawler.extract import extract

URL = "https://news.example.com/world/summit"
FETCHED = "2023-09-14T12:00:00+00:00"
FIRST = ("The summit ended on Thursday with a joint statement on trade, security and the "
         "climate, after two days of talks that ran late into the night in the old town hall.")
SECOND = ("Delegates said the text leaves the hardest questions to working groups that will "
          "report back before the next meeting in the spring, in the same city.")
BODY = (f"<article><h1>Summit ends</h1><p>{FIRST}</p><p>{SECOND}</p>"
        "<p>[ad_1]</p><p>Source: Example Wire</p></article>")


def page(head: str = "", body: str = BODY) -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_news_article_in_a_graph() -> None:
    head = ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "Page"},
        {"@type": "NewsArticle", "headline": "Summit ends (JSON-LD)",
         "datePublished": "2023-09-14T03:30:00Z", "dateModified": "2023-09-14T05:00:00Z",
         "author": [{"@type": "Person", "name": "By Jane Doe"},
                    {"@type": "Organization", "name": "Example Wire"}],
         "articleSection": "World", "keywords": "summit, diplomacy"},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 2, "name": "World"},
            {"@type": "ListItem", "position": 1, "name": "Home"}]},
    ]})
    article = extract(page(head), URL, fetched_at=FETCHED)
    assert article.headline == "Summit ends (JSON-LD)"  # metadata runs before generic
    assert article.date_published == "2023-09-14T03:30:00+00:00"
    assert article.date_published_raw == "2023-09-14T03:30:00Z"
    assert article.date_modified == "2023-09-14T05:00:00+00:00"
    assert article.authors == ["Jane Doe"]
    assert article.source == "Example Wire"
    assert article.section == "World"
    assert article.tags == ["summit", "diplomacy"]
    assert article.breadcrumbs == ["Home", "World"]
    assert article.parser == "metadata/1+generic/3"


def test_opengraph_and_meta() -> None:
    head = ('<meta property="og:title" content="Summit ends | Example News">'
            '<meta property="og:site_name" content="Example News">'
            '<meta property="article:published_time" content="2023-09-14T10:30:00+07:00">'
            '<meta property="article:section" content="World">'
            '<meta property="article:tag" content="summit"><meta property="article:tag" '
            'content="diplomacy"><meta name="author" content="Oleh: Andi Saputra, Wartawan">')
    article = extract(page(head, "<p>Only text, no headline element.</p>"), URL,
                      fetched_at=FETCHED)
    assert article.headline == "Summit ends"
    assert article.date_published == "2023-09-14T10:30:00+07:00"
    assert article.section == "World"
    assert article.tags == ["summit", "diplomacy"]
    assert article.authors == ["Andi Saputra"]


def test_time_element_and_hreflang() -> None:
    head = ('<link rel="alternate" hreflang="fr" href="/fr/summit">'
            f'<link rel="alternate" hreflang="en" href="{URL}">'
            '<link rel="alternate" hreflang="x-default" href="/summit">')
    body = BODY.replace("<h1>", '<time datetime="2023-09-14">14 Sept</time><h1>')
    article = extract(page(head, body), URL, fetched_at=FETCHED)
    assert article.date_published == "2023-09-14"
    assert article.translations == {"fr": "https://news.example.com/fr/summit"}


def test_generic_body_cleaning() -> None:
    article = extract(page(), URL, fetched_at=FETCHED)
    assert article.body == f"{FIRST}\n\n{SECOND}"
    assert article.lead is None  # not marked as a standfirst
    assert article.body_html == f"<p>{FIRST}</p>\n<p>{SECOND}</p>"
    assert "missing required date_published" in article.messages


def test_broken_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", </script>'
    assert extract(page(head), URL, fetched_at=FETCHED).headline == "Summit ends"


def test_language_of_another_site_from_html_lang() -> None:
    html = b'<html lang="en-GB"><body><h1>T</h1><p>Text.</p></body></html>'
    assert extract(html, URL, fetched_at=FETCHED).language == "en-gb"


def test_generic_layer_reads_a_body_without_paragraphs() -> None:
    """Text in bare <div>s (no <p>) is body too, whole, without trafilatura's help."""
    prose = " ".join(["The summit ended with a joint statement on trade and security."] * 6)
    body = ("<header><a href='/'>Home</a></header><article><h1>Summit ends</h1>"
            + "".join(f"<div>{prose} Part {n}.</div>" for n in range(4))
            + "</article><footer>Copyright</footer>")
    article = extract(page(body=body), URL, fetched_at=FETCHED)
    assert article.parser == "generic/3"
    assert article.body.count("\n\n") == 3 and "Part 0." in article.body
    assert "Part 3." in article.body
    assert "Copyright" not in article.body and "Home" not in article.body


def test_library_layer_runs_when_the_generic_layer_fails(monkeypatch) -> None:
    from portal_crawler.parsers import generic

    def broken(page: object) -> dict[str, object]:
        raise KeyError("boom")

    monkeypatch.setattr(generic, "parse", broken)
    prose = " ".join(["The summit ended with a joint statement on trade and security."] * 6)
    article = extract(page(body=f"<article><h1>Summit ends</h1><p>{prose}</p></article>"),
                      URL, fetched_at=FETCHED)
    assert "parser error: generic: KeyError" in article.messages
    assert "trafilatura/1" in article.parser
    assert "joint statement" in article.body


def test_portal_path_never_runs_the_library_layer(monkeypatch) -> None:
    from pathlib import Path

    from portal_crawler.parsers import library

    def refuse(page: object) -> dict[str, object]:
        raise AssertionError("trafilatura on the portal path")

    monkeypatch.setattr(library, "parse", refuse)
    html = (Path(__file__).parent / "pages" / "vietnam_vn" / "vi_nga_trieu_tien.html").read_bytes()
    html = html.replace(b"14/09/2023", b"").replace(b"<h1", b"<h2").replace(b"</h1>", b"</h2>")
    article = extract(html, "https://www.vietnam.vn/a", fetched_at=FETCHED)
    assert "trafilatura" not in article.parser
    assert not any(m.startswith("parser error") for m in article.messages)
