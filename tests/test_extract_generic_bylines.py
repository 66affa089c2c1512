"""Bylines and captions as Vietnamese and other editions' pages print them, on the generic path.

Small handwritten pages, one form each; the oracle is the page text written here (the names a
byline line states, the caption an italic line under a picture states), never extract(). No
class name marks the byline or the caption, so only the printed form can find them.
"""

from __future__ import annotations

import pytest

from portal_crawler.extract import extract

FETCHED = "2024-05-02T12:00:00+00:00"
URL = "https://www.baomau.example/xa-hoi/cang-mo-lai.html"
P1 = ("Cảng cá mở cửa trở lại vào sáng thứ Tư sau ba tuần sửa chữa đê chắn sóng, những chuyến "
      "phà đầu tiên rời bến đúng giờ trong thời tiết êm ả, ban quản lý cảng cho biết.")
P2 = ("Ngư dân neo thuyền ở vịnh bên cạnh đã trở về vào buổi chiều; nhiều người nói việc sửa "
      "chữa đã khiến họ mất phần lớn sản lượng đánh bắt của vụ xuân.")
P3 = ("Ban quản lý cho biết giai đoạn hai sẽ bắt đầu vào mùa thu và không phải đóng cửa cảng "
      "lần nữa, vì công việc sẽ được làm từ sà lan vào ban đêm.")
PARAS = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>"


def page(inner: str, after: str = "", lang: str = "vi") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><title>Cảng mở lại</title></head><body>'
            "<header><a href='/'><img src='/logo.png' width='120' height='40'></a></header>"
            f"<main><article><h1>Cảng cá mở cửa trở lại</h1>{inner}</article>{after}</main>"
            "<footer><p>Báo Mẫu. Giấy phép số 1/GP.</p></footer></body></html>")


def run(inner: str, after: str = "", lang: str = "vi"):
    return extract(page(inner, after, lang), URL, fetched_at=FETCHED)


@pytest.mark.parametrize(("line", "people"), [
    ('<p style="text-align: right;"><strong>By Hoang Lan, Minh Phuong</strong></p>',
     ["Hoang Lan", "Minh Phuong"]),
    ("<p><strong>Thanh Hà</strong></p>", ["Thanh Hà"]),
    ('<p align="right">Nguyễn Văn An - Trần Thị Bình</p>', ["Nguyễn Văn An", "Trần Thị Bình"]),
    ("<p>Theo Minh Phương</p>", ["Minh Phương"]),
    ("<p>Tác giả: Lê Thu Hà</p>", ["Lê Thu Hà"]),
])
def test_a_byline_line_closing_the_body(line: str, people: list[str]) -> None:
    a = run(f"<div>{PARAS}{line}</div>")
    assert a.authors == people
    assert a.body == "\n\n".join((P1, P2, P3))  # the byline is not body text


@pytest.mark.parametrize(("line", "people", "lang"), [
    ("<p>Oleh: Andi Saputra</p>", ["Andi Saputra"], "id"),
    ("<p>By Jane Doe</p>", ["Jane Doe"], "en"),
    ("<p>Par Jean Dupont</p>", ["Jean Dupont"], "fr"),
])
def test_a_byline_line_opening_the_body(line: str, people: list[str], lang: str) -> None:
    a = run(f"<div>{line}{PARAS}</div>", lang=lang)
    assert a.authors == people
    assert a.body == "\n\n".join((P1, P2, P3))


def test_a_byline_line_between_headline_and_body() -> None:
    a = run(f"<p>Tác giả: Nguyễn Minh Châu</p><div class='content'>{PARAS}</div>")
    assert a.authors == ["Nguyễn Minh Châu"]


def test_a_sentence_opening_like_a_byline_is_body_text() -> None:
    said = ("Theo ông Lee Hak Ju, Phó Tổng giám đốc Tổng cục Du lịch Hàn Quốc, lượng khách "
            "Việt Nam tăng mạnh.")
    a = run(f"<div>{PARAS}<p>{said}</p></div>")
    assert a.authors == []
    assert a.body.endswith(said)


def test_a_bold_closing_line_that_names_nobody_stays_in_the_body() -> None:
    a = run(f"<div>{PARAS}<p><strong>Xem thêm tin tức</strong></p></div>")
    assert a.authors == []
    assert a.body.endswith("Xem thêm tin tức")


