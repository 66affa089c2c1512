"""The command group and the options every command shares."""

from __future__ import annotations

import click

from ..archive.store import DB_ENV


class BadArgument(click.ClickException):
    """A user's wrong argument: one line on stderr and exit status 2, as for click's own."""

    exit_code = 2


DB_OPTION = click.option(
    "--db", type=click.Path(dir_okay=False), envvar=DB_ENV, default=None,
    help="Archive file [default: $PORTAL_CRAWLER_DB or data/archive.db].",
)


@click.group()
@click.version_option(package_name="portal-crawler")
def main() -> None:
    """Crawl news portals with Scrapy into a SQLite archive researchers can trust."""
