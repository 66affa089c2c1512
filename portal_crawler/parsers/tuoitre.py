"""tuoitre.vn article pages: `.detail-cmain` holding `h2.detail-sapo` and
`div.detail-content.afcbc-body` (VIETNAMESE_PORTALS.md), with the CMS's inserted boxes
("Đọc tiếp", "Về trang Chủ đề", the author's box, the tabs) left out. Every class name is a
hint; the structure in vn_common.py finds each field without them."""

from __future__ import annotations

from .base import Fields, Page
from .vn_common import DailyPage

NAME = "tuoitre"
VERSION = 1


class ArticlePage(DailyPage):
    BODY = (".detail-cmain .detail-content", ".detail-content.afcbc-body", ".detail-content")
    SAPO = ("h2.detail-sapo", ".detail-sapo")
    DROP = frozenset({"readmore-body-box", "detail-tab", "box-author-detail",
                      "detail-author-bot"})


def parse(page: Page) -> Fields:
    return ArticlePage(page).to_item()