@pytest.mark.parametrize(("title", "lang"), [
    ("Cùng tác giả", "vi"), ("From the same author", "en"), ("Du même auteur", "fr"),
    ("Dari penulis yang sama", "id"),
])
@pytest.mark.parametrize("shape", [
    "<section class='more-by-author'><h2>{}</h2><ul></ul></section>",  # titled, still empty
    "<div class='author-more'>{}</div>",  # a bare label: words no name is written in
])
def test_a_box_of_the_same_authors_articles_is_no_byline(title: str, lang: str,
                                                        shape: str) -> None:
    a = run(f"<div>{PARAS}</div>", after=shape.format(title), lang=lang)
    assert a.authors == []


@pytest.mark.parametrize(("printed", "caption", "credit"), [
    ("Du khách trải nghiệm phố cổ Hội An (Ảnh: TTXVN)", "Du khách trải nghiệm phố cổ Hội An",
     "TTXVN"),
    ("Du khách trải nghiệm phố cổ Hội An. Ảnh: HOÀI NHÂN", "Du khách trải nghiệm phố cổ Hội An.",
     "HOÀI NHÂN"),
    ("Wisatawan di Benteng Thang Long. Foto: Andi", "Wisatawan di Benteng Thang Long.", "Andi"),
])
def test_an_italic_line_under_a_picture_is_its_caption(printed: str, caption: str,
                                                       credit: str) -> None:
    picture = ('<p style="text-align: center;"><img src="/anh/hoi-an.jpg" alt=""></p>'
               f'<p style="text-align: center;"><em>{printed}</em></p>')
    a = run(f"<div><p>{P1}</p>{picture}<p>{P2}</p><p>{P3}</p></div>")
    assert [(i["caption"], i["credit"]) for i in a.images] == [(caption, credit)]
    assert a.body == "\n\n".join((P1, P2, P3))  # the caption is not body text


def test_an_italic_line_under_a_figure_without_figcaption() -> None:
    figure = ("<figure><img src='/anh/toa-dam.jpg' alt=''></figure>"
              "<p><em>Các đại biểu tại tọa đàm. (Ảnh: Ban tổ chức)</em></p>")
    a = run(f"<div><p>{P1}</p>{figure}<p>{P2}</p><p>{P3}</p></div>")
    assert [(i["caption"], i["credit"]) for i in a.images] == [
        ("Các đại biểu tại tọa đàm.", "Ban tổ chức")]
    assert "tọa đàm" not in a.body


def test_a_logo_of_icon_size_beside_the_source_is_no_article_image() -> None:
    info = ("<div><span><img src='/logo-bao-nhan-dan.png' alt='Báo Nhân dân' width='24' "
            "height='24'><span>Báo Nhân dân</span></span> <span>15/09/2023</span></div>")
    photo = "<figure><img src='/anh/cang.jpg'><figcaption>Cảng cá sáng thứ Tư</figcaption></figure>"
    a = run(f"<div>{info}<p>{P1}</p>{photo}<p>{P2}</p><p>{P3}</p></div>")
    assert [i["url"].rsplit("/", 1)[1] for i in a.images] == ["cang.jpg"]


def test_a_thumbnail_of_another_article_in_a_list_of_links_is_no_article_image() -> None:
    related = ("<section><h2>Cùng chủ đề</h2><ul><li><a href='/bai-khac.html'>"
               "<img src='/anh/bai-khac.jpg' alt=''></a><a href='/bai-khac.html'>Một bài khác "
               "về cảng cá</a></li></ul></section>")
    photo = ("<figure><a href='/anh/cang-lon.jpg'><img src='/anh/cang.jpg'></a>"
             "<figcaption>Cảng cá sáng thứ Tư</figcaption></figure>")
    a = run(f"<div><p>{P1}</p>{photo}<p>{P2}</p><p>{P3}</p>{related}</div>")
    assert [i["url"].rsplit("/", 1)[1] for i in a.images] == ["cang.jpg"]


def test_a_picture_whose_size_is_not_known_yet_is_kept() -> None:
    photo = ("<figure><img src='/anh/cang.jpg' width='570' height='0'>"
             "<figcaption>Cảng cá sáng thứ Tư</figcaption></figure>")
    a = run(f"<div><p>{P1}</p>{photo}<p>{P2}</p><p>{P3}</p></div>")
    assert [i["caption"] for i in a.images] == ["Cảng cá sáng thứ Tư"]


def test_an_author_box_titled_with_the_name() -> None:
    box = ("<div class='author-card'><h4>Jane Doe</h4><p>Jane covers ports and shipping "
           "for the paper.</p></div>")
    a = run(f"<div>{PARAS}</div>", after=box, lang="en")
    assert a.authors == ["Jane Doe"]
