"""The vietnam.vn parser on template families: the same content records in other markup.

Each family (portal_crawler/replica/families.py) prints every record of the current template
differently: related items as siblings or in class-free lists, the related box in a div, table
or list, WordPress, table and after-the-image captions, the legal footer inside the body, the
source trailer as "<label>: <paper>" in each edition's words. The expected Article comes from
the record (replica/expected.py), never from extract(). A few pages per family are stored as
golden pages (tests/pages/vietnam_vn_families, checked field by field by test_golden.py);
here every record is rendered in every family, plain and with its class names scrambled.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from scrambler import MODES, SEED, scramble
from test_golden import _comparable

from portal_crawler.article import FIELD_NAMES
from portal_crawler.extract import extract
from portal_crawler.replica.content import SiteData, load_site
from portal_crawler.replica.expected import expected_article
from portal_crawler.replica.families import FAMILIES, GOLDEN, markup
from portal_crawler.replica.generate import build_site, family_golden_pairs
from portal_crawler.replica.render import render_article

STORED = Path(__file__).parent / "pages" / "vietnam_vn_families"
CLASS_BLIND = ("headline", "source", "authors", "date_published", "date_published_raw", "body",
               "images", "source_url", "related_links")


@cache
def site() -> SiteData:
    return load_site()


def current_template() -> list[str]:
    return [v.name for v in site().articles if v.record.get("template", "article") == "article"]


@cache
def rendered(family: str, name: str) -> tuple[str, dict[str, Any]]:
    view = next(v for v in site().articles if v.name == name)
    return render_article(site(), view, family=family), expected_article(site(), view, family)


def run(page: str, expected: dict[str, Any]) -> dict[str, Any]:
    return extract(page.encode("utf-8"), expected["url"],
                   fetched_at=expected["fetched_at"]).to_dict()


@pytest.mark.parametrize("family", FAMILIES)
def test_every_record_in_the_family(family: str) -> None:
    for name in current_template():
        page, expected = rendered(family, name)
        actual = run(page, expected)
        wrong = [field for field in FIELD_NAMES if _comparable(field, actual[field])
                 != _comparable(field, expected[field])]
        assert not wrong, (name, {f: (actual[f], expected[f]) for f in wrong})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_record_in_the_family_class_blind(family: str, mode: str) -> None:
    for name in current_template():
        page, expected = rendered(family, name)
        actual = run(scramble(page, SEED, MODES[mode]), expected)
        wrong = [field for field in CLASS_BLIND if actual[field] != expected[field]]
        assert not wrong, (name, {f: (actual[f], expected[f]) for f in wrong})


@pytest.mark.parametrize("family", FAMILIES)
def test_family_changes_the_markup_not_the_text(family: str) -> None:
    """A family is a redesign: other tags around the same words, never other words (beside
    the footer lines a family moves into the body and a trailer naming its paper)."""
    for name in GOLDEN[family]:
        view = next(v for v in site().articles if v.name == name)
        default = render_article(site(), view)
        page, _ = rendered(family, name)
        assert page != default
        words = set(html.fromstring(default).text_content().split())
        extra = set(html.fromstring(page).text_content().split()) - words
        source = set(view.record["source"]["name"].split())
        if markup(family)["legal"] == "body":
            extra -= {"Nguồn:"} | {w for line in site().config["footer"] for w in line.split()}
        if markup(family)["trailer"] == "named":
            extra -= {site().strings(view.edition)["source_trailer"] + ":"}
        assert extra <= source, (name, extra)


def test_stored_family_pages_match_the_generator() -> None:
    pairs = family_golden_pairs(site())
    assert {p.stem for p in STORED.glob("*.html")} == set(pairs)
    assert {p.stem for p in STORED.glob("*.json")} == set(pairs)
    for name, (page, expected) in pairs.items():
        assert (STORED / f"{name}.html").read_text("utf-8") == page, name
        assert (STORED / f"{name}.json").read_text("utf-8") == expected, name
        assert json.loads(expected)["parser"].startswith("vietnam_vn/")


def test_stored_pages_cover_every_family_and_edition() -> None:
    assert set(GOLDEN) == set(FAMILIES)
    views = {v.name: v for v in site().articles}
    editions = {views[name].edition for name in GOLDEN["trailer_named"]}
    assert editions == set(site().editions)  # the trailer in every edition's words


def test_the_demo_replica_serves_the_default_markup() -> None:
    default, family = build_site(), build_site(family="related_siblings")
    assert default.keys() == family.keys()
    view = site().articles[0]
    key = ("www.vietnam.vn", view.path)
    assert default[key].body == render_article(site(), view).encode("utf-8")
    assert family[key].body != default[key].body


def test_unknown_family_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown template family"):
        markup("no-such-family")
