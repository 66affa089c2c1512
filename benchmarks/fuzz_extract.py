"""Long-run fuzzing of `extract()`: mutated replica pages and random bytes, checked against the
Article contract (docs/article.md). The property test in tests/test_extract_properties.py runs
a few hundred such inputs in CI; this runs as many as you like and prints the figures.

    python benchmarks/fuzz_extract.py                 # 100,000 inputs
    python benchmarks/fuzz_extract.py --count 20000 --seed 7
    python benchmarks/fuzz_extract.py --smoke         # 500 inputs, for CI

Exit status 1 when any input raised or broke the contract; the first failures are printed with
their seed and index, so `--seed S --only I` replays one.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portal_crawler.article import Article
from portal_crawler.extract import extract
from portal_crawler.replica.generate import build_site

HOSTS = ("www.vietnam.vn", "vietnam.vn", "vcdn.vietnam.vn", "thongtin.vietnam.vn")
SNIPPETS = [
    b"<div>", b"</div>", b"</p>", b"<p>", b"<script>", b"</script>", b"<!--", b"-->",
    b"<![CDATA[", b"]]>", b"&#0;", b"&#xD800;", b"&#x10FFFF;", b"&amp", b"&", b"<", b">",
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xe2\x80", b"\r", b"\u2028",
    b'<meta charset="windows-1258">', b'<meta charset="no-such-charset">',
    b'<meta property="article:published_time" content="9999-99-99T99:99">',
    b'<meta property="article:published_time" content="2023-02-30">',
    b'<time datetime="-1">', b'<time datetime="2023-09-14T25:61:00+99:00">',
    b'<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": ',
    b'<script type="application/ld+json">[[[[{"author": {"name": [null, 1, {}]}}]]]]</script>',
    b'<link rel="canonical" href="javascript:alert(1)">', b'<link rel="canonical" href="//">',
    b'<link rel="alternate" hreflang="en" href="http://[::1">',
    b'<a href="https://">x</a>', b'<img src="data:image/png;base64,AAAA">', b'<img src="">',
    b'<a href="%zz">', b'<base href="ftp://x">', b"<html>", b"</html>", b"<body>", b"<h1>",
    b"<table><tr><td>", b"<svg><foreignObject>", b"<math><mi>", b"<template>",
    "Ngày 14/9/2023, 2 giờ trước, Thứ Năm".encode(), "Theo Báo Quốc Tế".encode(),
]


def load_pages() -> list[tuple[str, bytes]]:
    """(url, body) of every HTML page the replica serves on its main host."""
    site = build_site()
    pages = [(f"https://{host}{path}", resource.body) for (host, path), resource in site.items()
             if host == "www.vietnam.vn" and resource.content_type.startswith("text/html")]
    pages.append(("https://www.vietnam.vn/not-found", site.not_found))
    return sorted(pages)


# -- mutations -------------------------------------------------------------------------------
def _truncate(rng: random.Random, body: bytes) -> bytes:
    return body[: rng.randrange(len(body) + 1)]


def _delete(rng: random.Random, body: bytes) -> bytes:
    i = rng.randrange(len(body) + 1)
    return body[:i] + body[i + rng.randrange(1, 2000):]


def _duplicate(rng: random.Random, body: bytes) -> bytes:
    i = rng.randrange(len(body) + 1)
    chunk = body[i:i + rng.randrange(1, 3000)]
    j = rng.randrange(len(body) + 1)
    return body[:j] + chunk * rng.randrange(1, 4) + body[j:]


def _insert_snippets(rng: random.Random, body: bytes) -> bytes:
    for _ in range(rng.randrange(1, 12)):
        i = rng.randrange(len(body) + 1)
        body = body[:i] + rng.choice(SNIPPETS) + body[i:]
    return body


def _flip(rng: random.Random, body: bytes) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randrange(1, 64)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _nest(rng: random.Random, body: bytes) -> bytes:
    depth = rng.choice((10, 300, 1500, 3000))
    tag = rng.choice((b"div", b"span", b"b", b"table", b"p"))
    i = rng.randrange(len(body) + 1)
    close = b"</" + tag + b">" if rng.random() < 0.5 else b""
    return body[:i] + (b"<" + tag + b">") * depth + close * depth + body[i:]


def _reencode(rng: random.Random, body: bytes) -> bytes:
    text = body.decode("utf-8", "replace")
    encoding = rng.choice(("utf-16", "utf-16-le", "latin-1", "cp1258", "cp1252", "utf-32"))
    return text.encode(encoding, "replace")


def _strip_tags(rng: random.Random, body: bytes) -> bytes:
    return body.replace(b"<", b" ") if rng.random() < 0.5 else body.replace(b">", b"")


def _random_bytes(rng: random.Random, body: bytes) -> bytes:
    return rng.randbytes(rng.choice((0, 1, 16, 512, 4096, 40000)))


def _random_text(rng: random.Random, body: bytes) -> bytes:
    alphabet = "<>/=\"' &;#abcdhtmlpdivspanmetaạđươ\n\t\u200b\ufeff"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(2000))).encode()


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "truncate": _truncate, "delete": _delete, "duplicate": _duplicate,
    "snippets": _insert_snippets, "flip": _flip, "nest": _nest, "reencode": _reencode,
    "strip_tags": _strip_tags, "random_bytes": _random_bytes, "random_text": _random_text,
}


def random_url(rng: random.Random, url: str) -> str:
    parts = urlsplit(url)
    choice = rng.random()
    if choice < 0.6:
        return url
    if choice < 0.8:
        return f"https://{rng.choice(HOSTS)}{parts.path}?utm_source=x#frag"
    if choice < 0.9:
        return f"https://example.org{parts.path}"
    return f"https://www.vietnam.vn/{rng.choice(('zh-cn', 'xx', '', 'en/'))}/{rng.randrange(99)}"


# -- the contract ----------------------------------------------------------------------------
def _iso(value: str) -> bool:
    try:
        (datetime if "T" in value else date).fromisoformat(value)
    except ValueError:
        return False
    return True


def _absolute(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def contract_problems(article: Any) -> list[str]:
    """What in an extract() result breaks docs/article.md; [] when nothing."""
    if not isinstance(article, Article):
        return [f"not an Article: {type(article).__name__}"]
    problems: list[str] = []
    text = ("id", "url", "canonical_url", "portal", "language", "headline", "body", "body_html",
            "slug", "fetched_at", "parser")
    optional = ("lead", "source", "source_url", "date_published", "date_published_raw",
                "date_modified", "section")
    for name in text:
        if not isinstance(getattr(article, name), str):
            problems.append(f"{name} is not str")
    for name in optional:
        if not isinstance(getattr(article, name), str | None):
            problems.append(f"{name} is not str | None")
    for name in ("authors", "breadcrumbs", "tags", "messages"):
        value = getattr(article, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{name} is not list[str]")
    for name in ("date_published", "date_modified", "fetched_at"):
        value = getattr(article, name)
        if isinstance(value, str) and value and not _iso(value):
            problems.append(f"{name} not ISO 8601: {value!r}")
    if article.url and not _absolute(article.url):
        problems.append(f"url not absolute: {article.url!r}")
    if article.canonical_url and not _absolute(article.canonical_url):
        problems.append(f"canonical_url not absolute: {article.canonical_url!r}")
    if article.source_url is not None and not _absolute(article.source_url):
        problems.append(f"source_url not absolute: {article.source_url!r}")
    if not isinstance(article.images, list):
        problems.append("images is not a list")
    else:
        for image in article.images:
            if not isinstance(image, dict) or set(image) != {"url", "caption", "credit", "alt"}:
                problems.append(f"bad image: {image!r}"[:200])
            elif not _absolute(image["url"]):
                problems.append(f"image url not absolute: {image['url']!r}"[:200])
    if not isinstance(article.related_links, list):
        problems.append("related_links is not a list")
    else:
        for link in article.related_links:
            if not (isinstance(link, dict) and set(link) == {"url", "text", "relation"}
                    and _absolute(link["url"]) and isinstance(link["text"], str)
                    and isinstance(link["relation"], str)):
                problems.append(f"bad link: {link!r}"[:200])
    if not isinstance(article.translations, dict) or not all(
            isinstance(k, str) and _absolute(v) for k, v in article.translations.items()):
        problems.append(f"bad translations: {article.translations!r}"[:200])
    return problems


def one_input(rng: random.Random, pages: list[tuple[str, bytes]]) -> tuple[str, str, bytes]:
    url, body = rng.choice(pages)
    names = rng.sample(sorted(MUTATIONS), rng.choice((1, 1, 2, 3)))
    for name in names:
        body = MUTATIONS[name](rng, body)
    return "+".join(names), random_url(rng, url), body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs (default 100,000)")
    parser.add_argument("--smoke", action="store_true", help="500 inputs (CI)")
    parser.add_argument("--seed", type=int, default=20230914)
    parser.add_argument("--only", type=int, help="replay one input by its index")
    parser.add_argument("--show", type=int, default=10, help="failures to print in full")
    args = parser.parse_args(argv)
    count = 500 if args.smoke else args.count
    pages = load_pages()
    fetched_at = "2023-09-15T09:00:00+00:00"
    failures: list[tuple[int, str, str]] = []
    layer_errors: list[int] = []  # a layer raised inside extract(): caught, fields may be lost
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    for index in range(count):
        rng = random.Random(f"{args.seed}:{index}")
        kind, url, body = one_input(rng, pages)
        if args.only is not None and index != args.only:
            continue
        kinds[kind.split("+")[0]] += 1
        encoding = rng.choice((None, None, "utf-8", "windows-1258", "latin-1", "bogus"))
        try:
            article = extract(body, url, fetched_at=fetched_at, encoding=encoding)
        except Exception:
            failures.append((index, kind, "exception: " + traceback.format_exc(limit=6)))
            continue
        problems = contract_problems(article)
        if problems:
            failures.append((index, kind, "; ".join(problems)))
        if any(m.startswith("parser error") for m in article.messages):
            layer_errors.append(index)
        if index and index % 10_000 == 0:
            print(f"  {index:,} inputs, {len(failures)} failures, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    done = 1 if args.only is not None else count
    for index, kind, detail in failures[: args.show]:
        print(f"--- input {index} ({kind}; replay: --seed {args.seed} --only {index})\n{detail}")
    by_kind = Counter(kind.split("+")[0] for _, kind, _ in failures)
    print(f"inputs: {done:,} from {len(pages)} replica pages (seed {args.seed})")
    print(f"first mutation: {dict(sorted(kinds.items()))}")
    raised = sum(1 for _, _, detail in failures if detail.startswith("exception: "))
    print(f"failures: {len(failures)} (exceptions: {raised}, contract: {len(failures) - raised})"
          + (f" by first mutation {dict(by_kind)}" if failures else ""))
    print(f"layer errors: {len(layer_errors)} (a parser layer raised, extract() went on)"
          + (f"; replay --only {', '.join(map(str, layer_errors[:10]))}" if layer_errors else ""))
    print(f"time: {elapsed:.1f} s ({done / elapsed:,.1f} inputs/s)" if elapsed else "time: 0 s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
