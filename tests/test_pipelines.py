"""Pure parts of the pipelines: what is refused as not an article."""

from __future__ import annotations

from test_archive_store import make_article

from portal_crawler.pipelines.validate import refusal


def test_an_error_page_served_with_200_is_refused():
    page = make_article(headline="404 - Không tìm thấy trang", body="Trang không tồn tại.",
                        date_published=None, lead=None)
    assert refusal(page).startswith("soft 404")


def test_a_real_article_saying_not_found_is_kept():
    body = "Tidak ada korban jiwa dalam gempa. " * 40
    article = make_article(headline="Tidak ada korban jiwa dalam gempa di Sulawesi",
                           body=body, date_published=None)
    assert refusal(article) is None


def test_no_headline_and_no_body_is_refused():
    assert refusal(make_article(headline="", body="", lead=None)).startswith("no headline")
