from __future__ import annotations

import pytest

from portal_crawler.normalize import split_caption

KCNA = (
    "Pemimpin Korea Utara Kim Jong Un memimpin Menteri Pertahanan Rusia Sergei Shoigu dan "
    "delegasinya untuk mengunjungi pameran senjata di Pyongyang pada 26 Juli."
)


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        (f"{KCNA} (Sumber: KCNA)", KCNA, "KCNA"),
        (f"{KCNA} (Sumber: KCNA){KCNA} (Sumber: KCNA)", KCNA, "KCNA"),  # printed twice
        ("Quang cảnh hội nghị. (Ảnh: Tuấn Anh)", "Quang cảnh hội nghị.", "Tuấn Anh"),
        ("Quang cảnh hội nghị. (Nguồn: AFP)", "Quang cảnh hội nghị.", "AFP"),
        ("The summit. (Photo: Reuters)", "The summit.", "Reuters"),
        ("정상회담 (사진: 연합뉴스)", "정상회담", "연합뉴스"),
        ("Cảnh ở Hà Nội. Ảnh: TTXVN", "Cảnh ở Hà Nội.", "TTXVN"),
        ("Photo: Reuters", None, "Reuters"),
        ("Ảnh minh họa", "Ảnh minh họa", None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_split_caption(text: str | None, caption: str | None, credit: str | None) -> None:
    assert split_caption(text) == (caption, credit)


@pytest.mark.parametrize("text", [f"{KCNA} (Sumber: KCNA)", "Cảnh ở Hà Nội. Ảnh: TTXVN"])
def test_split_caption_is_idempotent_on_its_caption(text: str) -> None:
    caption, _ = split_caption(text)
    assert split_caption(caption) == (caption, None)


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        ("Lễ khai mạc diễn đàn Ảnh: TTXVN", "Lễ khai mạc diễn đàn", "TTXVN"),
        ("김정은 위원장이 방문했다. (사진: 연합뉴스)", "김정은 위원장이 방문했다.", "연합뉴스"),
        ("金正恩视察武器展。（图片：朝中社）", "金正恩视察武器展。", "朝中社"),
        ("ผู้นำเกาหลีเหนือ (ภาพ: KCNA)", "ผู้นำเกาหลีเหนือ", "KCNA"),
        ("Lễ khai mạc diễn đàn ảnh: đẹp", "Lễ khai mạc diễn đàn ảnh: đẹp", None),
        # vnexpress.net and e.vnexpress.net (VIETNAMESE_PORTALS.md: "Ảnh: …", "Video: …").
        ("Lốc xoáy ở Sa Pa chiều 3/3. Video: Người dân cung cấp", "Lốc xoáy ở Sa Pa chiều 3/3.",
         "Người dân cung cấp"),
        ("A bus in Hanoi, March 1. Photo by VnExpress/Giang Huy", "A bus in Hanoi, March 1.",
         "VnExpress/Giang Huy"),
        ("Photo by Reuters", None, "Reuters"),
        ("A photo by the lake", "A photo by the lake", None),
    ],
)
def test_credits_in_other_scripts_and_plain_style(text: str, caption: str,
                                                  credit: str | None) -> None:
    assert split_caption(text) == (caption, credit)
