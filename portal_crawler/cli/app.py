"""The command group and the options every command shares."""

from __future__ import annotations

import os
import sys
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
            result = super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except BrokenPipeError:  # `| head`: the reader left, as it meant to
            _reader_left()
            sys.exit(0)
        except SystemExit:  # a command's own exit status stands, pipe closed or not
            _flush_stdout()
            raise
        _flush_stdout()
        return result


def _flush_stdout() -> None:
    """Write what is buffered now, while a closed pipe can still end quietly."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_left()


def _reader_left() -> None:
    """The reader of standard output is gone: what is left to write goes nowhere, so that
    neither a later flush nor the interpreter's exit reports a broken pipe. Exit status 0,
    as `cat`'s output to `head` is not the user's error (docs/analysts.md)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _one_line(exc: click.UsageError) -> click.ClickException:
    if isinstance(exc, NoArgsIsHelpError):  # `portal-crawler` alone: the help is the answer
        return exc
    where = f" (see {exc.ctx.command_path} --help)" if exc.ctx else ""
    return BadArgument(" ".join(exc.format_message().split()) + where)


@click.group(cls=OneLineUsage)
@click.version_option(package_name="portal-crawler")
def main() -> None:
    """Crawl news portals with Scrapy into a SQLite archive researchers can trust."""
