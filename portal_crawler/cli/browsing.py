"""`browse`: Datasette on 127.0.0.1, read-only (immutable), documented, with canned queries."""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

import click

from .analysis import reading
from .app import DB_OPTION, main


@main.command()
@DB_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser.")
def browse(db: str | None, port: int, open_browser: bool) -> None:
    """Browse the archive with Datasette on 127.0.0.1, read-only, with every table and
    column documented and canned queries (search, articles per day per edition, top sources,
    articles without a date, articles changed after publication).

    Needs the `browse` extra: pip install 'portal-crawler[browse]'.

    Example: portal-crawler browse --db data/archive.db --port 8001
    """
    from ..browse import INSTALL_HINT, metadata

    if importlib.util.find_spec("datasette") is None:
        raise click.ClickException(INSTALL_HINT)
    with reading(db) as archive:  # an archive this code can read, before serving it
        path = archive.path.resolve()
    from datasette.cli import cli as datasette_cli
    from datasette.plugins import pm

    from ..browse import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="portal_crawler_search")
    with tempfile.TemporaryDirectory(prefix="portal-crawler-browse-") as folder:
        meta = Path(folder) / "metadata.json"
        meta.write_text(json.dumps(metadata(path.stem), ensure_ascii=False), encoding="utf-8")
        args = ["serve", "--immutable", str(path), "--metadata", str(meta),
                "--host", "127.0.0.1", "--port", str(port),
                "--setting", "sql_time_limit_ms", "5000"]
        if open_browser:
            args.append("--open")
        where = f"http://127.0.0.1:{port}/" if port else "a free port of 127.0.0.1"
        click.echo(f"serving {path} read-only on {where} (Ctrl-C stops)", err=True)
        datasette_cli.main(args=args, prog_name="datasette", standalone_mode=False)
