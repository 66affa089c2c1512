"""Synthetic replicas for benchmarks and incremental-crawl tests, and edits of any replica.

`synthesize(count, seed)` builds `count` article pages as in-memory content records (the same
schema as the files under content/), resolved into a `SiteData` that `build_site(site=...)`
serves. Text is drawn from a Zipf-weighted vocabulary taken from the real records (plus a long
tail of derived words), so paragraphs are distinct and term frequencies long-tailed. Everything
is deterministic for a seed. `expected_articles(site)` gives the expected Article dicts without
writing golden files. `edit`, `add` and `remove` return a new SiteData; nothing is mutated.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from .content import ArticleView, SiteData, load_site, site_from_records
from .expected import computed_article

DEFAULT_END = date(2023, 9, 16)
UNSPACED = {"zh-cn", "ja", "th"}  # scripts written without spaces between words
TAIL_WORDS = 30_000  # vocabulary size per edition, the real words first
PAPERS = (
    ("Báo Quốc Tế", "baoquocte.vn", "logo-bao-quoc-te.png"),
    ("Báo Nhân dân", "nhandan.vn", "logo-bao-nhan-dan.png"),
    ("Báo Tuổi Trẻ", "tuoitre.vn", "logo-bao-tuoi-tre.png"),
    ("VietnamPlus", "vietnamplus.vn", "logo-vietnamplus.png"),
    ("Báo An Giang", "baoangiang.com.vn", "logo-bao-an-giang.png"),
    ("Báo Thanh Niên", "thanhnien.vn", "logo-bao-thanh-nien.png"),
    ("Báo Tin tức", "baotintuc.vn", "logo-bao-tin-tuc.png"),
)
PEOPLE = (
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thu Hà",
    "Vũ Đức Long", "Đặng Ngọc Mai", "Bùi Thanh Sơn", "Đỗ Hải Yến", "Ngô Quang Huy",
)
CREDITS = ("TTXVN", "VNA", "KCNA", "Reuters", "AFP", "Ban tổ chức", "Minh Anh", "D.H.")
BYLINE_PREFIX = {"vi": "Theo", "en": "By", "id": "Oleh"}


TABLE_BITS = 20
TABLE_SIZE = 1 << TABLE_BITS  # draw table: each word fills slots in proportion to its Zipf weight


@dataclass(frozen=True)
class Lexicon:
    words: tuple[str, ...]
    table: tuple[str, ...]
    joiner: str
    stop: str

    def draw(self, rng: random.Random, k: int) -> list[str]:
        table, bits = self.table, rng.getrandbits
        return [table[bits(TABLE_BITS)] for _ in range(k)]


@cache
def _real_site() -> SiteData:
    return load_site()


def _tokens(text: str, edition: str) -> list[str]:
    if edition in {"zh-cn", "ja"}:
        runs = re.findall(r"[\u3040-\u30ff\u3400-\u9fff]+", text)
        return [run[i : i + 2] for run in runs for i in range(0, max(len(run) - 1, 1), 2)]
    if edition == "th":
        runs = re.findall(r"[\u0e00-\u0e7f]+", text)
        return [run[i : i + 3] for run in runs for i in range(0, len(run), 3)]
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


@cache
def lexicon(edition: str) -> Lexicon:
    """Words of the edition's real records, most frequent first, then derived tail words;
    Zipf weights 1/(rank + 2.7)^1.07 (Mandelbrot's fit to natural text)."""
    counts: dict[str, int] = {}
    for view in _real_site().articles:
        if view.edition != edition:
            continue
        texts = [view.record["headline"], *view.paragraphs]
        texts += [i.get("caption") or "" for i in view.images]
        for text in texts:
            for token in _tokens(text, edition):
                counts[token] = counts.get(token, 0) + 1
    if not counts:
        return lexicon("en")
    real = sorted(counts, key=lambda w: (-counts[w], w))
    rng = random.Random(f"lexicon:{edition}")
    seen = set(real)
    words = list(real)
    attempts = 0
    while len(words) < TAIL_WORDS and attempts < TAIL_WORDS * 20:
        attempts += 1
        parts = [rng.choice(real) for _ in range(rng.choice((2, 2, 3)))]
        if edition in UNSPACED or rng.random() < 0.5:
            word = "".join(parts)
        else:
            word = parts[0][: max(1, len(parts[0]) // 2 + 1)] + "".join(parts[1:])
        if word not in seen:
            seen.add(word)
            words.append(word)
    rng.shuffle(tail := words[len(real) :])
    words[len(real) :] = tail
    cum = list(accumulate(1.0 / (rank + 2.7) ** 1.07 for rank in range(len(words))))
    scale = TABLE_SIZE / cum[-1]
    table: list[str] = []
    for word, upto in zip(words, cum, strict=True):
        table.extend([word] * (round(upto * scale) - len(table)))
    joiner = "" if edition in UNSPACED else " "
    stop = {"zh-cn": "。", "ja": "。", "th": " "}.get(edition, ".")
    return Lexicon(tuple(words), tuple(table), joiner, stop)


def _sentence(rng: random.Random, lex: Lexicon, low: int = 6, high: int = 24) -> str:
    text = lex.joiner.join(lex.draw(rng, rng.randint(low, high)))
    return (text[:1].upper() + text[1:] if lex.joiner else text) + lex.stop


def _paragraph(rng: random.Random, lex: Lexicon) -> str:
    count = min(1 + int(rng.expovariate(0.6)), 6)  # long-tailed paragraph length
    return lex.joiner.join(_sentence(rng, lex) for _ in range(count)).strip()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _day_list(days: int | Iterable[date | str], end: date) -> list[date]:
    if isinstance(days, int):
        return [end - timedelta(days=i) for i in range(days - 1, -1, -1)]
    return sorted(d if isinstance(d, date) else date.fromisoformat(d) for d in days)


def _slug_words(rng: random.Random) -> str:
    ascii_words = _ascii_vocabulary()
    return "-".join(rng.choice(ascii_words) for _ in range(rng.randint(4, 8)))


@cache
def _ascii_vocabulary() -> tuple[str, ...]:
    from slugify import slugify

    words = {slugify(w) for w in lexicon("vi").words[:3000]}
    return tuple(sorted(w for w in words if w))


def _record(
    rng: random.Random,
    site: SiteData,
    serial: int,
    edition: str,
    slug: str,
    day: date,
    group: str,
) -> dict[str, Any]:
    lex = lexicon(edition)
    moment = datetime(day.year, day.month, day.day, 1, 0) + timedelta(
        seconds=rng.randrange(15 * 3600), milliseconds=rng.randrange(1000)
    )
    local = moment + timedelta(hours=7)
    timed = rng.random() < 0.5
    raw = local.strftime("%H:%M %d/%m/%Y") if timed else local.strftime("%d/%m/%Y")
    published = local.strftime("%Y-%m-%dT%H:%M:00+07:00") if timed else local.date().isoformat()
    name, domain, logo = PAPERS[rng.randrange(len(PAPERS))]
    categories = list(site.config["categories"])
    body: list[dict[str, Any]] = [{"type": "ad", "n": 1}]
    body.append({"type": "p", "text": _paragraph(rng, lex)})
    if rng.random() < 0.3:
        body.append({"type": "related_box", "text": _sentence(rng, lexicon("vi"), 8, 16),
                     "url": f"https://{domain}/{slug}-{serial + 7:d}-tin-lien-quan.html"})
    for i in range(rng.randint(2, 8)):
        if i in (0, 3) and rng.random() < 0.55:
            credit = rng.choice(CREDITS) if rng.random() < 0.6 else None
            body.append({
                "type": "image",
                "src": f"https://vphoto.vietnam.vn/thumb/1200x675/vietnam/resource/IMAGE/"
                       f"{day.year}/{day.month}/{day.day}/{slug[:40]}-{serial}-{i}.jpg",
                "alt": f"{slug[:30]} - Ảnh {i + 1}.",
                "caption": _sentence(rng, lex, 6, 16),
                "credit": credit,
            })
        body.append({"type": "p", "text": _paragraph(rng, lex)})
    body.append({"type": "ad", "n": 2})
    authors = rng.sample(PEOPLE, rng.randint(1, 2)) if rng.random() < 0.2 else []
    record: dict[str, Any] = {
        "name": f"synth_{serial:06d}_{edition}",
        "template": "article",
        "edition": edition,
        "slug": slug,
        "group": group,
        "category": rng.choice(categories),
        "show_category": rng.random() < 0.5,
        "headline": _sentence(rng, lex, 6, 14).rstrip(".。 "),
        "source": {"name": name, "logo": f"https://vphoto.vietnam.vn/organization/{logo}",
                   "url": f"https://{domain}/{slug}-{serial}.html"},
        "date_published_raw": raw,
        "date_published": published,
        "lastmod": _iso(moment),
        "day": day.isoformat(),
        "fetched_at": f"{(day + timedelta(days=1)).isoformat()}T00:00:00+00:00",
        "meta": {"jsonld": rng.random() < 0.2, "og": rng.random() < 0.9},
        "body": body,
        "related": {},
        "comments": 0,
    }
    if authors:
        record["authors"] = authors
        record["author_line"] = {"prefix": BYLINE_PREFIX.get(edition, "By")}
    return record


def _link_related(rng: random.Random, records: list[dict[str, Any]],
                  pool: list[dict[str, Any]] | None = None) -> None:
    """Related lists point to articles of the same edition (category, any, author)."""
    pool = pool if pool is not None else records
    by_edition: dict[str, list[dict[str, Any]]] = {}
    by_category: dict[tuple[str, str], list[dict[str, Any]]] = {}
    by_author: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in pool:
        by_edition.setdefault(r["edition"], []).append(r)
        by_category.setdefault((r["edition"], r["category"]), []).append(r)
        for person in r.get("authors", []):
            by_author.setdefault((r["edition"], person), []).append(r)

    def pick(candidates: list[dict[str, Any]], k: int, me: dict[str, Any]) -> list[str]:
        chosen: list[str] = []
        for _ in range(k * 2):
            if len(chosen) == k or not candidates:
                break
            slug = candidates[rng.randrange(len(candidates))]["slug"]
            if slug != me["slug"] and slug not in chosen:
                chosen.append(slug)
        return chosen

    for r in records:
        edition = r["edition"]
        authors = r.get("authors", [])
        r["related"] = {
            "same_topic": pick(by_edition[edition], rng.randint(0, 3), r),
            "same_category": pick(by_category[(edition, r["category"])], rng.randint(2, 4), r),
            "same_author": pick(by_author.get((edition, authors[0]), []), 2, r) if authors else [],
        }


def synthesize(
    count: int,
    seed: int = 0,
    days: int | Iterable[date | str] = 5,
    editions: Iterable[str] | None = None,
    *,
    end: date = DEFAULT_END,
    translated: float = 0.3,
) -> SiteData:
    """`count` article pages over `days` (a number of days ending at `end`, or the days),
    in `editions` (default: every edition of the real site, Vietnamese weighted most); a
    `translated` share of stories also appear in one or two other editions (same slug,
    hreflang group)."""
    base = _real_site()
    editions = list(editions or base.editions)
    weights = [4 if e == "vi" else 2 if e in ("en", "id") else 1 for e in editions]
    day_list = _day_list(days, end)
    rng = random.Random(f"synth:{seed}")
    records: list[dict[str, Any]] = []
    serial = 0
    while len(records) < count:
        serial += 1
        first = rng.choices(editions, weights)[0]
        story = [first]
        if len(editions) > 1 and rng.random() < translated:
            others = [e for e in editions if e != first]
            story += rng.sample(others, min(len(others), rng.randint(1, 2)))
        slug = f"{_slug_words(rng)}-{serial:06d}"
        day = day_list[rng.randrange(len(day_list))]
        for edition in story[: count - len(records)]:
            records.append(_record(rng, base, serial, edition, slug, day, slug))
    _link_related(rng, records)
    return site_from_records(base.config, {}, records)


def expected_articles(site: SiteData) -> Iterator[dict[str, Any]]:
    """The expected Article dict of every page (expected.computed_article), in site order."""
    for view in site.articles:
        yield computed_article(site, view)


# -- mutations: each returns a new SiteData that a second build_site(site=...) serves -------


def _rebuild(site: SiteData, records: list[dict[str, Any]],
             teasers: dict[str, Any] | None = None, changed: set[str] = frozenset()) -> SiteData:
    """A new site from records; a changed page loses its hand-written expectation."""
    hand = {v.name: v.hand_expected for v in site.articles
            if v.hand_expected is not None and v.name not in changed}
    return site_from_records(site.config, teasers if teasers is not None else site.teasers,
                             records, hand_expected=hand)


def _newest(site: SiteData) -> datetime:
    return max(v.lastmod for v in site.articles).replace(tzinfo=None)


def edit(site: SiteData, n: int, seed: int = 0) -> SiteData:
    """Change the body text of `n` articles (a new last paragraph; headline, lead and images
    unchanged, so no other page changes) and bump their lastmod past the newest one; each stays
    in its day's post sitemap. A page that had a hand-written expectation loses it."""
    rng = random.Random(f"edit:{seed}")
    chosen = set(rng.sample(range(len(site.articles)), n))
    newest = _newest(site)
    records: list[dict[str, Any]] = []
    bumped = 0
    for i, view in enumerate(site.articles):
        if i not in chosen:
            records.append(view.record)
            continue
        record = copy.deepcopy(view.record)
        record["day"] = view.day.isoformat()
        bumped += 1
        record["lastmod"] = _iso(newest + timedelta(minutes=bumped))
        lex = lexicon(view.edition)
        body = record["body"]
        spots = [j for j, b in enumerate(body) if b["type"] == "p"]
        old = {b.get("text") for b in body}
        text = _paragraph(rng, lex)
        while text in old:
            text = _paragraph(rng, lex)
        if len(spots) > 1 or (record.get("sapo") and spots):
            body[spots[-1]] = {"type": "p", "text": text}
        else:
            body.insert(spots[-1] + 1 if spots else len(body), {"type": "p", "text": text})
        records.append(record)
    changed = {site.articles[i].name for i in chosen}
    return _rebuild(site, records, changed=changed)


def add(site: SiteData, n: int, seed: int = 0) -> SiteData:
    """`n` new articles on the newest day, lastmod after every existing one."""
    rng = random.Random(f"add:{seed}")
    day = max(v.day for v in site.articles)
    newest = _newest(site)
    serials = [int(m.group(1)) for v in site.articles
               if (m := re.match(r"synth_(\d+)_", v.name))]
    serial = max(serials, default=900_000)
    taken = {(v.edition, v.slug) for v in site.articles}
    editions = sorted({v.edition for v in site.articles}, key=site.editions.index)
    new: list[dict[str, Any]] = []
    while len(new) < n:
        serial += 1
        edition = rng.choice(editions)
        slug = f"{_slug_words(rng)}-{serial:06d}"
        if (edition, slug) in taken:
            continue
        record = _record(rng, site, serial, edition, slug, day, slug)
        record["lastmod"] = _iso(newest + timedelta(minutes=30 + len(new)))
        record["fetched_at"] = f"{(day + timedelta(days=1)).isoformat()}T00:00:00+00:00"
        new.append(record)
    pool = [v.record for v in site.articles] + new
    _link_related(rng, new, pool)
    return _rebuild(site, [v.record for v in site.articles] + new)


def remove(site: SiteData, slugs: Iterable[str]) -> SiteData:
    """Drop every edition of the articles with these slugs (their URLs then answer 404).
    Other pages keep their related links to them (now teasers), so they do not change."""
    gone = set(slugs)
    teasers = dict(site.teasers)
    for view in site.articles:
        if view.slug in gone:
            teaser = teasers.get(view.slug, {"headline": {}, "thumbs": {}})
            teasers[view.slug] = {
                "headline": {**teaser["headline"], view.edition: view.record["headline"]},
                "thumbs": {**teaser.get("thumbs", {}), view.edition: view.thumb},
            }
    kept = [v.record for v in site.articles if v.slug not in gone]
    return _rebuild(site, kept, teasers)


def views_named(site: SiteData, names: Iterable[str]) -> list[ArticleView]:
    wanted = set(names)
    return [v for v in site.articles if v.name in wanted]
