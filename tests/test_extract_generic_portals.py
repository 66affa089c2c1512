"""The generic path on the Vietnamese dailies' golden pages (their own parsers switched off),
and the general rules those pages showed missing, on small handwritten pages.

Oracles: each golden page's expected JSON (written from the replica's records, not by the
extractor), the lazy-loading attributes as ../shared/reference/VIETNAMESE_PORTALS.md lists
them, and what a reader sees on a page (a header's "today" is not the article's date).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal_crawler.extract import extract
from portal_crawler.normalize import clean_authors, split_byline
from portal_crawler.parsers.base import Page
from portal_crawler.parsers.blocks import body_fields
from portal_crawler.parsers.document import parse

PAGES = Path(__file__).parent / "pages"
FETCHED = "2024-05-02T12:00:00+00:00"
URL = "https://www.examplenews.com/2024/05/harbour-reopens"
P1 = ("The harbour reopened on Wednesday after three weeks of repairs to the sea wall, and the "
      "first ferries left on time in calm weather, the port authority said.")
P2 = ("Fishermen who had moored their boats in the next bay returned in the afternoon; several "
      "said the repairs had cost them most of the spring season's catch.")
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def golden(portal: str) -> list[Path]:
    return sorted(PAGES.glob(f"{portal}/*.html"))


def generic(path: Path) -> tuple[object, dict]:
    expected = json.loads(path.with_suffix(".json").read_text("utf-8"))
    article = extract(path.read_bytes(), expected["url"], fetched_at=expected["fetched_at"],
                      portal_parser=False)
    return article, expected


def html(body: str, head: str = "") -> str:
    return f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>'


# 1. a date in the site's chrome is not the article's ----------------------------------------

@pytest.mark.parametrize("path", golden("vnexpress"), ids=lambda p: p.stem)
def test_vnexpress_date_is_the_article_s_not_the_header_s_today(path: Path) -> None:
    article, expected = generic(path)
    assert article.date_published == expected["date_published"]


def test_a_date_in_the_site_header_is_not_the_published_date() -> None:
    page = html("<header><span class='time-now'>2 May 2024</span>"
                "<a href='/'>Example News</a></header>"
                "<div class='top'><span class='date'>29 April 2024</span></div>"
                f"<h1>Harbour reopens</h1><article><p>{P1}</p><p>{P2}</p></article>"
                "<footer><span class='time'>1 May 2024</span></footer>")
    a = extract(page, URL, fetched_at=FETCHED)
    assert a.date_published == "2024-04-29"


def test_an_article_header_s_date_is_kept() -> None:
    """A <header> holding the headline, or inside <article>, is the article's own."""
    for body in (f"<article><header><h1>Harbour reopens</h1><span class='date'>29 April 2024"
                 f"</span></header><p>{P1}</p><p>{P2}</p></article>",
                 "<header class='entry'><p class='kicker'>Ports</p><h1>Harbour reopens</h1>"
                 f"<p class='date'>29 April 2024</p></header><div><p>{P1}</p><p>{P2}</p></div>"):
        a = extract(html(body), URL, fetched_at=FETCHED)
        assert a.date_published == "2024-04-29", body


def test_only_a_chrome_date_is_no_date() -> None:
    page = html("<header><span class='time-now'>2 May 2024</span></header>"
                f"<h1>Harbour reopens</h1><article><p>{P1}</p><p>{P2}</p></article>")
    assert extract(page, URL, fetched_at=FETCHED).date_published is None


# 2. the <title> without the name the site's home link prints ------------------------------

