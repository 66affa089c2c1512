"""Extraction benchmark over the replica's golden pages: speed and field quality.

    python benchmarks/bench_extract.py           # median of 5 passes over every golden page
    python benchmarks/bench_extract.py --smoke   # one pass over a few pages (CI)

Speed: pages per second for `extract()`, trafilatura (`bare_extraction` with metadata) and a
bare `lxml.html.fromstring`, measured in the same run, with the ratios against the targets
(extract() >= 5x trafilatura, >= 0.2 of lxml alone). Quality: with the portal parser switched
off (`extract(..., portal_parser=False)`: metadata, generic and library layers, as for a
portal without a parser), exact-match rates for headline, date, authors and captions and the
body's token F1 against the expected JSON, beside trafilatura's. Pages over 1 MB (the 5 MB
bad-input page) are left out. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
from trafilatura import bare_extraction

from portal_crawler.extract import extract

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "pages"
MAX_BYTES = 1_000_000
TARGET_VS_TRAFILATURA = 5.0
TARGET_VS_LXML = 0.2
# CJK ideographs, kana and Thai are scored per character (no spaces between words).
_TOKEN = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")

Page = tuple[str, bytes, dict[str, Any]]
Runner = Callable[[bytes, dict[str, Any]], object]


def load_pages(limit: int | None = None) -> list[Page]:
    pages: list[Page] = []
    for path in sorted(PAGES.glob("*/*.html")):
        expected = path.with_suffix(".json")
        if expected.exists() and path.stat().st_size <= MAX_BYTES:
            pages.append((path.stem, path.read_bytes(), json.loads(expected.read_text("utf-8"))))
    return pages[:limit] if limit else pages


# speed ------------------------------------------------------------------------------------

def run_extract(data: bytes, expected: dict[str, Any]) -> object:
    return extract(data, expected["url"], fetched_at=expected["fetched_at"])


def run_trafilatura(data: bytes, expected: dict[str, Any]) -> object:
    return bare_extraction(data, url=expected["url"], with_metadata=True)


def run_lxml(data: bytes, expected: dict[str, Any]) -> object:
    return lxml.html.fromstring(data)


def speeds(runners: dict[str, Runner], pages: list[Page], passes: int) -> dict[str, list[float]]:
    """Pages/s of each runner per pass; the runners take turns within a pass, so that a load
    change on a shared machine hits all of them alike and the per-pass ratios stay fair."""
    for fn in runners.values():
        for _, data, expected in pages[:2]:  # warm imports and lazy caches
            fn(data, expected)
    rates: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(passes):
        for name, fn in runners.items():
            start = time.perf_counter()
            for _, data, expected in pages:
                fn(data, expected)
            rates[name].append(len(pages) / (time.perf_counter() - start))
    return rates


# quality ----------------------------------------------------------------------------------

def tokens(text: str | None) -> Counter[str]:
    return Counter(_TOKEN.findall((text or "").lower()))


def token_f1(found: str | None, expected: str | None) -> float:
    got, want = tokens(found), tokens(expected)
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def fields_of_extract(data: bytes, expected: dict[str, Any]) -> dict[str, Any]:
    article = extract(data, expected["url"], fetched_at=expected["fetched_at"],
                      portal_parser=False)
    return {"headline": article.headline, "date": article.date_published,
            "authors": article.authors, "captions": [i["caption"] for i in article.images],
            "body": article.body}


def fields_of_trafilatura(data: bytes, expected: dict[str, Any]) -> dict[str, Any]:
    doc = bare_extraction(data, url=expected["url"], with_metadata=True, include_images=True)
    if doc is None:
        return {"headline": "", "date": None, "authors": [], "captions": [], "body": ""}
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    body = getattr(doc, "body", None)
    captions = [g.get("title") or None for g in body.iter("graphic")] if body is not None else []
    text = bare_extraction(data, url=expected["url"], with_metadata=True).text
    return {"headline": doc.title or "", "date": doc.date, "authors": authors,
            "captions": captions, "body": text}


def expected_fields(expected: dict[str, Any]) -> dict[str, Any]:
    return {"headline": expected["headline"], "date": expected["date_published"],
            "authors": expected["authors"],
            "captions": [i["caption"] for i in expected["images"]], "body": expected["body"]}


def scores(fn: Callable[[bytes, dict[str, Any]], dict[str, Any]],
           pages: list[Page]) -> dict[str, float]:
    totals = Counter[str]()
    for _, data, expected in pages:
        got, want = fn(data, expected), expected_fields(expected)
        for name in ("headline", "date", "authors", "captions"):
            totals[name] += got[name] == want[name]
        totals["body F1"] += token_f1(got["body"], want["body"])
    return {name: totals[name] / len(pages) for name in
            ("headline", "date", "authors", "captions", "body F1")}


def _verdict(value: float, target: float) -> str:
    return "met" if value >= target else "MISSED"


# report -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one pass over 3 pages (CI)")
    parser.add_argument("--passes", type=int, default=5, help="timed passes (median); 5")
    args = parser.parse_args(argv)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    pages = load_pages(limit=3 if args.smoke else None)
    passes = 1 if args.smoke else args.passes
    if not pages:
        print(f"no golden pages under {PAGES}")
        return 1
    print(f"pages: {len(pages)} golden pages (<= {MAX_BYTES:,} bytes), passes: {passes}"
          f" (median; ratios: median of the per-pass ratios)")

    rates = speeds({"extract": run_extract, "trafilatura": run_trafilatura, "lxml": run_lxml},
                   pages, passes)
    rate_extract, rate_trafilatura, rate_lxml = (
        statistics.median(rates[name]) for name in ("extract", "trafilatura", "lxml"))
    vs_trafilatura = statistics.median(
        e / t for e, t in zip(rates["extract"], rates["trafilatura"], strict=True))
    vs_lxml = statistics.median(e / x for e, x in zip(rates["extract"], rates["lxml"], strict=True))
    print("\nspeed (pages/s)")
    print(f"  extract()                  {rate_extract:10.1f}")
    print(f"  trafilatura bare_extraction{rate_trafilatura:10.1f}")
    print(f"  lxml.html.fromstring       {rate_lxml:10.1f}")
    print(f"  extract() / trafilatura    {vs_trafilatura:10.2f}x  (target >= "
          f"{TARGET_VS_TRAFILATURA:g}x: {_verdict(vs_trafilatura, TARGET_VS_TRAFILATURA)})")
    print(f"  extract() / lxml alone     {vs_lxml:10.3f}   (target >= "
          f"{TARGET_VS_LXML:g}: {_verdict(vs_lxml, TARGET_VS_LXML)})")

    generic = scores(fields_of_extract, pages)
    reference = scores(fields_of_trafilatura, pages)
    print("\nquality without the portal parser (exact-match rate; body: mean token F1)")
    print(f"  {'field':10} {'generic path':>13} {'trafilatura':>12}")
    for name in generic:
        flag = "" if generic[name] >= reference[name] else "   <- worse than trafilatura"
        print(f"  {name:10} {generic[name]:13.3f} {reference[name]:12.3f}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
