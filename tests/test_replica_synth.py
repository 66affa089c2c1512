"""Synthetic replicas and mutations: determinism, counts, unique URLs, exact changes."""

from __future__ import annotations

import http.client

from portal_crawler.article import FIELD_NAMES
from portal_crawler.replica import ReplicaServer
from portal_crawler.replica.content import load_site
from portal_crawler.replica.generate import build_site
from portal_crawler.replica.synth import add, edit, expected_articles, remove, synthesize


def test_synthesize_is_deterministic_and_counts() -> None:
    a, b = synthesize(300, seed=7), synthesize(300, seed=7)
    assert [v.record for v in a.articles] == [v.record for v in b.articles]
    assert [v.record for v in synthesize(300, seed=8).articles] != [v.record for v in a.articles]
    assert len(a.articles) == 300
    assert len({v.url for v in a.articles}) == 300
    assert len({v.name for v in a.articles}) == 300
    assert len({v.day for v in a.articles}) == 5
    assert {v.edition for v in synthesize(200, seed=1, editions=["vi", "th"]).articles} == {
        "vi", "th"}


def test_synthetic_text_is_varied_and_long_tailed() -> None:
    site = synthesize(400, seed=3, editions=["vi", "en"])
    paragraphs = [p for v in site.articles for p in v.paragraphs]
    assert len(set(paragraphs)) == len(paragraphs)
    counts: dict[str, int] = {}
    for v in site.articles:
        for word in set(" ".join(v.paragraphs).lower().split()):
            counts[word] = counts.get(word, 0) + 1
    rare = [w for w, n in counts.items() if n < 0.05 * len(site.articles)]
    assert len(rare) > 0.8 * len(counts) and len(counts) > 3000
    assert any(v.images for v in site.articles) and any(not v.images for v in site.articles)
    assert all(any(items for _, items in v.related) for v in site.articles)


def test_synthetic_site_is_served_and_has_expectations() -> None:
    site = synthesize(120, seed=5)
    served = build_site(site=site)
    items = list(expected_articles(site))
    assert len(items) == 120 and all(tuple(i) == FIELD_NAMES for i in items)
    assert all(i["headline"] and i["body"] and i["date_published"] for i in items)
    with ReplicaServer(served) as replica:
        conn = http.client.HTTPConnection("127.0.0.1", replica.port, timeout=5)
        conn.request("GET", site.articles[0].path, headers={"Host": "www.vietnam.vn"})
        response = conn.getresponse()
        assert response.status == 200 and site.articles[0].record["headline"].encode() in (
            response.read())
        conn.close()
    days = served.days()
    assert len(days) == 5 and days == sorted({v.day for v in site.articles})


def _bodies(site) -> dict[str, bytes]:
    return {path: r.body for (host, path), r in build_site(site=site).items()
            if host == "www.vietnam.vn"}


def test_edit_changes_exactly_n_articles() -> None:
    site = synthesize(200, seed=11)
    edited = edit(site, 10, seed=1)
    assert edit(site, 10, seed=1).articles[5].record == edited.articles[5].record  # deterministic
    before, after = _bodies(site), _bodies(edited)
    assert set(before) == set(after)
    old = {v.path: v for v in site.articles}
    new = {v.path: v for v in edited.articles}
    # article pages; listings (newest first) and sitemaps change with the lastmods
    pages = {p for p in old if before[p] != after[p]}
    moved = {p for p in new if new[p].record != old[p].record}
    assert len(moved) == 10 and pages == moved
    for path in moved:
        assert new[path].paragraphs != old[path].paragraphs
        assert new[path].paragraphs[0] == old[path].paragraphs[0]
        assert new[path].lastmod > max(v.lastmod for v in site.articles)
        assert new[path].day == old[path].day
    assert len(site.articles) == len(edited.articles)


def test_add_puts_new_articles_on_the_newest_day() -> None:
    site = synthesize(150, seed=12)
    grown = add(site, 20, seed=2)
    old = {v.url for v in site.articles}
    new = [v for v in grown.articles if v.url not in old]
    assert len(new) == 20 and len(grown.articles) == 170
    newest_day = max(v.day for v in site.articles)
    assert all(v.day == newest_day for v in new)
    assert min(v.lastmod for v in new) > max(v.lastmod for v in site.articles)
    before, after = _bodies(site), _bodies(grown)
    for view in site.articles:  # existing pages do not change
        assert before[view.path] == after[view.path]


def test_remove_drops_pages_and_nothing_else() -> None:
    site = synthesize(150, seed=13)
    gone = [site.articles[0].slug, site.articles[40].slug]
    smaller = remove(site, gone)
    assert {v.slug for v in smaller.articles}.isdisjoint(gone)
    before, after = _bodies(site), _bodies(smaller)
    removed = {v.path for v in site.articles if v.slug in gone}
    assert removed and not removed & set(after)
    for view in smaller.articles:
        assert before[view.path] == after[view.path]


def test_mutations_apply_to_the_real_replica() -> None:
    site = load_site()
    edited = edit(site, 3, seed=4)
    changed = [v for v, w in zip(site.articles, edited.articles, strict=True)
               if v.record != w.record]
    assert len(changed) == 3
    grown = add(site, 5, seed=4)
    assert len(grown.articles) == len(site.articles) + 5
    assert len(_bodies(grown)) > len(_bodies(site))
