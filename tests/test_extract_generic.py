"""The generic path on small handwritten pages, each showing one general behaviour.

Oracles: the markup conventions themselves (WordPress's wp-caption, HTML's figure/figcaption
and aria-describedby, schema.org JSON-LD, the US month-first date order) and what a reader
sees on the page; none of these pages is from the corpus.
"""

from __future__ import annotations

import json

from portal_crawler.extract import extract

FETCHED = "2024-05-02T12:00:00+00:00"
URL = "https://www.examplenews.com/2024/05/harbour-reopens"
P1 = ("The harbour reopened on Wednesday after three weeks of repairs to the sea wall, and the "
      "first ferries left on time in calm weather, the port authority said.")
P2 = ("Fishermen who had moored their boats in the next bay returned in the afternoon; several "
      "said the repairs had cost them most of the spring season's catch.")
P3 = ("The authority said a second phase of the work would start in the autumn and would not "
      "close the harbour again, since it would be done from barges at night.")


def html(body: str, head: str = "", lang: str = "en") -> str:
    return f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def article(inner: str) -> str:
    return ("<header><nav><a href='/'>Home</a> <a href='/world'>World</a> "
            "<a href='/sport'>Sport</a></nav></header>"
            f"<main><article><h1>Harbour reopens</h1>{inner}</article></main>"
            "<footer><p>© Example News. All rights reserved. Contact us at the desk.</p></footer>")


def test_whole_body_with_subheadings_and_lists_without_boilerplate() -> None:
    inner = (f"<p>{P1}</p><div class='share-bar'><a href='#'>Share on X</a>"
             "<a href='#'>Share by mail</a></div>"
             f"<h2>What changes</h2><p>{P2}</p><ul><li>Ferries every hour</li>"
             "<li>Night work only</li></ul><section class='comments'><p>"
             "Great news, finally! I have waited for this since March, said a reader.</p>"
             f"</section><p>{P3}</p>")
    a = extract(html(article(inner)), URL, fetched_at=FETCHED)
    assert a.body.split("\n\n") == [P1, "What changes", P2, "Ferries every hour",
                                    "Night work only", P3]
    assert "Harbour reopens" not in a.body  # the headline is not body text
    assert not any(m == "not an article" for m in a.messages)


def test_body_split_over_sibling_sections_is_taken_whole() -> None:
    inner = "".join(f"<section><p>{p}</p></section><div class='ad'>Advertisement</div>"
                    for p in (P1, P2, P3))
    a = extract(html(article(inner)), URL, fetched_at=FETCHED)
    assert a.body == "\n\n".join((P1, P2, P3))


def test_wordpress_caption_with_credit() -> None:
    inner = (f"<p>{P1}</p><div id='attachment_7' class='wp-caption aligncenter'>"
             "<img src='/img/harbour.jpg' alt='harbour' aria-describedby='caption-7'>"
             "<p id='caption-7' class='wp-caption-text'>The first ferry leaves the harbour. "
             f"Photo: Reuters</p></div><p>{P2}</p><p>{P3}</p>")
    a = extract(html(article(inner)), URL, fetched_at=FETCHED)
    assert a.images == [{"url": "https://www.examplenews.com/img/harbour.jpg",
                         "caption": "The first ferry leaves the harbour.",
                         "credit": "Reuters", "alt": "harbour"}]
    assert "first ferry leaves" not in a.body  # a caption is not body text


def test_figcaption_and_a_caption_table() -> None:
    inner = (f"<p>{P1}</p><figure><img data-src='/a.jpg' src='data:image/gif;base64,R0'>"
             "<figcaption>Boats return to the bay (Ảnh: TTXVN)</figcaption></figure>"
             f"<p>{P2}</p><table class='image'><tr><td><img src='/b.jpg'></td></tr>"
             f"<tr><td>The sea wall at dusk. Foto: Ana Lima</td></tr></table><p>{P3}</p>")
    a = extract(html(article(inner)), URL, fetched_at=FETCHED)
    assert [(i["url"].rsplit("/", 1)[1], i["caption"], i["credit"]) for i in a.images] == [
        ("a.jpg", "Boats return to the bay", "TTXVN"),
        ("b.jpg", "The sea wall at dusk.", "Ana Lima")]


def test_listing_page_is_not_an_article() -> None:
    teasers = "".join(f"<li><a href='/story/{n}'>Headline of story number {n} today</a>"
                      f"<span>2 hours ago</span></li>" for n in range(30))
    a = extract(html(f"<h1>Latest news</h1><ul class='list'>{teasers}</ul>"),
                "https://www.examplenews.com/latest", fetched_at=FETCHED)
    assert "not an article" in a.messages
    assert a.body == ""


