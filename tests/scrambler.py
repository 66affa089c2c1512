"""A redesign in a function: every class token and id of a page renamed to random strings.

Test code for the class-blind tests (tests/test_vietnam_vn_class_blind.py). Pure and
deterministic: the same page and seed give the same bytes. A token is renamed the same way
everywhere in the page (as a CSS build renames it), to a random name that shares nothing with
the old one. Only the class tokens in `keep` survive: the hooks VIETNAM_VN.md confirms on the
live site (mode "hooks"), or none at all (mode "bare": an older template has none of them).
Tags, text, `href`, `src`, `data-src`, `style` and every other attribute are left as they are.
"""

from __future__ import annotations

import random
import string

from lxml import etree, html

SEED = 20240527
# Class names VIETNAM_VN.md calls confirmed (its "Confirmed structure"); `[role=main]` and
# `img[data-src]` are attributes the scrambler never touches.
CONFIRMED_CLASSES = frozenset({"post-detail-container", "post-detail-body",
                               "ant-layout-content", "v-link-title"})
MODES = {"hooks": CONFIRMED_CLASSES, "bare": frozenset()}
_LETTERS = string.ascii_lowercase
_ALPHABET = string.ascii_lowercase + string.digits


def scramble(page: str, seed: int = SEED, keep: frozenset[str] = CONFIRMED_CLASSES) -> str:
    """The page with every class token (except `keep`) and every id replaced by random names."""
    root = html.document_fromstring(page)
    rng = random.Random(seed)
    names: dict[str, str] = {}

    def rename(token: str) -> str:
        if token not in names:
            name = rng.choice(_LETTERS) + "".join(rng.choices(_ALPHABET, k=9))
            while name in names.values():  # pragma: no cover - 36^9 names
                name += rng.choice(_ALPHABET)
            names[token] = name
        return names[token]

    for element in root.iter(etree.Element):
        classes = element.get("class")
        if classes is not None:
            tokens = [t if t in keep else rename("." + t) for t in classes.split()]
            element.set("class", " ".join(tokens))
        if element.get("id") is not None:
            element.set("id", rename("#" + element.get("id")))
    doctype = root.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    return html.tostring(root, encoding="unicode", doctype=doctype)
