from __future__ import annotations

import pytest

from portal_crawler.normalize import clean_authors, split_byline


@pytest.mark.parametrize(
    ("raw", "authors", "publication"),
    [
        ("Báo Quốc TếBáo Quốc Tế", [], "Báo Quốc Tế"),
        ("Theo Báo Quốc Tế", [], "Báo Quốc Tế"),
        ("Oleh: Andi Saputra (andi@example.id), Wartawan", ["Andi Saputra"], None),
        ("By John Smith and Jane Doe", ["John Smith", "Jane Doe"], None),
        ("By Jane Doe | Staff Writer", ["Jane Doe"], None),
        ("Nguyễn Văn A - Trần Thị B (Báo Quốc Tế)", ["Nguyễn Văn A", "Trần Thị B"], "Báo Quốc Tế"),
        ("PV Minh Anh", ["Minh Anh"], None),
        ("Thanh Hà (PV)", ["Thanh Hà"], None),
        ("John Smith, Reuters", ["John Smith"], "Reuters"),
        ("Minh Hòa (theo AFP)", ["Minh Hòa"], "AFP"),
        ("jane@example.com", [], None),
        ("", [], None),
    ],
)
def test_split_byline(raw: str, authors: list[str], publication: str | None) -> None:
    byline = split_byline(raw)
    assert byline.authors == authors
    assert byline.publication == publication


def test_known_publication_is_not_an_author() -> None:
    assert split_byline("Thời Đại", publications=["Thời Đại"]).authors == []


@pytest.mark.parametrize(
    "names", [["By John Smith", "Oleh: Andi"], ["Nguyễn Văn A", "Nguyễn Văn A"], []]
)
def test_clean_authors_is_idempotent(names: list[str]) -> None:
    once = clean_authors(names)
    assert clean_authors(once) == once
    assert len(once) == len(set(once))


def test_a_web_address_in_a_byline_is_no_person() -> None:
    from portal_crawler.normalize.bylines import split_byline

    assert split_byline("Bradley M. Kuhn (http://example.org/bkuhn/)").authors == [
        "Bradley M. Kuhn"]
    assert split_byline("By Jane Doe, https://janedoe.example").authors == ["Jane Doe"]
