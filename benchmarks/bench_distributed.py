"""Distributed crawl benchmark: one process against `crawl --workers 2`, on a synthetic replica.

    python benchmarks/bench_distributed.py              # 3,000 articles
    python benchmarks/bench_distributed.py --smoke      # 100 articles (CI)

The replica is served from its own process, politeness off. Printed, in one run: articles per
second of `portal-crawler crawl` in one process and with `--workers 2` (its private
redis-server, two workers, the writer), both over the command's wall time (start-up
included); the writer alone (`ingest` of a filled stream into SQLite); the ratio `--workers 2`
/ 1 process (target >= 1.3 on 2 cores); the serial ceiling 1/(1/fetch + 1/extract + 1/write)
of one process (bench_crawl.py's parts) and each crawl's share of it. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from bench_crawl import QUIET, ROOT, bare_fetch, start_server, synthetic_articles

from portal_crawler.archive.store import Archive
from portal_crawler.distributed.run import STREAM_GROUP, RunKeys, identity
from portal_crawler.distributed.server import RedisServer
from portal_crawler.distributed.worker import encode
from portal_crawler.distributed.writer import Writer
from portal_crawler.extract import extract
from portal_crawler.items import RawPage

TARGET_RATIO = 1.3
FETCHED_AT = "2023-09-16T12:00:00+00:00"


def crawl(port: int, db: Path, since: str, until: str, *extra: str) -> tuple[float, int]:
    """(articles/s over the command's wall time, articles archived)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "portal_crawler", "crawl", "vietnam_vn",
                    "--replica", f"127.0.0.1:{port}", "--db", str(db), "--since", since,
                    "--until", until, *QUIET, *extra], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    with sqlite3.connect(db) as conn:
        articles = conn.execute("select count(*) from articles").fetchone()[0]
    return articles / elapsed, articles


def writer_alone(folder: Path, bodies: list[tuple[str, bytes]]) -> float:
    """Articles/s of the writer draining a stream that holds every article and raw page."""
    articles = [extract(body, url, fetched_at=FETCHED_AT) for url, body in bodies]
    with RedisServer(folder / "redis", fsync="everysec") as server:
        client = redis.Redis(port=server.port)
        keys = RunKeys("bench")
        client.hset(keys.meta, "identity", json.dumps(identity("vietnam_vn", {}, None)))
        pipe = client.pipeline()
        for article, (url, body) in zip(articles, bodies, strict=True):
            page = RawPage(url=url, status=200, body=body, fetched_at=FETCHED_AT)
            pipe.xadd(keys.stream, encode("article", (article, page)))
        pipe.execute()
        with Archive.open_writer(folder / "writer.db", purpose="benchmark") as archive:
            writer = Writer(client, keys, archive, block_ms=1)
            writer.ensure_group()
            start = time.perf_counter()
            while entries := writer.read():
                writer.apply(entries)
            rate = len(articles) / (time.perf_counter() - start)
        assert client.xpending(keys.stream, STREAM_GROUP)["pending"] == 0
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="100 articles")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count = 100

    days, urls, bodies = synthetic_articles(args.count, args.seed)

    server, port = start_server(args.count, args.seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            window = (str(days[0]), str(days[-1]))
            single, single_n = crawl(port, folder / "single.db", *window)
            workers, workers_n = crawl(port, folder / "workers.db", *window, "--workers", "2")
            write = writer_alone(folder, bodies)
            fetch = bare_fetch(port, urls, folder)
            start = time.perf_counter()
            for url, body in bodies:
                extract(body, url, fetched_at=FETCHED_AT)
            extract_rate = len(bodies) / (time.perf_counter() - start)
    finally:
        server.terminate()
        server.wait(timeout=10)

    ceiling = 1 / (1 / fetch + 1 / extract_rate + 1 / write)
    ratio = workers / single
    print(f"1 process:          {single:9,.1f} articles/s ({single_n:,} archived)")
    print(f"--workers 2:        {workers:9,.1f} articles/s ({workers_n:,} archived)")
    print(f"writer alone:       {write:9,.1f} articles/s (stream -> SQLite, raw pages too)")
    print(f"workers 2 / 1:      {ratio:9.2f}  (target >= {TARGET_RATIO} on 2 cores) "
          f"{'ok' if ratio >= TARGET_RATIO else 'MISSED'}")
    print(f"serial ceiling:     {ceiling:9,.1f} articles/s (fetch {fetch:,.0f}, extract "
          f"{extract_rate:,.0f}, write {write:,.0f} per s)")
    print(f"1 process / ceil:   {single / ceiling:9.2f}")
    print(f"workers 2 / ceil:   {workers / ceiling:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
