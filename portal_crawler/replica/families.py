"""Template families: the same content records in other markup, as a redesign would print them.

Nobody here has seen how vietnam.vn marks up its related lists, captions, source trailer or
legal footer (VIETNAM_VN.md: guesses), so the parser is held to several plausible markups of
the same records. A family switches a few markup choices of `article.html`; everything else,
and the expected Article, stays that of the record. The demo replica never serves a family
unless asked (`build_site(family=...)`, `generate --family`).
"""

from __future__ import annotations

# Markup choices of the default template (the pages in tests/pages/vietnam_vn).
DEFAULT_MARKUP: dict[str, str] = {
    "related": "list",  # heading + <ul> of items with `a.v-link-title`
    "box": "callout",  # the source paper's related box: div[type=RelatedOneNews] > a
    "caption": "figure",  # figure > img + figcaption
    "legal": "container",  # the ministry's footer after the article (legal_in_container)
    "trailer": "link",  # <p><a href=source>Nguồn</a></p>
}

FAMILIES: dict[str, dict[str, str]] = {
    # related items as sibling blocks after their heading, no wrapping list
    "related_siblings": {"related": "siblings"},
    # related lists with no class (nor id) anywhere, not even the confirmed `v-link-title`
    "related_bare": {"related": "bare"},
    # the inline related box in a plain div, a table, a list
    "box_div": {"box": "div"},
    "box_table": {"box": "table"},
    "box_list": {"box": "ul"},
    # WordPress [caption]: div.wp-caption > img + p.wp-caption-text
    "caption_wordpress": {"caption": "wordpress"},
    # a two-row table: the image, then its caption
    "caption_table": {"caption": "table"},
    # <p><img></p> then the caption as a centred, italic paragraph
    "caption_after": {"caption": "after"},
    # the ministry's footer and a "Nguồn: <paper>" line inside the body container
    "legal_in_body": {"legal": "body"},
    # "<label>: <a>paper</a>", the label in the edition's words
    "trailer_named": {"trailer": "named"},
}

# Records stored as golden pages per family (tests/pages/vietnam_vn_families): pages where the
# family's markup shows (related lists, boxes, images), spread over the editions.
GOLDEN: dict[str, tuple[str, ...]] = {
    "related_siblings": ("vi_ngay_du_lich", "vi_hang_ma_trung_thu", "en_nga_trieu_tien"),
    "related_bare": ("vi_relative_pho_di_bo", "id_sample_nga_trieu_tien", "en_dong_gop_y_kien"),
    "box_div": ("vi_nga_trieu_tien", "en_viet_my_doi_tac"),
    "box_table": ("id_sample_nga_trieu_tien", "vi_viet_my_doi_tac"),
    "box_list": ("en_nga_trieu_tien", "vi_viet_my_doi_tac"),
    "caption_wordpress": ("en_dong_gop_y_kien", "ja_vingroup_korea", "ko_luong_khach"),
    "caption_table": ("en_vingroup_korea", "th_ngay_du_lich", "zh_dong_gop_y_kien"),
    "caption_after": ("en_dong_gop_y_kien", "vi_thay_doi_cach_quang_ba",
                      "id_hoang_thanh_tur_malam"),
    "legal_in_body": ("vi_nga_trieu_tien", "en_chip_ban_dan", "id_no_image_ekspor_kopi"),
    "trailer_named": ("vi_luong_khach", "en_luong_khach", "id_vingroup_korea", "fr_chip_ban_dan",
                      "ja_vingroup_korea", "ko_luong_khach", "th_ngay_du_lich",
                      "zh_hoi_an_than_thien"),
}


def markup(family: str | None) -> dict[str, str]:
    """The markup choices of a family (None: the default template)."""
    if family is None:
        return dict(DEFAULT_MARKUP)
    if family not in FAMILIES:
        raise ValueError(f"unknown template family {family!r}; known: {', '.join(FAMILIES)}")
    return {**DEFAULT_MARKUP, **FAMILIES[family]}