def test_login_wall_is_not_an_article() -> None:
    wall = ("<h1>Sign in</h1><form><label>E-mail <input name='e'></label>"
            "<button>Continue</button></form><p>Subscribe to keep reading.</p>")
    a = extract(html(wall), "https://www.examplenews.com/login", fetched_at=FETCHED)
    assert "not an article" in a.messages and a.body == ""


def test_headline_from_title_without_the_site_name() -> None:
    head = ("<title>Harbour reopens after repairs | Example News</title>"
            '<meta property="og:site_name" content="Example News">')
    body = article(f"<p>{P1}</p><p>{P2}</p>").replace("<h1>Harbour reopens</h1>", "")
    a = extract(html(body, head), URL, fetched_at=FETCHED)
    assert a.headline == "Harbour reopens after repairs"


def test_site_name_known_from_the_host_only() -> None:
    head = "<title>Harbour reopens after repairs - ExampleNews.com</title>"
    a = extract(html(article(f"<p>{P1}</p><p>{P2}</p>"), head), URL, fetched_at=FETCHED)
    assert a.headline == "Harbour reopens after repairs"


def test_a_headline_may_open_with_the_host_s_word() -> None:
    """Only a declared site name is cut at the start: "Example - ..." may be the news."""
    head = "<title>Examplenews - Harbour reopens after repairs</title>"
    a = extract(html(article(f"<p>{P1}</p><p>{P2}</p>"), head), URL, fetched_at=FETCHED)
    assert a.headline == "Examplenews - Harbour reopens after repairs"


def test_unknown_trailing_part_of_the_title_is_kept() -> None:
    head = "<title>Harbour reopens - Part two</title>"
    a = extract(html(article(f"<p>{P1}</p><p>{P2}</p>"), head), URL, fetched_at=FETCHED)
    assert a.headline == "Harbour reopens - Part two"


def test_byline_people_not_the_site() -> None:
    by = ("<div class='byline'>By <a href='/people/jane-doe'>Jane Doe</a> and "
          "<a href='/people/john-roe'>John Roe</a> · May 1, 2024</div>")
    a = extract(html(article(by + f"<p>{P1}</p><p>{P2}</p>")), URL, fetched_at=FETCHED)
    assert a.authors == ["Jane Doe", "John Roe"]
    site_only = "<div class='byline'>By Example News</div>"
    head = '<meta property="og:site_name" content="Example News">'
    a = extract(html(article(site_only + f"<p>{P1}</p><p>{P2}</p>"), head), URL,
                fetched_at=FETCHED)
    assert a.authors == []


def test_json_ld_in_cdata_and_a_social_media_posting() -> None:
    data = json.dumps({"@context": "https://schema.org", "@type": "SocialMediaPosting",
                       "headline": "Harbour reopens", "datePublished": "2024-05-01T09:00:00Z",
                       "author": {"@type": "Person", "name": "Jane Doe"}})
    head = f'<script type="application/ld+json">\n<![CDATA[\n{data}\n]]>\n</script>'
    a = extract(html(article(f"<p>{P1}</p><p>{P2}</p>"), head), URL, fetched_at=FETCHED)
    assert a.date_published == "2024-05-01T09:00:00+00:00"
    assert a.authors == ["Jane Doe"]


def test_us_page_reads_numeric_dates_month_first() -> None:
    head = '<meta name="date" content="9/11/2013">'
    us = extract(html(article(f"<p>{P1}</p><p>{P2}</p>"), head, lang="en-US"), URL,
                 fetched_at=FETCHED)
    gb = extract(html(article(f"<p>{P1}</p><p>{P2}</p>"), head, lang="en-GB"), URL,
                 fetched_at=FETCHED)
    assert us.date_published == "2013-09-11"
    assert gb.date_published == "2013-11-09"


def test_a_stream_of_teasers_beside_the_article_is_not_body() -> None:
    teaser = ("<div class='card'><h3><a href='/s/{n}'>Another story number {n}</a></h3>"
              "<p>A summary of the other story, long enough to read like a sentence of prose.</p>"
              "</div>")
    inner = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>" + "".join(teaser.format(n=n) for n in range(3))
    a = extract(html(article(inner)), URL, fetched_at=FETCHED)
    assert a.body == "\n\n".join((P1, P2, P3))


def test_a_listicle_whose_items_link_their_titles_is_body() -> None:
    item = ("<section class='item'><h2><a href='/p/{n}'>Place number {n}</a></h2>"
            "<p>{text}</p></section>")
    inner = "".join(item.format(n=n, text=p) for n, p in enumerate((P1, P2, P3)))
    a = extract(html(article(inner)), URL, fetched_at=FETCHED)
    assert a.body == "\n\n".join((P1, P2, P3))
