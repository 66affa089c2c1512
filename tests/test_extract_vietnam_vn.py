"""The vietnam.vn parser on variants of a golden page: structure the golden set lacks yet.

Each test edits the stored Vietnamese page the way another article or an older template
differs (a time, a standfirst, a category, author links, missing class names) and checks the
contract field that the variant exercises.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal_crawler.article import Article
from portal_crawler.extract import LAYERS, extract

PAGE = Path(__file__).parent / "pages" / "vietnam_vn" / "vi_nga_trieu_tien.html"
URL = "https://www.vietnam.vn/nga-trieu-tien-tang-cuong-hop-tac-quoc-phong-sau-hoi-nghi-thuong-dinh-my-han-ngoi-tren-dong-lua"
FETCHED = "2023-09-14T12:00:00+00:00"


def page() -> str:
    return PAGE.read_text("utf-8")


def run(html: str, url: str = URL) -> Article:
    return extract(html.encode("utf-8"), url, fetched_at=FETCHED)


def relations(article: Article) -> list[str]:
    return [link["relation"] for link in article.related_links]


def test_baseline() -> None:
    article = run(page())
    assert article.parser == "vietnam_vn/1+metadata/1"  # translations from hreflang
    assert article.source == "Báo Quốc Tế"
    assert article.authors == []
    assert article.lead == article.body.split("\n\n")[0]
    assert "[quảng_cáo" not in article.body and "Nguồn" not in article.body.split("\n\n")[-1]
    assert relations(article)[:2] == ["related_box", "source"]
    assert "same_category" in relations(article)
    assert set(article.translations) == {"en", "id"}


def test_date_with_time_gets_the_portal_offset() -> None:
    html = page().replace(">14/09/2023<", ">10:30 14/09/2023<")
    article = run(html)
    assert article.date_published == "2023-09-14T10:30:00+07:00"
    assert article.date_published_raw == "10:30 14/09/2023"


def test_byline_glued_in_one_text_node() -> None:
    html = re.sub(r'<div class="post-detail-info">.*?</div>',
                  "<div>Báo Quốc TếBáo Quốc Tế14/09/2023</div>", page(), count=1, flags=re.S)
    article = run(html)
    assert article.source == "Báo Quốc Tế"
    assert article.date_published_raw == "14/09/2023"


def test_author_links_are_people_and_the_paper_stays_the_source() -> None:
    html = page().replace(
        '<span class="post-detail-date">',
        '<a href="/authors/thanh-ha">Thanh Hà</a><span class="post-detail-date">',
    )
    article = run(html)
    assert article.authors == ["Thanh Hà"]
    assert article.source == "Báo Quốc Tế"


def test_standfirst_between_headline_and_byline_is_the_lead_and_first_paragraph() -> None:
    sapo = "Đây là đoạn sapo của bài viết, được in đậm giữa tiêu đề và dòng nguồn."
    html = page().replace('<div class="post-detail-info">',
                          f'<h2 class="sapo">{sapo}</h2><div class="post-detail-info">', 1)
    article = run(html)
    assert article.lead == sapo
    assert article.body.startswith(sapo + "\n\n")
    assert article.body_html.startswith(f"<p>{sapo}</p>")


def test_category_above_the_headline_is_the_section() -> None:
    html = page().replace('<h1 ', '<div class="x-cat"><a href="/category/the-gioi">Thế giới</a>'
                                  '</div><h1 ', 1)
    article = run(html)
    assert article.section == "Thế giới"
    assert "missing section" not in article.messages


def test_tags_from_tag_links() -> None:
    html = page().replace('<div class="v-comment">',
                          '<div><a href="/tag/trieu-tien">#Triều Tiên</a> '
                          '<a href="/tag/nga">Nga</a></div><div class="v-comment">')
    assert run(html).tags == ["Triều Tiên", "Nga"]


def test_caption_printed_twice_and_not_in_body() -> None:
    html = re.sub(r"<figcaption>(.*?)</figcaption>", r"<figcaption>\1\1</figcaption><p>\1</p>",
                  page(), count=1)
    article = run(html)
    reference = run(page())
    assert article.images == reference.images
    assert article.body == reference.body


def test_inline_link_in_a_paragraph() -> None:
    head, body = page().split('<div class="post-detail-body">')
    body = body.replace("Moskva và Bình Nhưỡng",
                        'Moskva và <a href="/tag/binh-nhuong">Bình Nhưỡng</a>', 1)
    html = head + '<div class="post-detail-body">' + body
    article = run(html)
    inline = [link for link in article.related_links if link["relation"] == "inline"]
    assert inline == [{"url": "https://www.vietnam.vn/tag/binh-nhuong", "text": "Bình Nhưỡng",
                       "relation": "inline"}]
    assert 'href="https://www.vietnam.vn/tag/binh-nhuong"' in article.body_html
    assert article.body == run(page()).body
    assert article.tags == []


def test_related_lists_found_by_position_without_class_hints() -> None:
    html = re.sub(r'class="v-related v-related-[a-z-]+"', 'class="box"', page())
    html = html.replace('class="v-related-title"', "")
    assert run(html).related_links == run(page()).related_links


def test_related_list_relation_from_class_hint_when_one_is_missing() -> None:
    html = re.sub(r'<section class="v-related v-related-same-topic">.*?</section>', "", page(),
                  flags=re.S)
    article = run(html)
    assert "same_category" in relations(article)
    assert "same_topic" not in relations(article)


def test_body_found_without_its_class_name() -> None:
    html = page().replace('class="post-detail-body"', 'class="x"')
    article = run(html)
    assert article.body == run(page()).body


def test_ads_in_other_editions_and_legal_footer_left_out() -> None:
    html = page().replace("<p>[quảng_cáo_1]</p>", "<p>[광고_1]</p><p>[Anzeige_2]</p>")
    html = html.replace('<div class="post-detail-body">',
                        '<div class="post-detail-body"><p>Chịu trách nhiệm: Cục Thông tin</p>')
    assert run(html).body == run(page()).body


def test_mirror_host_has_the_same_identity() -> None:
    mirror = URL.replace("https://www.", "https://vcdn.")
    article, reference = run(page(), mirror), run(page())
    assert article.url == mirror
    assert article.canonical_url == reference.canonical_url
    assert article.id == reference.id


def test_metadata_fills_what_the_page_body_lacks() -> None:
    json_ld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
               '"@type": "NewsArticle", "dateModified": "2023-09-15T08:00:00+07:00", '
               '"articleSection": "Thế giới", "keywords": ["Nga", "Triều Tiên"]}</script>')
    article = run(page().replace("</head>", json_ld + "</head>"))
    assert article.date_modified == "2023-09-15T08:00:00+07:00"
    assert article.section == "Thế giới"
    assert article.tags == ["Nga", "Triều Tiên"]
    assert article.date_published == "2023-09-14"  # the page's own date wins
    assert article.parser == "vietnam_vn/1+metadata/1"


def test_date_from_metadata_when_the_page_prints_none() -> None:
    html = page().replace(">14/09/2023<", "><").replace(
        "</head>", '<meta property="article:published_time" content="2023-09-14T10:30:00+07:00">'
                   "</head>")
    article = run(html)
    assert article.date_published == "2023-09-14T10:30:00+07:00"
    assert article.date_published_raw == "2023-09-14T10:30:00+07:00"
    assert article.parser.startswith("vietnam_vn/1+metadata/1")


@pytest.mark.parametrize("label", LAYERS)
def test_layer_labels(label: str) -> None:
    assert re.fullmatch(r"[a-z_]+/\d+", label)


LEGACY = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Giá vàng tăng mạnh - Vietnam.vn</title></head><body><main class="ant-layout-content">
<div class="detail-page">
<div class="breadcrumb"><a href="/">Trang chủ</a> › <a href="/category/tin-tuc">News</a> ›
<a href="/category/kinh-te">Kinh tế</a></div>
<div class="detail-main">
<h1 class="detail-title">Giá vàng tăng mạnh</h1>
<div class="detail-meta"><span class="detail-source">Báo Nhân dân</span>
<span class="detail-time">10:30 14/09/2023</span></div>
<div class="detail-content">
<p>[quảng_cáo_1]</p>
<p>Giá vàng trong nước tăng mạnh trong phiên sáng nay, theo các doanh nghiệp kinh doanh.</p>
<table class="picture" align="center"><tbody><tr><td class="pic">
<img data-src="/img/vang.jpg" src="data:image/gif;base64,R0lGOD" alt="" class="lazyload"></td></tr>
<tr><td class="caption">Vàng miếng tại một cửa hàng. Ảnh: TTXVN</td></tr></tbody></table>
<p>Đoạn thứ hai của bài viết về giá vàng.</p>
<p style="text-align: right;"><strong>Minh Anh</strong></p>
<p><a href="https://nhandan.vn/gia-vang-1.html">Nguồn</a></p>
</div></div>
<div class="detail-related detail-related-same-category"><h3>Cùng chuyên mục</h3>
<div class="detail-related-list"><div class="detail-related-item">
<a class="v-link-title" href="/gia-dau-giam/" title="Giá dầu giảm">Giá dầu giảm</a>
</div></div></div>
</div></main></body></html>"""
LEGACY_URL = "https://www.vietnam.vn/gia-vang-tang-manh/"


