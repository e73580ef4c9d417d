"""One Aho-Corasick pass over a document for several dictionaries at once.

Each pass over Japanese text costs about as much as NFKC itself, so the splitter's
evidence cues, the incident type cue prefixes, the data-type vocabulary, the
sector words, the vendor names and the authority names share one automaton. The
splitter scans each document once (`scan`) and hands every segment the hits that
fall inside it (`within`); every extractor can still scan on its own when called alone.
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from operator import itemgetter
from typing import Any, Callable

from services.common.dictionary import Dictionary

Hits = dict[str, list[tuple[int, Any]]]  # tag -> [(end index, payload)], in order of the end index
_SOURCES: dict[str, Callable[[], dict[str, Any]]] = {}
_END = itemgetter(0)


def register(tag: str, source: Callable[[], dict[str, Any]]) -> None:
    """Add a dictionary (key -> payload) under `tag`; called at import by the field modules."""
    _SOURCES[tag] = source
    _machine.cache_clear()


@functools.cache
def _machine() -> Dictionary[tuple[tuple[str, Any], ...]]:
    merged: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for tag, source in _SOURCES.items():
        for key, payload in source().items():
            merged[key].append((tag, payload))
    return Dictionary({key: tuple(values) for key, values in merged.items()})


def scan(text: str) -> Hits:
    """All (overlapping) dictionary hits in `text`, grouped by tag."""
    hits: Hits = defaultdict(list)
    machine = _machine()
    values = machine.values
    for index, _, end in machine.matches(text):
        for tag, payload in values[index]:
            hits[tag].append((end - 1, payload))
    return hits


def within(hits: Hits, start: int, end: int) -> Hits:
    """The hits of a scan that end in text[start:end], with indices relative to `start`.
    Keys hold no line feed, so for a range of whole lines these are exactly the hits
    a scan of that range would find, in the same order."""
    part: Hits = defaultdict(list)
    for tag, found in hits.items():
        low = bisect.bisect_left(found, start, key=_END)
        high = bisect.bisect_left(found, end, lo=low, key=_END)
        if low < high:
            part[tag] = [(index - start, payload) for index, payload in found[low:high]]
    return part


def whole_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands apart from Latin letters and digits: a Latin alias
    ("IPA", "NEC") found inside a longer Latin word is not a mention of it."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
