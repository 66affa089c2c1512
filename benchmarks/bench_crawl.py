"""Crawl benchmark: the full crawl against its parts, on a synthetic replica.

    python benchmarks/bench_crawl.py                # 5,000 articles
    python benchmarks/bench_crawl.py --smoke        # 200 articles (CI)

The replica is served from its own process, politeness off. Printed, in the same run:
articles per second of the full crawl (`portal-crawler crawl`, real engine, real HTTP, real
SQLite), and the rates of a bare spider that only fetches the same pages, of `extract()` alone
and of the archive writer alone; the serial ceiling 1/(1/fetch + 1/extract + 1/write) and the
full crawl's share of it (target >= 0.8); the crawl process's peak RSS (target < 300 MB).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from portal_crawler.archive.store import Archive
from portal_crawler.extract import extract
from portal_crawler.items import RawPage
from portal_crawler.replica.generate import build_pages
from portal_crawler.replica.synth import synthesize

ROOT = Path(__file__).resolve().parent.parent
TARGET_SHARE = 0.8
TARGET_RSS_MB = 300
QUIET = ["-s", "LOG_LEVEL=WARNING", "-s", "PORTAL_CRAWLER_INCREMENTAL=False"]


def start_server(count: int, seed: int) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "serve_synthetic.py"), "--count",
         str(count), "--seed", str(seed)], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        raise SystemExit(f"replica did not start: {line!r}")
    return server, int(line.split()[1])


def full_crawl(port: int, db: Path, since: str, until: str) -> tuple[float, int, float]:
    """(articles/s from Scrapy's own elapsed time, articles, peak RSS MB of the crawl)."""
    subprocess.run([sys.executable, "-m", "portal_crawler", "crawl", "vietnam_vn",
                    "--replica", f"127.0.0.1:{port}", "--db", str(db), "--since", since,
                    "--until", until, *QUIET], check=True, cwd=ROOT)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with sqlite3.connect(db) as conn:
        stats, counts = conn.execute("select stats, counts from crawl_runs").fetchone()
    elapsed = json.loads(stats)["elapsed_time_seconds"]
    articles = json.loads(counts).get("new", 0)
    return articles / elapsed, articles, rss_mb


def bare_fetch(port: int, urls: list[str], folder: Path) -> float:
    listing = folder / "urls.txt"
    listing.write_text("\n".join(urls))
    stats_file = folder / "bare.json"
    code = (
        "import json, sys\n"
        "from scrapy.crawler import CrawlerProcess\n"
        "from portal_crawler.crawl import project_settings\n"
        "from portal_crawler.settings import REPLICA_PROFILE\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "from bare_fetch_spider import BareFetchSpider\n"
        "settings = project_settings(**REPLICA_PROFILE, LOG_LEVEL='WARNING',\n"
        f"    PORTAL_CRAWLER_REPLICA='127.0.0.1:{port}')\n"
        "process = CrawlerProcess(settings)\n"
        f"crawler = process.create_crawler(BareFetchSpider)\n"
        f"process.crawl(crawler, urls={str(listing)!r})\n"
        "process.start()\n"
        f"open({str(stats_file)!r}, 'w').write(json.dumps(crawler.stats.get_stats(), "
        "default=str))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    stats = json.loads(stats_file.read_text())
    return stats["response_received_count"] / stats["elapsed_time_seconds"]


def synthetic_articles(count: int, seed: int) -> tuple[list[date], list[str],
                                                         list[tuple[str, bytes]]]:
    """The synthetic site's days, article URLs and (URL, page bytes): what the crawl benchmarks
    compare a crawl against, printed as one line."""
    site = synthesize(count, seed=seed)
    days = sorted({v.lastmod.date() for v in site.articles})
    pages = {path: r for path, r in build_pages(site).items()
             if r.content_type.startswith("text/html")}
    article_paths = {v.url.split("www.vietnam.vn", 1)[1] for v in site.articles}
    urls = [f"https://www.vietnam.vn{p}" for p in pages if p in article_paths]
    bodies = [(u, pages[u.split("www.vietnam.vn", 1)[1]].body) for u in urls]
    print(f"synthetic replica: {len(urls):,} article pages over {len(days)} days")
    return days, urls, bodies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="200 articles")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count = 200

    days, urls, bodies = synthetic_articles(args.count, args.seed)

    server, port = start_server(args.count, args.seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            full, archived, rss = full_crawl(port, folder / "full.db", str(days[0]),
                                             str(days[-1]))
            fetch = bare_fetch(port, urls, folder)

            start = time.perf_counter()
            articles = [extract(body, url, fetched_at="2023-09-16T12:00:00+00:00")
                        for url, body in bodies]
            extract_rate = len(articles) / (time.perf_counter() - start)

            archive = Archive.open_writer(folder / "writer.db", purpose="benchmark")
            raw = [RawPage(url=u, status=200, body=b, fetched_at="2023-09-16T12:00:00+00:00")
                   for u, b in bodies]
            start = time.perf_counter()
            for i in range(0, len(articles), 50):  # the pipeline's batch size
                archive.save_pages(raw[i : i + 50])
                archive.save_articles(articles[i : i + 50])
            write_rate = len(articles) / (time.perf_counter() - start)
            archive.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    ceiling = 1 / (1 / fetch + 1 / extract_rate + 1 / write_rate)
    share = full / ceiling
    print(f"full crawl:        {full:9,.1f} articles/s ({archived:,} archived)")
    print(f"bare fetch:        {fetch:9,.1f} pages/s")
    print(f"extract() alone:   {extract_rate:9,.1f} pages/s")
    print(f"archive writer:    {write_rate:9,.1f} articles/s (with raw pages)")
    print(f"serial ceiling:    {ceiling:9,.1f} articles/s")
    print(f"full / ceiling:    {share:9.2f}  (target >= {TARGET_SHARE}) "
          f"{'ok' if share >= TARGET_SHARE else 'MISSED'}")
    print(f"crawl peak RSS:    {rss:9,.0f} MB  (target < {TARGET_RSS_MB} MB) "
          f"{'ok' if rss < TARGET_RSS_MB else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
