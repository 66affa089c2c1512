"""The command group and the options every command shares."""

from __future__ import annotations

from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from ..archive.store import DB_ENV


class BadArgument(click.ClickException):
    """A user's wrong argument: one line on stderr and exit status 2, as for click's own."""

    exit_code = 2


DB_OPTION = click.option(
    "--db", type=click.Path(dir_okay=False), envvar=DB_ENV, default=None,
    help="Archive file [default: $PORTAL_CRAWLER_DB or data/archive.db].",
)


class OneLineUsage(click.Group):
    """click's usage errors (a bad option value, a missing argument, an unknown command) as
    one line naming where help is, exit status 2, instead of the usage block."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None


def _one_line(exc: click.UsageError) -> click.ClickException:
    if isinstance(exc, NoArgsIsHelpError):  # `portal-crawler` alone: the help is the answer
        return exc
    where = f" (see {exc.ctx.command_path} --help)" if exc.ctx else ""
    return BadArgument(" ".join(exc.format_message().split()) + where)


@click.group(cls=OneLineUsage)
@click.version_option(package_name="portal-crawler")
def main() -> None:
    """Crawl news portals with Scrapy into a SQLite archive researchers can trust."""
