"""Extraction benchmark over the replica's golden pages: speed and field quality.

    python benchmarks/bench_extract.py           # median of 5 passes over every golden page
    python benchmarks/bench_extract.py --smoke   # one pass over a few pages (CI)
    python benchmarks/bench_extract.py --corpus ../shared/corpus/readability [--limit N]

With --corpus: real pages nobody here wrote (format: ../shared/corpus/README.md), scored for
`extract()` and trafilatura in the same run by the rules of the corpus's own scorer
(`../tools/score_corpus.py` beside the corpus, imported so that the rules are its very own):
every field, the warm pages/s of each (median of the passes, runners taking turns), their
ratio, and extract()'s speed as a ratio to `lxml.html.fromstring` alone.

Speed: pages per second for `extract()`, trafilatura (`bare_extraction` with metadata) and a
bare `lxml.html.fromstring`, measured in the same run, with the ratios against the targets
(extract() >= 5x trafilatura, >= 0.2 of lxml alone). Then per portal parser: `extract()` (the
portal's parser first) beside trafilatura on that portal's own golden pages: vietnam.vn's
stored pages and the golden pairs of every replica site (`replica/sites.SITES`), so a new
portal's parser is measured as soon as its replica is listed there.

Quality: with the portal parser switched off (`extract(..., portal_parser=False)`: metadata,
generic and library layers, as for a portal without a parser), exact-match rates for headline,
date, authors and captions and the body's token F1 against the expected JSON, beside
trafilatura's. Pages over 1 MB (the 5 MB bad-input page) are left out. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
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


def portal_pages(limit: int | None = None) -> dict[str, tuple[str, list[Page]]]:
    """portal -> (its parser's label, its golden pages): vietnam.vn's stored pages, then each
    replica site's golden pairs as its module writes them (`--golden-site`)."""
    from portal_crawler.parsers import PORTAL_PARSERS, label
    from portal_crawler.replica.sites import SITES, site_module

    groups: dict[str, list[Page]] = {
        "vietnam.vn": [p for p in load_pages() if p[2]["portal"] == "vietnam.vn"]}
    for site in SITES:
        module = site_module(site)
        groups[module.PORTAL] = [(name, html.encode("utf-8"), json.loads(expected))
                                 for name, (html, expected) in module.golden_pairs().items()]
    return {portal: (label(PORTAL_PARSERS[portal]) if portal in PORTAL_PARSERS else "none",
                     pages[:limit] if limit else pages)
            for portal, pages in groups.items() if pages}


def report_portals(passes: int, limit: int | None) -> None:
    """Each portal parser's pages/s beside trafilatura's on the same pages, same run."""
    print("\nper portal parser (pages/s on the portal's golden pages; ratio: median per pass)")
    print(f"  {'portal':16} {'parser':14} {'pages':>5} {'extract()':>10} {'trafilatura':>12}"
          f" {'ratio':>7}")
    for portal, (parser, pages) in portal_pages(limit).items():
        rates = speeds({"extract": run_extract, "trafilatura": run_trafilatura}, pages, passes)
        ratio = statistics.median(
            e / t for e, t in zip(rates["extract"], rates["trafilatura"], strict=True))
        print(f"  {portal:16} {parser:14} {len(pages):5d} "
              f"{statistics.median(rates['extract']):10.1f} "
              f"{statistics.median(rates['trafilatura']):12.1f} {ratio:6.2f}x")


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
    parser.add_argument("--passes", type=int, default=None,
                        help="timed passes (median); 5, or 3 with --corpus")
    parser.add_argument("--corpus", type=Path, help="score on a folder of real pages instead")
    parser.add_argument("--limit", type=int, default=0, help="with --corpus: first N pages")
    args = parser.parse_args(argv)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    if args.corpus is not None:
        return corpus_main(args.corpus, args.limit, args.passes or 3)
    args.passes = args.passes or 5
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
    report_portals(passes, limit=2 if args.smoke else None)

    generic = scores(fields_of_extract, pages)
    reference = scores(fields_of_trafilatura, pages)
    print("\nquality without the portal parser (exact-match rate; body: mean token F1)")
    print(f"  {'field':10} {'generic path':>13} {'trafilatura':>12}")
    for name in generic:
        flag = "" if generic[name] >= reference[name] else "   <- worse than trafilatura"
        print(f"  {name:10} {generic[name]:13.3f} {reference[name]:12.3f}{flag}")
    return 0


# real pages ---------------------------------------------------------------------------------

CORPUS_FIELDS = ("headline", "authors", "date", "body_p", "body_r", "body_f1", "captions",
                 "non_articles_kept")


def load_scorer(corpus: Path) -> Any:
    """The corpus's own scorer, `score_corpus.py` in the tools folder beside the corpus."""
    import importlib.util

    for tools in (corpus.resolve().parent.parent / "tools", ROOT.parent / "shared" / "tools"):
        path = tools / "score_corpus.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location("score_corpus", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise FileNotFoundError(f"score_corpus.py not found beside {corpus}")


def load_corpus(corpus: Path, limit: int) -> list[tuple[str, dict[str, Any], str, str, str]]:
    """(name, metadata, source html, reference html, url) per page folder, as the scorer reads
    them (gzip, UTF-8, the same fake URL)."""
    import gzip

    pages = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf8"))
        html = gzip.decompress((folder / "source.html.gz").read_bytes()).decode("utf8", "replace")
        ref = gzip.decompress((folder / "expected.html.gz").read_bytes()).decode("utf8", "replace")
        pages.append((folder.name, meta, html, ref, f"http://fakehost/{folder.name}/"))
    return pages[:limit] if limit else pages


def score_pages(sc: Any, results: dict[str, dict[str, Any]],
                pages: list[tuple[str, dict[str, Any], str, str, str]]) -> dict[str, list[float]]:
    """Per-field scores, exactly as score_corpus.main computes them."""
    scores: dict[str, list[float]] = {k: [] for k in CORPUS_FIELDS}
    for name, meta, _html, ref, _url in pages:
        a = results[name]
        if meta.get("readerable") is False:
            kept = bool(sc.norm(a.get("body"))) and not any(
                "not an article" in str(m) for m in a.get("messages") or [])
            scores["non_articles_kept"].append(float(kept))
            continue
        body, captions = sc.reference(ref)
        scores["headline"].append(float(sc.norm(a.get("headline")) == sc.norm(meta.get("title"))))
        truth = sc.people(meta.get("byline"), meta.get("siteName"))
        if truth is not None:
            scores["authors"].append(sc.f1_names(truth, [str(x) for x in a.get("authors") or []]))
        if meta.get("publishedTime"):
            scores["date"].append(
                float(sc.day(meta["publishedTime"]) == sc.day(a.get("date_published"))))
        p, r, f = sc.bag_f1(body, a.get("body") or "")
        scores["body_p"].append(p)
        scores["body_r"].append(r)
        scores["body_f1"].append(f)
        if captions:
            found = " ".join(sc.norm(f"{i.get('caption') or ''} {i.get('credit') or ''}")
                             for i in a.get("images") or [])
            scores["captions"].append(sum(c[:60] in found for c in captions) / len(captions))
    return scores


def corpus_main(corpus: Path, limit: int, passes: int) -> int:
    if not corpus.is_dir():
        print(f"error: no corpus folder at {corpus}", file=sys.stderr)
        return 2
    try:
        sc = load_scorer(corpus)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pages = load_corpus(corpus, limit)
    if not pages:
        print(f"error: no pages in {corpus}", file=sys.stderr)
        return 2
    extractors = {"extract()": extract, "trafilatura": sc.trafilatura_extractor()}
    results: dict[str, dict[str, dict[str, Any]]] = {}
    crashes = Counter[str]()
    for label, fn in extractors.items():  # the untimed warm-up pass gives the answers
        results[label] = {}
        for name, _meta, html, _ref, url in pages:
            try:
                results[label][name] = sc.as_dict(fn(html, url))
            except Exception:
                crashes[label] += 1
                results[label][name] = {}
    runners = {**extractors, "lxml.html.fromstring": lambda html, url: lxml.html.fromstring(html)}
    rates: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(max(1, passes)):
        for label, fn in runners.items():
            start = time.perf_counter()
            for _name, _meta, html, _ref, url in pages:
                with contextlib.suppress(Exception):  # crashes are counted above
                    fn(html, url)
            rates[label].append(len(pages) / (time.perf_counter() - start))
    articles = sum(1 for p in pages if p[1].get("readerable") is not False)
    print(f"corpus: {corpus} ({len(pages)} pages: {articles} articles, "
          f"{len(pages) - articles} not articles), passes: {passes} (warm; median)")
    scored = {label: score_pages(sc, results[label], pages) for label in extractors}
    print(f"\n  {'field':18} {'extract()':>10} {'trafilatura':>12}   n")
    for key in CORPUS_FIELDS:
        n = len(scored["extract()"][key])
        mine, theirs = (f"{sum(v) / n:.3f}" if n else "n/a"
                        for v in (scored["extract()"][key], scored["trafilatura"][key]))
        print(f"  {key:18} {mine:>10} {theirs:>12}   {n}")
    print(f"  {'crashes':18} {crashes['extract()']:10d} {crashes['trafilatura']:12d}")
    median = {label: statistics.median(values) for label, values in rates.items()}
    vs_trafilatura = statistics.median(
        e / t for e, t in zip(rates["extract()"], rates["trafilatura"], strict=True))
    vs_lxml = statistics.median(
        e / x for e, x in zip(rates["extract()"], rates["lxml.html.fromstring"], strict=True))
    print("\nspeed (pages/s, warm)")
    print(f"  extract()                  {median['extract()']:10.1f}")
    print(f"  trafilatura bare_extraction{median['trafilatura']:10.1f}")
    print(f"  lxml.html.fromstring       {median['lxml.html.fromstring']:10.1f}")
    print(f"  extract() / trafilatura    {vs_trafilatura:10.2f}x")
    print(f"  extract() / lxml alone     {vs_lxml:10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
