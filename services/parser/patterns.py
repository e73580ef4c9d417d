"""Regular expressions over long Japanese texts, compiled to skip ahead fast.

A pattern that is an alternation of many cues ("(?:漏えい|流出)(?:し|され)|不正(?:アクセス…)…")
is tried at every position of the text, and Python's `re` cannot derive a fast
scan for it. When every match must start with one of a few characters, a
lookahead on that character class lets the engine reject all other positions
in its inner loop: the same matches, several times faster on the event cues.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the parsed form of a pattern, to read its possible first characters
import re._parser as sre_parser
from typing import Any, Iterable

_METACHARACTERS = frozenset("()[]{}?*+|\\.^$")
_MAX_RANGE = 256


def compile_alternatives(alternatives: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern matching any of `alternatives`, with a first-character lookahead
    when the alternatives are regular expressions (plain words already scan fast)."""
    parts = list(alternatives)
    pattern = "|".join(f"(?:{part})" for part in parts)
    if not any(_METACHARACTERS & set(part) for part in parts):
        return re.compile(pattern, flags)
    first = first_characters(pattern, flags)
    if not first:
        return re.compile(pattern, flags)
    return re.compile(f"(?=[{re.escape(''.join(sorted(first)))}])(?:{pattern})", flags)


def first_characters(pattern: str, flags: int = 0) -> set[str] | None:
    """The characters every match of `pattern` starts with, or None when that is not
    a small known set (a pattern that may match the empty string, a wide class)."""
    try:
        parsed = sre_parser.parse(pattern, flags)
    except re.error:
        return None
    if flags & re.IGNORECASE:
        return None
    return _first(list(parsed))


def _first(items: list[tuple[Any, Any]]) -> set[str] | None:
    found: set[str] = set()
    for op, argument in items:
        if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # assertions consume nothing: the next item says what comes first
        if op is sre_constants.LITERAL:
            return found | {chr(argument)}
        if op is sre_constants.IN:
            return _class(argument, found)
        if op is sre_constants.BRANCH:
            for alternative in argument[1]:
                chars = _first(list(alternative))
                if chars is None:
                    return None
                found |= chars
            return found
        if op is sre_constants.SUBPATTERN:
            chars = _first(list(argument[-1]))
            return None if chars is None else found | chars
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, _, sub = argument
            chars = _first(list(sub))
            if chars is None:
                return None
            found |= chars
            if low > 0:
                return found
            continue
        return None
    return None  # the pattern can match the empty string


def _class(items: list[tuple[Any, Any]], found: set[str]) -> set[str] | None:
    for op, argument in items:
        if op is sre_constants.LITERAL:
            found.add(chr(argument))
        elif op is sre_constants.RANGE and argument[1] - argument[0] < _MAX_RANGE:
            found.update(chr(code) for code in range(argument[0], argument[1] + 1))
        else:
            return None
    return found
