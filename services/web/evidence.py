"""The body of an incident cut into pieces, each marked with the fields whose evidence it is.

The parser's `evidence` gives, per field, the rule that decided it and a short
quote of the text it came from. The page shows the body with those quotes
highlighted, so a reader sees why a field has its value. A quote is looked up
at its first occurrence (str.find: linear in the body); two quotes may overlap,
so the body is cut at every start and end and each piece carries every field
that covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Piece:
    """A run of the body and the fields whose evidence covers it (none: plain text)."""

    text: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    """One field's evidence and where its text sits in the body (start None: not found there)."""

    field: str
    rule: str
    text: str
    start: int | None


def quotes(body: str, evidence: Mapping[str, Any]) -> list[Quote]:
    """Each field's evidence with the offset of its text in the body, in the order the parser gave them."""
    found = []
    for field, entry in evidence.items():
        if not isinstance(entry, Mapping):
            continue
        text = str(entry.get("text") or "")
        start = body.find(text) if text.strip() else -1
        found.append(Quote(field, str(entry.get("rule") or ""), text, start if start >= 0 else None))
    return found


def pieces(body: str, located: list[Quote]) -> list[Piece]:
    """The body cut at every quote's start and end; concatenating the texts gives the body back."""
    spans = [(q.start, q.start + len(q.text), q.field) for q in located if q.start is not None]
    cuts = sorted({0, len(body), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    result = []
    for left, right in zip(cuts, cuts[1:]):
        fields = tuple(field for start, end, field in spans if start <= left and right <= end)
        result.append(Piece(body[left:right], fields))
    return result
