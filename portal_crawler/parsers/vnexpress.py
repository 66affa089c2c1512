"""vnexpress.net and e.vnexpress.net article pages (placeholder until the page object lands)."""

from __future__ import annotations

from .base import Fields, Page

NAME = "vnexpress"
VERSION = 1


def parse(page: Page) -> Fields:
    return {}
