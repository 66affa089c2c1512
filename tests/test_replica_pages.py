"""The replica's article pages: coverage of editions, sections and the variants of issue 3."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from lxml import html

from portal_crawler.identity import article_slug
from portal_crawler.replica.content import load_site, section_of
from portal_crawler.replica.generate import build_site

GOLDEN = Path(__file__).resolve().parent / "pages" / "vietnam_vn"
# Words a search test can look for (docs/replica.md): they are in these pages' bodies.
SEARCH_WORDS = {
    "zh_dong_gop_y_kien": ["形象", "传播", "旅游"],
    "zh_hoi_an_than_thien": ["会安", "旅游", "古城"],
    "th_thay_doi_cach_quang_ba": ["ภาพลักษณ์", "เวียดนาม", "การท่องเที่ยว"],
    "th_ngay_du_lich": ["การท่องเที่ยว", "นักท่องเที่ยว", "มรดก"],
    "vi_nfd_vinh_ha_long": ["Hạ Long", "Đường"],
}


def expected(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))


def page(name: str) -> html.HtmlElement:
    return html.fromstring((GOLDEN / f"{name}.html").read_bytes())


def test_coverage_pages_editions_sections_days() -> None:
    site = load_site()
    assert len(site.articles) >= 30
    assert {v.edition for v in site.articles} >= {"vi", "en", "id", "zh-cn", "th", "ja", "ko"}
    sections = {v.record["category"] for v in site.articles}
    assert len(sections) >= 4
    assert len({v.day for v in site.articles}) >= 5
    assert len({v.url for v in site.articles}) == len(site.articles)
    assert len({v.name for v in site.articles}) == len(site.articles)
    assert any(section_of(site, v) for v in site.articles)


def test_every_page_is_served_on_every_host() -> None:
    site = load_site()
    served = build_site(site=site)
    for view in site.articles:
        for host in site.hosts:
            assert served[(host, view.path)].status == 200


def test_older_template_has_trailing_slash_and_breadcrumb() -> None:
    item = expected("vi_legacy_xuat_khau_gao")
    assert item["url"].endswith("/") and not item["canonical_url"].endswith("/")
    assert item["breadcrumbs"] == ["Trang chủ", "News", "Kinh tế"]
    assert item["section"] == "Kinh tế"
    tree = page("vi_legacy_xuat_khau_gao")
    assert not tree.xpath("//*[contains(@class, 'post-detail-container')]")
    crumbs = tree.xpath("//div[@class='breadcrumb']")[0].text_content()
    assert crumbs == "Trang chủ › News › Kinh tế"


def test_metadata_variants() -> None:
    site = load_site()
    by_name = {v.name: v for v in site.articles}
    with_ld = [n for n, v in by_name.items() if v.meta["jsonld"]]
    without_og = [n for n, v in by_name.items() if not v.meta["og"]]
    without_hreflang = [n for n, v in by_name.items() if not v.meta["hreflang"]]
    assert with_ld and without_og and without_hreflang
    for name in with_ld:
        tree = page(name)
        (script,) = tree.xpath("//script[@type='application/ld+json']/text()")
        data = json.loads(script)
        item = expected(name)
        assert data["@type"] == "NewsArticle"
        assert data["datePublished"] == item["date_published"]
        assert data.get("articleSection") == item["section"]
    for name in without_og:
        assert not page(name).xpath("//meta[starts-with(@property, 'og:')]")
    for name in without_hreflang:
        assert not page(name).xpath("//link[@hreflang]")
        assert expected(name)["translations"] == {}


def test_editions_linked_only_by_slug_and_a_suffixed_edition() -> None:
    vi, zh = expected("vi_hoi_an_than_thien"), expected("zh_hoi_an_than_thien")
    assert vi["translations"] == zh["translations"] == {}
    assert zh["url"].endswith("-2")
    assert article_slug(vi["url"]) == article_slug(zh["url"])
    en = expected("en_vingroup_korea")
    assert en["url"].endswith("-3") and "vi" in en["translations"]


def test_dates_authors_and_text_variants() -> None:
    assert expected("vi_hoang_thanh_tour_dem")["date_published"] == "2023-09-14T10:30:00+07:00"
    assert expected("vi_hoang_thanh_tour_dem")["date_published_raw"] == "10:30 14/09/2023"
    assert expected("vi_hang_ma_trung_thu")["date_published"] == "2023-09-15"
    assert expected("zh_hoi_an_than_thien")["date_published_raw"] == "2023年9月14日"
    relative = expected("vi_relative_pho_di_bo")
    assert relative["date_published_raw"] == "2 giờ trước"
    assert relative["fetched_at"] == "2023-09-16T05:00:00+00:00"
    assert relative["date_published"] == "2023-09-16T10:00:00+07:00"
    assert expected("vi_hang_ma_trung_thu")["authors"] == ["Hoàng Lân", "Minh Phương"]
    assert expected("en_hang_ma_mid_autumn")["authors"] == ["Hoang Lan", "Minh Phuong"]
    assert expected("id_no_image_ekspor_kopi")["images"] == []
    raw = (GOLDEN / "vi_nfd_vinh_ha_long.html").read_text("utf-8")
    assert not unicodedata.is_normalized("NFC", raw)
    assert unicodedata.is_normalized("NFC", json.dumps(expected("vi_nfd_vinh_ha_long")))


def test_captions_credits_ads_and_links() -> None:
    credits = {"KCNA", "Organizing Committee", "Ban tổ chức", "한국관광공사", "组委会", "D.H."}
    found = {i["credit"] for p in GOLDEN.glob("*.json") for i in expected(p.stem)["images"]}
    assert credits <= found
    text = " ".join(p.read_text("utf-8") for p in GOLDEN.glob("*.html"))
    for printed in ("(Sumber: KCNA)", "(Ảnh: Ban tổ chức)", "(Photo: Organizing Committee)",
                    "(사진: 한국관광공사)", "(图: 组委会)", "Photo: D.H.", "[iklan_1]", "[ad_1]",
                    "[quảng_cáo_1]", "[广告_1]", "[광고_1]", "[โฆษณา_1]", "[広告_1]"):
        assert printed in text, printed
    twice = (GOLDEN / "en_dong_gop_y_kien.html").read_text("utf-8")
    assert twice.count(">Discussion on contributing ideas") == 2  # figcaption + repeated <p>
    relations = {link["relation"] for p in GOLDEN.glob("*.json")
                 for link in expected(p.stem)["related_links"]}
    assert relations == {"related_box", "inline", "source", "same_topic", "same_category",
                         "same_author"}
    assert page("en_dong_gop_y_kien").xpath("//*[@class='post-detail-legal']/p")


def test_search_words_are_in_the_bodies() -> None:
    for name, words in SEARCH_WORDS.items():
        item = expected(name)
        body = item["body"] + " " + item["headline"]
        for word in words:
            assert word in body, (name, word)