def test_older_template_with_breadcrumb_table_caption_and_signature() -> None:
    article = run(LEGACY, LEGACY_URL)
    assert article.headline == "Giá vàng tăng mạnh"
    assert article.breadcrumbs == ["Trang chủ", "News", "Kinh tế"]
    assert article.section == "Kinh tế"
    assert article.source == "Báo Nhân dân"
    assert article.date_published == "2023-09-14T10:30:00+07:00"
    assert article.date_published_raw == "10:30 14/09/2023"
    assert article.body == ("Giá vàng trong nước tăng mạnh trong phiên sáng nay, theo các doanh "
                            "nghiệp kinh doanh.\n\nĐoạn thứ hai của bài viết về giá vàng.")
    assert article.authors == ["Minh Anh"]  # the right-aligned signature
    assert article.images == [{"url": "https://www.vietnam.vn/img/vang.jpg",
                               "caption": "Vàng miếng tại một cửa hàng.", "credit": "TTXVN",
                               "alt": None}]
    assert article.source_url == "https://nhandan.vn/gia-vang-1.html"
    assert [(x["relation"], x["url"]) for x in article.related_links] == [
        ("source", "https://nhandan.vn/gia-vang-1.html"),
        ("same_category", "https://www.vietnam.vn/gia-dau-giam/")]


