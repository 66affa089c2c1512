"""Text as the full-text index sees it, and queries turned the same way.

FTS5's built-in `unicode61 remove_diacritics 2` folds Vietnamese tone marks but not đ/Đ, and
splits words only at spaces, which Chinese, Japanese and Thai do not write. So the index holds
a transformed copy of the text: đ folded to d, and runs of those scripts as overlapping
character bigrams (as Lucene's CJK analyzer does). The tokenizer stays built-in, so Datasette
and sqlite-utils read the index as is; queries go through `fts_query()`.
"""

from __future__ import annotations

import re
import unicodedata

# Han, Hiragana, Katakana (incl. prolonged sound mark), Thai, Lao, Khmer, Myanmar:
# scripts written without spaces between words.
_UNSPACED = (
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
)
_RUN = re.compile(f"[{_UNSPACED}]+")
# Query syntax we pass through untouched: operators, grouping, column filters, prefixes.
_QUERY_TOKEN = re.compile(r'"[^"]*"|\S+')
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


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
    text = _fold_d(unicodedata.normalize("NFC", text))
    return _RUN.sub(_spaced_bigrams, text)


def _spaced_bigrams(match: re.Match[str]) -> str:
    return f" {_bigrams(match.group(0))} "


def fts_query(query: str) -> str:
    """A user's query made to match `index_text`: words fold the same way; a run of an unspaced
    script becomes the phrase of its bigrams. Operators and quotes keep their meaning."""
    parts = []
    for token in _QUERY_TOKEN.findall(unicodedata.normalize("NFC", query)):
        if token in _OPERATORS:
            parts.append(token)
            continue
        quoted = token.startswith('"') and token.endswith('"') and len(token) > 1
        inner = token[1:-1] if quoted else token
        converted = index_text(inner).strip()
        if quoted or (converted != _fold_d(inner) and " " in converted):
            parts.append('"' + converted.replace('"', '""') + '"')
        else:
            parts.append(converted)
    return " ".join(p for p in parts if p)
