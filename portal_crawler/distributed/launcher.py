"""`crawl --workers N`: N worker processes, the writer in this process, and a private
redis-server when no --frontier is given: one machine's cores on one crawl."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .server import RedisServer


def worker_command(spider: str, arguments: dict[str, Any], frontier: str,
                   replica: str | None, settings: dict[str, Any]) -> list[str]:
    """The `portal-crawler crawl` line of one worker (what a remote machine would run)."""
    command = [sys.executable, "-m", "portal_crawler", "crawl", spider]
    for name, value in arguments.items():
        if value not in (None, ""):
            command += [f"--{name.replace('_', '-')}", str(value)]
    if replica:
        command += ["--replica", replica]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return [*command, "--frontier", frontier]


class Workers:
    """The worker processes (and the private Redis) of one `crawl --workers N`."""

    def __init__(self, count: int, frontier: str | None) -> None:
        self.count = count
        self.frontier = frontier
        self.server: RedisServer | None = None
        self.folder: Path | None = None
        self.processes: list[subprocess.Popen[bytes]] = []

    def start_frontier(self) -> str:
        if self.frontier is None:
            self.folder = Path(tempfile.mkdtemp(prefix="portal-crawler-redis-"))
            # A private frontier: losing its last second to a crash costs a rerun, not data.
            self.server = RedisServer(self.folder, fsync="everysec").start()
            self.frontier = self.server.url
        return self.frontier

    def start(self, command: list[str]) -> None:
        self.processes = [subprocess.Popen(command, stdin=subprocess.DEVNULL)
                          for _ in range(self.count)]

    def alive(self) -> bool:
        return any(p.poll() is None for p in self.processes)

    def stop(self, interrupted: bool) -> None:
        for process in self.processes:
            if interrupted and process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.server is not None:
            self.server.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