@pytest.mark.parametrize("path", golden("tuoitre") + golden("thanhnien") + golden("dantri"),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_dailies_headline_without_the_site_suffix(path: Path) -> None:
    article, expected = generic(path)
    assert article.headline == expected["headline"]


LOGO = ("<header><a class='logo' href='/'><img src='/logo.svg' alt='Daily Harbour Gazette'>"
        "</a><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>")


@pytest.mark.parametrize("home", ["/", "https://www.examplenews.com/",
                                  "https://www.examplenews.com"])
def test_title_suffix_named_by_the_logo_link_is_cut(home: str) -> None:
    head = "<title>Harbour reopens after repairs - Daily Harbour Gazette</title>"
    body = (LOGO.replace("href='/'", f"href='{home}'", 1) + "<article><h1>Harbour reopens "
            f"after repairs</h1><p>{P1}</p><p>{P2}</p></article>")
    assert extract(html(body, head), URL, fetched_at=FETCHED).headline == (
        "Harbour reopens after repairs")


def test_title_parts_the_home_link_does_not_name_stay() -> None:
    """Only the end is cut, and only what the home link says: the headline's own parts stay."""
    for title in ("Daily Harbour Gazette - Harbour reopens after repairs",
                  "Harbour reopens - Part two", "Harbour reopens - Part two - World"):
        body = LOGO + f"<article><h1>Harbour reopens</h1><p>{P1}</p><p>{P2}</p></article>"
        headline = extract(html(body, f"<title>{title}</title>"), URL,
                           fetched_at=FETCHED).headline
        assert headline == title


# 3. lazy images: data-original, data-src, data-srcset before src ---------------------------

LAZY = [
    (f"<img src='{PLACEHOLDER}' data-original='/o.jpg' data-src='/s.jpg'>", "o.jpg"),
    (f"<img src='{PLACEHOLDER}' data-src='/s.jpg'>", "s.jpg"),
    (f"<img src='{PLACEHOLDER}' data-srcset='/w1.jpg 1x, /w2.jpg 2x'>", "w1.jpg"),
    ("<img src='/plain.jpg'>", "plain.jpg"),
]


@pytest.mark.parametrize(("img", "name"), LAZY)
def test_lazy_image_in_the_generic_path(img: str, name: str) -> None:
    body = (f"<article><h1>Harbour reopens</h1><p>{P1}</p><figure>{img}"
            f"<figcaption>The first ferry leaves</figcaption></figure><p>{P2}</p></article>")
    a = extract(html(body), URL, fetched_at=FETCHED)
    assert [(i["url"], i["caption"]) for i in a.images] == [
        (f"https://www.examplenews.com/{name}", "The first ferry leaves")]


@pytest.mark.parametrize(("img", "name"), LAZY)
def test_lazy_image_in_the_shared_body_walk(img: str, name: str) -> None:
    """The body walk the portal parsers share reads the same attributes in the same order."""
    doc = html(f"<div id='body'><p>{P1}</p><figure>{img}<figcaption>The first ferry leaves"
               f"</figcaption></figure><p>{P2}</p></div>")
    page = Page(sel=parse(doc), url=URL, language="en", zone="UTC",
                fetched_at=datetime(2024, 5, 2, tzinfo=UTC))
    fields = body_fields(page.root.xpath("//div[@id='body']")[0], page)
    assert [(i["url"], i["caption"]) for i in fields["images"]] == [
        (f"https://www.examplenews.com/{name}", "The first ferry leaves")]
    assert fields["body"] == f"{P1}\n\n{P2}"


@pytest.mark.parametrize("path", golden("vnexpress") + golden("tuoitre") + golden("thanhnien")
                         + golden("dantri"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_dailies_images_and_captions(path: Path) -> None:
    article, expected = generic(path)
    assert [(i["url"], i["caption"]) for i in article.images] == [
        (i["url"], i["caption"]) for i in expected["images"]]


def test_an_author_s_avatar_is_not_an_article_image() -> None:
    """A picture linking where the text link beside it goes illustrates that link."""
    body = (f"<article><h1>Harbour reopens</h1><p>{P1}</p><figure><img src='/ferry.jpg'>"
            f"<figcaption>The first ferry leaves</figcaption></figure><p>{P2}</p>"
            "<div class='author'><a href='/staff/jane-doe'><img src='/avatars/jane.png' "
            "alt='Jane Doe'></a> <a href='/staff/jane-doe'>Jane Doe</a></div></article>")
    a = extract(html(body), URL, fetched_at=FETCHED)
    assert [i["url"] for i in a.images] == ["https://www.examplenews.com/ferry.jpg"]


# 4. a name whose word repeats is one person's name -----------------------------------------

def test_a_doubled_one_word_name_is_a_name() -> None:
    assert split_byline("Nguyễn Nguyễn").authors == ["Nguyễn Nguyễn"]
    assert clean_authors(["Nguyễn Nguyễn", "Minh Hòa"]) == ["Nguyễn Nguyễn", "Minh Hòa"]
    assert clean_authors(clean_authors(["Nguyễn Nguyễn"])) == ["Nguyễn Nguyễn"]


def test_a_name_printed_twice_is_still_one_name() -> None:
    """What the de-duplication is for: a page printing a name twice, glued or spaced."""
    assert split_byline("Thanh HàThanh Hà").authors == ["Thanh Hà"]
    assert split_byline("Nguyễn Văn A Nguyễn Văn A").authors == ["Nguyễn Văn A"]
    assert split_byline("NguyễnNguyễn").authors == ["Nguyễn"]
    assert clean_authors(["Nguyễn Nguyễn", "Nguyễn Nguyễn"]) == ["Nguyễn Nguyễn"]


def test_a_doubled_name_in_a_page_s_byline() -> None:
    body = (f"<article><h1>Harbour reopens</h1><p>{P1}</p><p>{P2}</p>"
            "<p style='text-align:right'><strong>Nguyễn Nguyễn</strong></p></article>")
    a = extract(html(body, '<meta name="author" content="Nguyễn Nguyễn">'), URL,
                fetched_at=FETCHED)
    assert a.authors == ["Nguyễn Nguyễn"]
