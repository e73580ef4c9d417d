"""The body of an incident cut into pieces, each marked with the fields whose evidence it is.

The parser's `evidence` gives, per field, the rule that decided it and a short
quote of the text it came from. The page shows the body with those quotes
highlighted, so a reader sees why a field has its value. The parser quotes
normalised text (NFKC, line breaks joined), so a quote is looked up in a folded
copy of the body (each character NFKC-normalised, white space dropped) that
remembers where each character came from: one pass over the body, then str.find
for the first occurrence, both linear. Two quotes may overlap, so the body is
cut at every start and end and each piece carries every field that covers it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Piece:
    """A run of the body and the fields whose evidence covers it (none: plain text)."""

    text: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """One field's evidence and where its text sits in the body: body[start:end] (start None: not found there)."""

    field: str
    rule: str
    text: str
    start: int | None
    end: int | None


def quotes(body: str, evidence: Mapping[str, Any]) -> list[Quote]:
    """Each field's evidence with the span of its text in the body, in the order the parser gave them."""
    folded, origin = fold(body)
    found = []
    for field, entry in evidence.items():
        if not isinstance(entry, Mapping):
            continue
        text = str(entry.get("text") or "")
        needle = fold(text)[0]
        at = folded.find(needle) if needle else -1
        span = (origin[at], origin[at + len(needle) - 1] + 1) if at >= 0 else (None, None)
        found.append(Quote(field, str(entry.get("rule") or ""), text, *span))
    return found


def fold(text: str) -> tuple[str, list[int]]:
    """The text with each character NFKC-normalised and white space dropped, and for each
    character of the result the index of the character of `text` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in unicodedata.normalize("NFKC", char) if not char.isascii() else char:
            if not folded.isspace():
                chars.append(folded)
                origin.append(index)
    return "".join(chars), origin


def pieces(body: str, located: list[Quote]) -> list[Piece]:
    """The body cut at every quote's start and end; concatenating the texts gives the body back."""
    spans = [(q.start, q.end, q.field) for q in located if q.start is not None and q.end is not None]
    cuts = sorted({0, len(body), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    result = []
    for left, right in zip(cuts, cuts[1:]):
        fields = tuple(field for start, end, field in spans if start <= left and right <= end)
        result.append(Piece(body[left:right], fields))
    return result