def test_author_line_under_the_dateline() -> None:
    html = page().replace(
        '<div class="post-detail-body">',
        '<div class="x-author">Theo <a href="/authors/thanh-ha">Thanh Hà</a>, '
        '<a href="/authors/minh-anh">Minh Anh</a></div><div class="post-detail-body">', 1)
    article = run(html)
    assert article.authors == ["Thanh Hà", "Minh Anh"]
    assert article.source == "Báo Quốc Tế"


@pytest.mark.parametrize(("printed", "iso"), [
    ("14 tháng 9, 2023", "2023-09-14"),
    ("2023年9月14日", "2023-09-14"),
    ("2023년 9월 14일 10:30", "2023-09-14T10:30:00+07:00"),
    ("2 giờ trước", "2023-09-14T17:00:00+07:00"),
])
def test_printed_dates_in_other_forms(printed: str, iso: str) -> None:
    article = run(page().replace(">14/09/2023<", f">{printed}<"))
    assert article.date_published == iso
    assert article.date_published_raw == printed
    assert article.source == "Báo Quốc Tế"


def test_credit_labels_in_other_languages() -> None:
    html = page().replace("(Ảnh: KCNA)", "(사진: 연합뉴스)")
    assert [(i["credit"]) for i in run(html).images] == ["연합뉴스"]


def test_headings_before_the_body_or_over_tags_or_prose_are_not_related_lists() -> None:
    """Only headings after the body followed by article links count, so positions hold."""
    sidebar = ('<aside><h3>Đọc nhiều</h3><ul><li><a href="/bai-doc-nhieu">Bài đọc nhiều nhất '
               'trong ngày hôm nay</a></li></ul></aside>')
    extra = ('<h3>Từ khóa</h3><div><a href="/tag/nga">Nga</a> <a href="/tag/trieu-tien">Triều '
             'Tiên</a></div><h3>Ghi chú</h3><p>Bài viết được cập nhật lúc 10 giờ sáng nay, theo '
             'thông tin từ <a href="/ve-chung-toi">ban biên tập</a> của trang.</p>')
    html = page().replace('<h1 ', sidebar + '<h1 ', 1)
    html = html.replace('<div class="v-comment">', extra + '<div class="v-comment">', 1)
    html = re.sub(r'class="v-related v-related-[a-z-]+"', 'class="box"', html)
    assert run(html).related_links == run(page()).related_links


def test_legal_footer_run_inside_the_body_is_left_out_whole() -> None:
    footer = ("<div><p>BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH</p><p>Cổng thông tin điện tử</p>"
              "<p>Giấy phép số 123/GP-BC</p><p>Trụ sở: 51 Ngô Quyền, Hà Nội</p></div>")
    head, body = page().split('<div class="post-detail-body">')
    body = body.replace("</div>", footer + "</div>", 1)
    article = run(head + '<div class="post-detail-body">' + body)
    assert article.body == run(page()).body


@pytest.mark.parametrize(("crumbs", "expected"), [
    ('<div class="x1">Trang chủ › News › Kinh tế</div>', ["Trang chủ", "News", "Kinh tế"]),
    ('<ul><li><a href="/">Trang chủ</a></li><li><a href="/category/kinh-te">Kinh tế</a></li>'
     '</ul>', []),  # links with nothing printed between them: a menu, not a breadcrumb
])
def test_breadcrumb_by_its_printed_separators(crumbs: str, expected: list[str]) -> None:
    html = LEGACY.replace('<div class="breadcrumb">', '<div class="x0">')
    html = re.sub(r'<div class="x0">.*?</div>', crumbs, html, count=1, flags=re.S)
    assert run(html, LEGACY_URL).breadcrumbs == expected
