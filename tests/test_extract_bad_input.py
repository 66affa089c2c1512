"""extract() never raises: what cannot be found stays empty and is named in `messages`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from portal_crawler.article import FIELD_NAMES, Article
from portal_crawler.extract import extract, is_html

URL = "https://www.vietnam.vn/id/nga-trieu-tien"
FETCHED = "2023-09-14T12:00:00+00:00"
PAGE = Path(__file__).parent / "pages" / "vietnam_vn" / "vi_nga_trieu_tien.html"
REQUIRED = ["missing required headline", "missing required body", "missing required date_published"]


def page_bytes() -> bytes:
    return PAGE.read_bytes()


BAD_INPUTS = {
    "empty bytes": b"",
    "empty str": "",
    "whitespace": b"  \n\t ",
    "binary": bytes(range(256)) * 20,
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
    "json": b'{"headline": "not a page"}',
    "plain text": b"Just a sentence without any markup.",
    "nul bytes": b"<html>\x00<body>\x00</body></html>",
    "only a comment": b"<!-- nothing here -->",
    "unclosed tags": b"<html><body><div><p>text <b>bold",
}


@pytest.mark.parametrize("data", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_gives_an_empty_article_with_messages(data: bytes | str) -> None:
    article = extract(data, URL, fetched_at=FETCHED)
    assert isinstance(article, Article)
    assert article.headline == "" or article.body == ""
    assert set(REQUIRED) & set(article.messages)
    assert article.url == URL
    assert article.language == "id"
    assert article.fetched_at == FETCHED
    assert len(article.id) == 16


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 20, b'{"a": 1}', b"plain text"])
def test_not_html(data: bytes) -> None:
    assert not is_html(data)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html></html>",
        b"\xef\xbb\xbf<html><body>x</body></html>",
        "\ufeff<html><body>Xin chào</body></html>".encode("utf-16"),
        b"<p>fragment",
        "<h1>str input</h1>",
    ],
)
def test_is_html(data: bytes | str) -> None:
    assert is_html(data)


def test_non_html_is_named_in_messages() -> None:
    assert "not an HTML document" in extract(b'{"a": 1}', URL, fetched_at=FETCHED).messages


def test_truncated_page_keeps_what_it_has() -> None:
    data = page_bytes()
    cut = data.index("Bình Nhưỡng ngày 26/7".encode()) + 40
    article = extract(data[:cut], URL, fetched_at=FETCHED)
    assert article.headline.startswith("Nga-Triều Tiên")
    assert article.source == "Báo Quốc Tế"
    assert article.date_published == "2023-09-14"
    assert article.body  # the paragraphs before the cut


def test_page_without_h1() -> None:
    article = extract(b"<html><body><p>Only a paragraph here.</p></body></html>", URL,
                      fetched_at=FETCHED)
    assert article.headline == ""
    assert "missing required headline" in article.messages
    assert article.body == "Only a paragraph here."


def test_nfd_page_gives_nfc_fields() -> None:
    nfd = unicodedata.normalize("NFD", page_bytes().decode("utf-8")).encode("utf-8")
    article = extract(nfd, URL, fetched_at=FETCHED)
    reference = extract(page_bytes(), URL, fetched_at=FETCHED)
    assert article.to_dict() == reference.to_dict()


def test_missing_charset_defaults_to_utf8() -> None:
    data = page_bytes().replace(b'<meta charset="utf-8">', b"")
    assert extract(data, URL, fetched_at=FETCHED).source == "Báo Quốc Tế"


def test_wrong_declared_charset_on_a_utf8_page() -> None:
    data = page_bytes().replace(b'<meta charset="utf-8">', b'<meta charset="iso-8859-1">')
    assert extract(data, URL, fetched_at=FETCHED).source == "Báo Quốc Tế"
    assert extract(page_bytes(), URL, fetched_at=FETCHED, encoding="latin-1").source == (
        "Báo Quốc Tế"
    )


def test_legacy_charset_from_meta_and_from_argument() -> None:
    html = "<html><head><meta charset='windows-1252'></head><body><h1>Café crème</h1></body></html>"
    assert extract(html.encode("cp1252"), URL, fetched_at=FETCHED).headline == "Café crème"
    bare = html.replace("<meta charset='windows-1252'>", "").encode("cp1252")
    assert extract(bare, URL, fetched_at=FETCHED, encoding="cp1252").headline == "Café crème"


def test_unknown_encoding_argument_is_ignored() -> None:
    assert extract(b"<h1>x</h1>", URL, fetched_at=FETCHED, encoding="no-such").headline == "x"


def test_utf16_with_bom() -> None:
    data = "\ufeff<html><body><h1>Xin chào</h1></body></html>".encode("utf-16")
    assert extract(data, URL, fetched_at=FETCHED).headline == "Xin chào"


def test_five_megabyte_page() -> None:
    paragraph = b"<p>" + b"Lorem ipsum dolor sit amet. " * 20 + b"</p>"
    data = page_bytes().replace(b"</body>", paragraph * 9000 + b"</body>")
    assert len(data) > 5_000_000
    article = extract(data, URL, fetched_at=FETCHED)
    assert article.headline.startswith("Nga-Triều Tiên")
    assert "Lorem" not in article.body  # outside the article body


def test_invalid_fetched_at_falls_back_to_now() -> None:
    article = extract(b"<h1>x</h1>", URL, fetched_at="yesterday-ish")
    assert article.fetched_at.endswith("+00:00")
    assert any("fetched_at" in m for m in article.messages)


def test_url_of_another_site_uses_the_generic_layer() -> None:
    prose = "Body text of the article, a sentence long enough to be read as prose. " * 5
    html = f"<html><body><article><h1>Title</h1><p>{prose}</p></article>".encode()
    article = extract(html, "https://example.com/news/1", fetched_at=FETCHED)
    assert article.parser == "generic/3"
    assert article.portal == ""
    assert article.headline == "Title"
    assert article.body == prose.strip()


def test_every_field_present_and_typed() -> None:
    article = extract(b"", URL, fetched_at=FETCHED).to_dict()
    assert tuple(article) == FIELD_NAMES
    assert article["authors"] == [] and article["translations"] == {}
    assert article["lead"] is None and article["date_published"] is None


def test_failing_layer_is_recorded_and_the_rest_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal_crawler.parsers import vietnam_vn

    def broken(page: object) -> dict[str, object]:
        raise KeyError("boom")

    monkeypatch.setattr(vietnam_vn, "parse", broken)
    article = extract(page_bytes(), URL, fetched_at=FETCHED)
    assert "parser error: vietnam_vn: KeyError" in article.messages
    assert article.headline.startswith("Nga-Triều Tiên")  # from metadata/generic
    assert not article.parser.startswith("vietnam_vn")


@pytest.mark.parametrize("url", ["http://[::1", "http://x:99999/a", "", "not a url"])
def test_malformed_url_does_not_raise(url: str) -> None:
    article = extract(b"<h1>x</h1>", url, fetched_at=FETCHED)
    assert article.headline == "x"
    assert article.url == url
    assert len(article.id) == 16


def test_malformed_alternate_link_is_skipped() -> None:
    html = b'<link rel="alternate" hreflang="en" href="http://[::1"><h1>x</h1>'
    article = extract(html, URL, fetched_at=FETCHED)
    assert article.translations == {}
    assert not any(m.startswith("parser error") for m in article.messages)


def test_control_character_entities() -> None:
    html = b"<h1>a&#1;b</h1><div class='post-detail-body'><p>x&#0;y &#xD800;z</p></div>"
    article = extract(html, URL, fetched_at=FETCHED)
    assert article.headline == "ab"
    assert article.body == "x\ufffdy \ufffdz"  # as HTML decodes &#0; and a lone surrogate
    assert not any(m.startswith("parser error") for m in article.messages)


def test_mangled_pages_never_raise_nor_break_a_layer() -> None:
    """Deterministic fuzz: cut, delete and splice markup debris into a golden page."""
    import random

    rng = random.Random(20230914)
    original = page_bytes()
    debris = b'<>/"=&;#[]_\x00\xff\xc3 pdiva0123x'
    for _ in range(200):
        data = bytearray(original)
        for _ in range(rng.randint(1, 20)):
            if not data:
                break
            pos, op = rng.randrange(len(data)), rng.random()
            if op < 0.4:
                del data[pos : pos + rng.randint(1, 200)]
            elif op < 0.8:
                data[pos:pos] = bytes(rng.choice(debris) for _ in range(rng.randint(1, 10)))
            else:
                del data[pos:]
        article = extract(bytes(data), URL, fetched_at=FETCHED)
        assert not any(m.startswith("parser error") for m in article.messages), article.messages


@pytest.mark.parametrize("href", ["htps://x.vn/a", "hPtps://x.vn/a", "dta:image/gif;base64,R0",
                                  "http:/>/[::1", "http://[::1/a", "ftp://x.vn/a", "http:///a"])
def test_links_with_a_corrupted_scheme_or_host_are_dropped(href: str) -> None:
    html = (f'<h1>T</h1><div class="post-detail-body"><p><a href="{href}">x</a> text</p>'
            f'<figure><img src="{href}"></figure></div>'
            f'<link rel="alternate" hreflang="en" href="{href}">').encode()
    article = extract(html, URL, fetched_at=FETCHED)
    assert article.related_links == [] and article.images == [] and article.translations == {}


def test_text_after_comments_and_scripts_inside_a_paragraph_is_kept():
    """A comment or script inside a paragraph is dropped, the text after it kept (lxml walks
    comments without start/end events); control characters around them are dropped."""
    html = ("<html><body><h1>T</h1><div class='post-detail-body'>"
            "<p>a\x01b<script>x</script>c\x02d<!-- c -->e\x03f</p><p>second</p></div>"
            "</body></html>")
    article = extract(html, "https://www.vietnam.vn/en/x")
    assert not [m for m in article.messages if m.startswith("parser error")]
    assert article.body == "abcdef\n\nsecond"
