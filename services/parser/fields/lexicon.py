"""One Aho-Corasick pass over a segment for several dictionaries at once.

Each pass over Japanese text costs about as much as NFKC itself, so the incident
type cue prefixes, the data-type vocabulary and the authority names share one
automaton; every extractor can still scan on its own when called alone.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any, Callable

import ahocorasick

Hits = dict[str, list[tuple[int, Any]]]  # tag -> [(end index, payload)]
_SOURCES: dict[str, Callable[[], dict[str, Any]]] = {}


def register(tag: str, source: Callable[[], dict[str, Any]]) -> None:
    """Add a dictionary (key -> payload) under `tag`; called at import by the field modules."""
    _SOURCES[tag] = source
    _machine.cache_clear()


@functools.cache
def _machine() -> ahocorasick.Automaton | None:
    merged: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for tag, source in _SOURCES.items():
        for key, payload in source().items():
            merged[key].append((tag, payload))
    if not merged:
        return None
    machine = ahocorasick.Automaton()
    for key, values in merged.items():
        machine.add_word(key, tuple(values))
    machine.make_automaton()
    return machine


def scan(text: str) -> Hits:
    """All (overlapping) dictionary hits in `text`, grouped by tag."""
    hits: Hits = defaultdict(list)
    machine = _machine()
    if machine is None:
        return hits
    for end_index, values in machine.iter(text):
        for tag, payload in values:
            hits[tag].append((end_index, payload))
    return hits
