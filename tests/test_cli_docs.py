"""docs/cli.md is generated from --help; a command without docs or an example fails here.

Regenerate after changing a command: python tests/test_cli_docs.py
"""

from __future__ import annotations

from pathlib import Path

import click

from portal_crawler.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADER = """# Command line reference

Generated from `portal-crawler COMMAND --help` by `python tests/test_cli_docs.py`; the tests
fail when a command is missing here or its help changed. Every command takes `--db` (default
`$PORTAL_CRAWLER_DB`, else `data/archive.db`). See [analysts.md](analysts.md) for recipes.
"""


def command_help(name: str) -> str:
    command = main.commands[name]
    parent = click.Context(main, info_name="portal-crawler")
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=100,
                        max_content_width=100)
    return command.get_help(ctx)


def render() -> str:
    sections = [HEADER]
    for name in sorted(main.commands):
        sections.append(f"## portal-crawler {name}\n\n```\n{command_help(name)}\n```\n")
    return "\n".join(sections)


def test_every_command_has_an_example():
    for name, command in main.commands.items():
        assert "Example:" in (command.help or ""), f"`{name}` help has no example"


def test_every_command_is_documented_as_its_help_says():
    text = DOCS.read_text(encoding="utf-8")
    for name in main.commands:
        assert f"## portal-crawler {name}\n" in text, f"docs/cli.md lacks `{name}`"
        assert command_help(name) in text, (
            f"docs/cli.md is stale for `{name}`: run python tests/test_cli_docs.py")


if __name__ == "__main__":
    DOCS.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS}")
