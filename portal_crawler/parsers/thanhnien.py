"""thanhnien.vn article pages: the body in `.detail-content` (the current template) or
`.detail__content` (the older one), the lead in `.detail-sapo` (VIETNAMESE_PORTALS.md). Every
class name is a hint; the structure in vn_common.py finds each field without them."""

from __future__ import annotations

from .base import Fields, Page
from .vn_common import DailyPage

NAME = "thanhnien"
VERSION = 1


class ArticlePage(DailyPage):
    BODY = (".detail-content", ".detail__content")
    SAPO = (".detail-sapo",)


def parse(page: Page) -> Fields:
    return ArticlePage(page).to_item()
