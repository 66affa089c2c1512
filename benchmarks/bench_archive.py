"""Archive benchmark: the writer against plain sqlite3, search latency, raw-page compression.

    python benchmarks/bench_archive.py              # 100,000 synthetic articles
    python benchmarks/bench_archive.py --smoke      # 2,000 (CI)

Writes: the synthetic replica's expected Articles (realistic text: distinct paragraphs, a
long-tailed vocabulary) through `Archive.save_articles` in batches, and in the same run the
same rows through a plain sqlite3 `executemany` into the same tables and FTS index (rows
prepared before the clock starts: the ceiling of the database itself). Target: writer rate at
least 0.7 of the baseline. Search: p50/p95 over 200 seeded two-word queries whose terms each
match under 5% of articles (target p95 under 50 ms), frequent-term queries apart. Pages: stored
raw pages as a share of their size (target under 20%). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from portal_crawler.archive.rows import article_row, search_row
from portal_crawler.archive.schema import migrate
from portal_crawler.archive.store import Archive
from portal_crawler.article import Article
from portal_crawler.items import RawPage
from portal_crawler.replica.generate import build_pages
from portal_crawler.replica.synth import expected_articles, synthesize

BATCH = 500
TARGET_RATIO = 0.7
TARGET_P95_MS = 50.0
TARGET_PAGE_SHARE = 0.20


def make_articles(count: int, seed: int) -> list[Article]:
    site = synthesize(count, seed=seed)
    return [Article.from_dict(d) for d in expected_articles(site)]


def bench_writer(articles: list[Article], path: Path) -> float:
    archive = Archive.open_writer(path, purpose="benchmark")
    start = time.perf_counter()
    for i in range(0, len(articles), BATCH):
        archive.save_articles(articles[i : i + BATCH])
    elapsed = time.perf_counter() - start
    archive.close()
    return len(articles) / elapsed


def baseline_rows(articles: list[Article]) -> dict[str, list[tuple]]:
    """Exactly the rows the writer stores, ready for executemany."""
    rows: dict[str, list[tuple]] = {"articles": [], "images": [], "links": [],
                                    "translations": [], "article_search": []}
    for article in articles:
        row = article_row(article)
        row.update(version=1, status="live", first_seen=article.fetched_at,
                   last_seen=article.fetched_at, withdrawn_at=None)
        rows["articles"].append(tuple(row.items()))
        for n, image in enumerate(article.images):
            rows["images"].append((article.id, n, image["url"], image["caption"],
                                   image["credit"], image["alt"]))
        for n, link in enumerate(article.related_links):
            rows["links"].append((article.id, n, link["url"], link["text"], link["relation"]))
        for lang, url in article.translations.items():
            rows["translations"].append((article.id, lang, url, url))
        rows["article_search"].append(search_row(article))
    return rows


def bench_baseline(articles: list[Article], path: Path) -> float:
    rows = baseline_rows(articles)
    columns = [name for name, _ in rows["articles"][0]]
    article_values = [tuple(v for _, v in r) for r in rows["articles"]]
    conn = sqlite3.connect(path, isolation_level=None)
    import sqlite_utils

    migrate(sqlite_utils.Database(conn))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    statements = {
        "articles": (f"insert into articles ({', '.join(columns)}) values "
                     f"({', '.join('?' * len(columns))})"),
        "images": "insert into images values (?, ?, ?, ?, ?, ?)",
        "links": "insert into links values (?, ?, ?, ?, ?)",
        "translations": "insert into translations values (?, ?, ?, ?)",
        "article_search": "insert into article_search values "
                          f"({', '.join('?' * len(rows['article_search'][0]))})",
    }
    batch_of = {a.id: i // BATCH for i, a in enumerate(articles)}
    batches: list[dict[str, list[tuple]]] = [
        {t: [] for t in statements} for _ in range(0, len(articles), BATCH)]
    for table in ("images", "links", "translations", "article_search"):
        for row in rows[table]:
            batches[batch_of[row[0]]][table].append(row)
    start = time.perf_counter()
    for n, i in enumerate(range(0, len(articles), BATCH)):
        conn.execute("BEGIN")
        conn.executemany(statements["articles"], article_values[i : i + BATCH])
        for table in ("images", "links", "translations", "article_search"):
            conn.executemany(statements[table], batches[n][table])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(articles) / elapsed


def rare_pairs(path: Path, rare: set[str], count: int, seed: int) -> list[str]:
    """Two-word queries of rare terms that stand in one article together: real questions,
    most of which have an answer."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    total = conn.execute("select max(rowid) from article_search").fetchone()[0]
    queries: list[str] = []
    while len(queries) < count:
        row = conn.execute("select body from article_search where rowid = ?",
                           [rng.randint(1, total)]).fetchone()
        words = sorted({w for w in (row[0] or "").lower().split() if w in rare})
        if len(words) >= 2:
            queries.append(" ".join(rng.sample(words, 2)))
    conn.close()
    return queries


