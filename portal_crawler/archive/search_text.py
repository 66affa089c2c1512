"""Text as the full-text index sees it, and queries turned the same way.

FTS5's built-in `unicode61 remove_diacritics 2` folds Vietnamese tone marks but not đ/Đ, and
splits words only at spaces, which Chinese, Japanese and Thai do not write. So the index holds
each field twice: the original text (what Datasette's search box and `sqlite-utils search`
find "Đường" in, and show) and, when it differs, a folded shadow: đ folded to d, and runs of
those scripts as overlapping character bigrams (as Lucene's CJK analyzer does), where "duong"
and two-character words are found. The tokenizer stays built-in, so Datasette and sqlite-utils
read the index as is; our own queries go through `fts_query()`, which folds them likewise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The fields the index reads, each beside a folded shadow column (FOLDED_SUFFIX).
SEARCH_FIELDS = ("headline", "lead", "body", "captions")
FOLDED_SUFFIX = "_folded"
SEARCH_COLUMNS = [*SEARCH_FIELDS, *(f + FOLDED_SUFFIX for f in SEARCH_FIELDS)]

# Han, Hiragana, Katakana (incl. prolonged sound mark), Thai, Lao, Khmer, Myanmar:
# scripts written without spaces between words.
_UNSPACED = (
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
)
_RUN = re.compile(f"[{_UNSPACED}]+")


def _bigrams(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join([run[i : i + 2] for i in range(len(run) - 1)])


def _fold_d(text: str) -> str:
    # str.replace is many times faster than str.translate with a mapping on long texts.
    return text.replace("đ", "d").replace("Đ", "D")


def index_text(text: str | None) -> str:
    """NFC, đ -> d, and unspaced scripts as bigrams; other text is left to the tokenizer."""
    if not text:
        return ""
    return _fold_nfc(unicodedata.normalize("NFC", text))


def _fold_nfc(text: str) -> str:
    return _RUN.sub(_spaced_bigrams, _fold_d(text))


def _spaced_bigrams(match: re.Match[str]) -> str:
    return f" {_bigrams(match.group(0))} "


def folded_copy(text: str | None) -> str | None:
    """The field's shadow for the index: `index_text`, or None when that changes nothing
    (no đ, no unspaced script): the original column alone then answers folded queries."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", text)
    folded = _fold_nfc(text)
    return None if folded == text else folded


# -- queries: FTS5's own syntax, read rather than split at spaces -----------------------------
# FTS5 barewords are runs of letters, digits, "_" and any non-ASCII character; the rest of
# ASCII is syntax or an error. A word holding anything else ("Nga-Triều", "13/9") is searched
# as a phrase, so that analysts need not learn the rule.
_LEXEME = re.compile(r'(?P<space>\s+)|(?P<string>"(?:[^"]|"")*"?)|(?P<punct>[(){}:*^+,])'
                     r'|(?P<word>[^\s"(){}:*^+,]+)')
_OPERATORS = frozenset({"AND", "OR", "NOT"})


def _is_bareword(text: str) -> bool:
    return bool(text) and all(ord(c) > 127 or c.isalnum() or c == "_" for c in text)


@dataclass(frozen=True)
class Term:
    """A word or phrase of a query as the user typed it (no quotes) and whether it is a
    prefix (`word*`): what snippets highlight."""

    text: str
    prefix: bool = False


def _lexemes(query: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "", m.group(0)) for m in _LEXEME.finditer(query)]


def _next_solid(lexemes: list[tuple[str, str]], i: int) -> str:
    for kind, text in lexemes[i + 1:]:
        if kind != "space":
            return text
    return ""


def _phrase(text: str, quoted: bool) -> str:
    converted = index_text(text).strip()
    if not re.search(r"\w", converted):
        return ""
    if not quoted and _is_bareword(converted) and converted not in _OPERATORS:
        return converted
    return '"' + converted.replace('"', '""') + '"'


def _columns(names: list[str]) -> str:
    """A column filter on a field covers its folded shadow too."""
    out = []
    for name in names:
        out.append(name)
        if name in SEARCH_FIELDS:
            out.append(name + FOLDED_SUFFIX)
    return "{" + " ".join(out) + "}"


def parse_query(query: str) -> tuple[str, list[Term]]:
    """A user's FTS5 query as the index needs it, and its terms.

    Operators (AND OR NOT, NEAR(... , N)), grouping, column filters (`headline:`,
    `{headline lead}:`), `^` and prefix `*` keep their meaning; each word or "phrase" is folded
    like the index (đ -> d, unspaced scripts as bigram phrases)."""
    lexemes = _lexemes(unicodedata.normalize("NFC", query))
    out: list[str] = []
    terms: list[Term] = []
    in_near = False
    braces: list[str] | None = None
    previous = ""
    for i, (kind, text) in enumerate(lexemes):
        following = _next_solid(lexemes, i)
        if kind == "space":
            if braces is None:
                out.append(" ")
            continue
        if braces is not None:  # inside {col col}
            if text == "}":
                out.append(_columns(braces))
                braces = None
            elif kind == "word":
                braces.append(text)
            previous = text
            continue
        if kind == "punct":
            if text == "{":
                braces = []
            else:
                out.append(text)
                if text == ")":
                    in_near = False
                if text == "*" and terms and previous not in ("", ")", ":"):
                    terms[-1] = Term(terms[-1].text, prefix=True)
        elif kind == "word" and text in _OPERATORS:
            out.append(text)
        elif kind == "word" and text == "NEAR" and following == "(":
            out.append(text)
            in_near = True
        elif kind == "word" and following == ":":
            out.append(_columns([text]))
        elif kind == "word" and in_near and previous == "," and text.isdigit():
            out.append(text)  # NEAR's distance
        else:
            quoted = kind == "string"
            closed = quoted and len(text) > 1 and text.endswith('"')
            inner = text[1:-1 if closed else None].replace('""', '"') if quoted else text
            phrase = _phrase(inner, quoted)
            if quoted and not closed:
                phrase = phrase[:-1]  # FTS5 says "unterminated string"
            if phrase:
                out.append(phrase)
                terms.append(Term(inner))
        previous = text
    return re.sub(r" {2,}", " ", "".join(out)).strip(), terms


def fts_query(query: str) -> str:
    """The FTS5 MATCH text for a user's query (see parse_query)."""
    return parse_query(query)[0]
