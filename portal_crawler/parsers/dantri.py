"""dantri.com.vn article pages: `article` holding `.singular-sapo` and `.singular-content`
(VIETNAMESE_PORTALS.md); the lead opens with the paper's dateline "(Dân trí) - ", which is
not prose. Every class name is a hint; the structure in vn_common.py finds each field
without them."""

from __future__ import annotations

import re

from .base import Fields, Page
from .vn_common import DailyPage

NAME = "dantri"
VERSION = 1


class ArticlePage(DailyPage):
    BODY = ("article .singular-content", ".singular-content")
    SAPO = (".singular-sapo",)
    DATELINE = re.compile(r"^\(\s*Dân\s+trí\s*\)\s*[-–—]\s*")


def parse(page: Page) -> Fields:
    return ArticlePage(page).to_item()
