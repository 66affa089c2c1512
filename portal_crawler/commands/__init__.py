"""Scrapy's debugging commands for this project (COMMANDS_MODULE): `shell`, `parse`, `check`,
`fetch`, `view` and `bench` look at pages; they never take the archive's writer lock nor
record a run, so a cron crawl is never refused because someone has a shell open.

Each module subclasses Scrapy's own command of the same name (a project command overrides the
built-in one) and only switches PORTAL_CRAWLER_WRITE_ARCHIVE off, at the command line's
priority so that no project or `-s` setting turns it back on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

WRITE_SETTING = "PORTAL_CRAWLER_WRITE_ARCHIVE"


class ReadOnly:
    """Mixin for a ScrapyCommand: the crawl it runs leaves the archive alone."""

    settings: Any

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)  # type: ignore[misc]
        self.settings.set(WRITE_SETTING, False, priority="cmdline")
