"""Incremental crawl benchmark: what a daily re-run fetches.

    python benchmarks/bench_incremental.py            # 1,000 synthetic articles
    python benchmarks/bench_incremental.py --smoke    # 100 (CI)

Run 1 crawls a synthetic replica into a fresh archive; run 2 crawls the unchanged replica again
(target: under 5% of run 1's article pages fetched); then the replica edits 10 articles and
adds 20, and run 3 must fetch and archive exactly those. Real engine, real HTTP on loopback,
real SQLite; the project's clock is later than the replica's days, so nothing is inside the
revisit window. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from portal_crawler.replica.content import SiteData
from portal_crawler.replica.generate import build_site
from portal_crawler.replica.server import ReplicaServer
from portal_crawler.replica.synth import add, edit, synthesize

ROOT = Path(__file__).resolve().parent.parent
TARGET_SHARE = 0.05


def article_paths(site: SiteData) -> set[str]:
    return {v.url.split("www.vietnam.vn", 1)[1] for v in site.articles}


def crawl(site: SiteData, db: Path, window: tuple[str, str]) -> tuple[set[str], dict]:
    """Article paths fetched by one crawl, and the run's counts."""
    paths = article_paths(site)
    with ReplicaServer(build_site(site=site)) as server:
        subprocess.run([sys.executable, "-m", "portal_crawler", "crawl", "vietnam_vn",
                        "--replica", f"127.0.0.1:{server.port}", "--db", str(db),
                        "--since", window[0], "--until", window[1],
                        "-s", "LOG_LEVEL=WARNING"], check=True, cwd=ROOT)
        fetched = {path for _, _, path in server.requests if path in paths}
    with sqlite3.connect(db) as conn:
        (counts,) = conn.execute("select counts from crawl_runs order by id desc").fetchone()
    return fetched, json.loads(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="100 articles")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count = 100

    site = synthesize(args.count, seed=args.seed)
    days = sorted({v.lastmod.date() for v in site.articles})
    window = (str(days[0]), str(days[-1]))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.db"
        first, counts1 = crawl(site, db, window)
        second, counts2 = crawl(site, db, window)
        changed = add(edit(site, 10, seed=args.seed), 20, seed=args.seed)
        before = {v.url: v.lastmod for v in site.articles}
        expected = {v.url.split("www.vietnam.vn", 1)[1] for v in changed.articles
                    if before.get(v.url) != v.lastmod}
        third, counts3 = crawl(changed, db, window)

    share = len(second) / max(1, len(first))
    print(f"run 1 (new archive):       {len(first):6,} article pages fetched  {counts1}")
    print(f"run 2 (unchanged replica): {len(second):6,} article pages fetched  {counts2}"
          f"  = {share:.1%} of run 1 (target < {TARGET_SHARE:.0%}) "
          f"{'ok' if share < TARGET_SHARE else 'MISSED'}")
    exact = third == expected
    print(f"run 3 (10 edited, 20 added): {len(third):4,} article pages fetched  {counts3}")
    print(f"  fetched exactly the {len(expected)} edited and added pages: "
          f"{'yes' if exact else 'NO'}"
          + ("" if exact else f" (extra {len(third - expected)}, missing "
                              f"{len(expected - third)})"))
    archived = counts3.get("new", 0) == 20 and counts3.get("updated", 0) == 10
    print(f"  archived 20 new and 10 updated: {'yes' if archived else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
