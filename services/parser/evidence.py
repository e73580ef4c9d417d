"""Why a field has its value: the rule that decided it and the text it came from.

Every extractor returns its value with an `Evidence`; the incident carries them
under ``evidence`` (schemas/incident.schema.json) and ``jikenbo parse --explain``
prints them, so a doubted field is explained in one look.
"""

from __future__ import annotations

from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T", covariant=True)  # a Found[str] is a Found[str | None]
_TEXT_LIMIT = 160


class Evidence(NamedTuple):
    """The rule that decided a field and the text it read (cut to a short quote)."""

    rule: str
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "text": quote(self.text)}


class Found(NamedTuple, Generic[T]):
    """A field value with its evidence."""

    value: T
    evidence: Evidence


def quote(text: str) -> str:
    """A one-line quote of at most _TEXT_LIMIT characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _TEXT_LIMIT else flat[:_TEXT_LIMIT - 1] + "…"


def found(value: Any, rule: str, text: str = "") -> Found[Any]:
    """Shorthand for Found(value, Evidence(rule, text))."""
    return Found(value, Evidence(rule, text))
