"""Many words found in one pass over a text (Aho-Corasick).

The parser looks up thousands of words (municipalities, kind words, cue words,
vendor names) and the alerter every subscribed name; one pass finds them all.
ahocorasick-rs (Rust) scans Japanese text about ten times faster than
pyahocorasick, whose nodes look their transitions up one by one.
"""

from __future__ import annotations

from typing import Generic, Mapping, TypeVar

from ahocorasick_rs import AhoCorasick, MatchKind

V = TypeVar("V")


class Dictionary(Generic[V]):
    """Words mapped to values; `iter` finds every occurrence, overlapping ones included."""

    __slots__ = ("_values", "_machine")

    def __init__(self, entries: Mapping[str, V]) -> None:
        words = [word for word in entries if word]
        self._values = [entries[word] for word in words]
        self._machine = AhoCorasick(words, matchkind=MatchKind.Standard) if words else None

    def __len__(self) -> int:
        return len(self._values)

    @property
    def values(self) -> list[V]:
        """The value of each word, by the word index `matches` reports."""
        return self._values

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """(word index, start, end) of every occurrence, in order of their end: for a
        caller that handles each value itself, without the pairs `iter` builds."""
        if self._machine is None or not text:
            return []
        return self._machine.find_matches_as_indexes(text, overlapping=True)

    def iter(self, text: str) -> list[tuple[int, V]]:
        """(index of the last character, value) of every occurrence, in order of their end."""
        values = self._values
        return [(end - 1, values[index]) for index, _, end in self.matches(text)]
