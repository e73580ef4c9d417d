"""The text the full-text index holds, and turning what a person types into an FTS5 query.

The index is SQLite FTS5 with the trigram tokenizer: Japanese has no spaces
between words, and trigrams find any substring of three characters or more
(`電子カルテ`, `イセトー`) wherever it sits in running text. Text is folded
the way subscription keywords are (NFKC, casefold), so `ＡＣＭＡＩＬＥＲ` in a
body is found by `acmailer`, exactly as a keyword subscription would match it.

Shorter terms (`病院`, `AI`) contain no trigram. Every indexed text ends with
two padding characters, so each occurrence of a one- or two-character term
starts some indexed trigram; such a term is asked as the OR of the index's own
trigrams that start with it (read from the fts5vocab table). That keeps short
terms on the index, with the same folding, instead of a LIKE scan of every body.
"""

from __future__ import annotations

import unicodedata
from typing import Callable, Sequence

TRIGRAM = 3
PAD = "\x01\x01"  # never in a query: control characters are dropped from terms


def fold(text: str) -> str:
    """Comparison form, the same as subscription keywords: NFKC, casefolded."""
    return unicodedata.normalize("NFKC", text).casefold()


def indexed(text: str | None) -> str:
    """What the index holds for one title or body."""
    return fold(text or "") + PAD


def terms(query: str) -> list[str]:
    """The search terms: whitespace-separated, folded, control characters dropped, each once."""
    cleaned = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in fold(query))
    return list(dict.fromkeys(cleaned.split()))


def phrase(term: str) -> str:
    """An FTS5 string literal: the term as one phrase, never query syntax."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: str, trigrams_starting: Callable[[str], Sequence[str]]) -> str | None:
    """The FTS5 MATCH expression for `query`: every term must occur (AND).

    `trigrams_starting(term)` lists the indexed trigrams that begin with a short
    term. None when some short term occurs nowhere, so nothing can match; callers
    check `terms(query)` first (no terms: no search at all)."""
    parts = []
    for term in terms(query):
        if len(term) >= TRIGRAM:
            parts.append(phrase(term))
            continue
        grams = trigrams_starting(term)
        if not grams:
            return None
        parts.append("(" + " OR ".join(phrase(gram) for gram in grams) + ")")
    return " AND ".join(parts)