def vocabulary(path: Path) -> tuple[list[str], list[str], int]:
    """Rare terms (each in under 5% of articles) and frequent ones (over 20%)."""
    conn = sqlite3.connect(path)
    conn.execute("create virtual table temp.vocab using fts5vocab(main, "
                 "'article_search_fts', 'row')")
    total = conn.execute("select count(*) from articles").fetchone()[0]
    rare, frequent = [], []
    for term, docs in conn.execute("select term, doc from temp.vocab"):
        if not term.isalpha() or len(term) < 3:
            continue
        if 2 <= docs < 0.05 * total:
            rare.append(term)
        elif docs > 0.20 * total:
            frequent.append(term)
    conn.close()
    return rare, frequent, total


def bench_search(path: Path, queries: list[str]) -> tuple[list[float], int]:
    """Milliseconds per query (top 20 by rank), and how many queries found something."""
    archive = Archive.open_reader(path)
    timings, answered = [], 0
    for query in queries:
        start = time.perf_counter()
        answered += bool(archive.search_ids(query, limit=20))
        timings.append((time.perf_counter() - start) * 1000)
    archive.close()
    return timings, answered


def bench_pages(count: int, seed: int, path: Path) -> tuple[int, int]:
    site = synthesize(count, seed=seed)
    pages = build_pages(site)
    raw = [RawPage(url=f"https://www.vietnam.vn{p}", status=200, body=r.body,
                   headers={"Content-Type": [r.content_type]})
           for p, r in pages.items() if r.content_type.startswith("text/html")]
    archive = Archive.open_writer(path, purpose="benchmark pages")
    archive.save_pages(raw)
    stored = archive.db.execute("select sum(length(body_zstd)) from pages").fetchone()[0]
    archive.close()
    return sum(len(p.body) for p in raw), stored


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=5_000, help="raw pages to compress")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="2,000 articles, 200 pages")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count, args.pages = 2_000, 200

    t0 = time.perf_counter()
    articles = make_articles(args.count, args.seed)
    print(f"articles: {len(articles):,} synthetic ({time.perf_counter() - t0:.1f} s to build)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        writer = bench_writer(articles, folder / "writer.db")
        baseline = bench_baseline(articles, folder / "baseline.db")
        ratio = writer / baseline
        print(f"archive writer:        {writer:10,.0f} articles/s")
        print(f"plain executemany:     {baseline:10,.0f} articles/s")
        print(f"writer / executemany:  {ratio:10.2f}  (target >= {TARGET_RATIO}) "
              f"{'ok' if ratio >= TARGET_RATIO else 'MISSED'}")

        rare, frequent, total = vocabulary(folder / "writer.db")
        rng = random.Random(args.seed)
        searches = {
            "rare": rare_pairs(folder / "writer.db", set(rare), args.queries, args.seed),
            "frequent": [" ".join(rng.sample(frequent, 2)) for _ in range(args.queries)]
            if len(frequent) >= 2 else [],
        }
        for label, queries in searches.items():
            if not queries:
                print(f"search ({label} terms): not enough terms")
                continue
            timings, answered = bench_search(folder / "writer.db", queries)
            p50, p95 = statistics.median(timings), quantile(timings, 0.95)
            note = (f"(target p95 < {TARGET_P95_MS:.0f} ms) "
                    f"{'ok' if p95 < TARGET_P95_MS else 'MISSED'}") if label == "rare" else ""
            print(f"search, {len(queries)} two-word queries of {label} terms "
                  f"({answered} with hits, {total:,} articles): "
                  f"p50 {p50:.2f} ms, p95 {p95:.2f} ms {note}")

        raw, stored = bench_pages(args.pages, args.seed, folder / "pages.db")
        share = stored / raw
        print(f"raw pages: {raw / 1e6:,.1f} MB stored as {stored / 1e6:,.1f} MB = {share:.1%} "
              f"(target < {TARGET_PAGE_SHARE:.0%}) "
              f"{'ok' if share < TARGET_PAGE_SHARE else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
