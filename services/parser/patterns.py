"""Regular expressions over long Japanese texts, compiled to skip ahead fast.

A pattern that is an alternation of many cues ("(?:漏えい|流出)(?:し|され)|不正(?:アクセス…)…")
is tried at every position of the text, and Python's `re` cannot derive a fast
scan for it. It skips ahead by itself (looking for the first characters in C)
only when every alternative starts with a literal character, so an alternation
is rewritten into that shape where it can be ("(?:漏えい|流出)し" -> "漏えいし|流出し",
"[っる]" -> "っ|る", "(?:某)?ある" -> "某ある|ある"): the engine tries the
alternatives in the same order, so it finds the same matches. Otherwise (a
lookbehind or a repeat first), when every match must start with one of a few
characters, a lookahead on that character class lets the engine reject all other
positions in its inner loop: slower than the rewritten form, several times
faster than the plain pattern.
"""

from __future__ import annotations

import re
import re._compiler as sre_compiler  # compiles a pattern rewritten in its parsed form
import re._constants as sre_constants  # the parsed form of a pattern, to read its possible first characters
import re._parser as sre_parser
from typing import Any, Iterable

_METACHARACTERS = frozenset("()[]{}?*+|\\.^$")
_MAX_RANGE = 256
_MAX_SPREAD = 2000  # alternatives of a rewritten pattern; beyond that the lookahead is used
_SMALL_RANGE = 16  # a class range ([0-9]) spread into one alternative per character


def compile_alternatives(alternatives: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """One pattern matching any of `alternatives`, rewritten so that every alternative
    starts with a literal character, or else with a first-character lookahead, when the
    alternatives are regular expressions (plain words already scan fast). A rewritten
    pattern is compiled from its parsed form: its `pattern` attribute is None."""
    parts = list(alternatives)
    pattern = "|".join(f"(?:{part})" for part in parts)
    if not any(_METACHARACTERS & set(part) for part in parts):
        return re.compile(pattern, flags)
    rewritten = _literal_first(pattern, flags)
    if rewritten is not None:
        return rewritten
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


def _literal_first(pattern: str, flags: int) -> re.Pattern[str] | None:
    """`pattern` compiled as an alternation whose alternatives each start with a literal
    character (grouped by that character), or None when it cannot be rewritten so. One
    capturing group may hold the whole pattern (for `split`); it is kept around the rewrite."""
    if flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parser.parse(pattern, flags)
    except re.error:
        return None
    state = parsed.state
    items = list(parsed)
    whole = None
    if state.groups > 1:  # a capturing group cannot be copied into several alternatives
        if state.groups > 2 or len(items) != 1 or items[0][0] is not sre_constants.SUBPATTERN:
            return None
        whole = items[0][1]
        items = list(whole[3])
    alternatives = _spread(items, [], state)
    if alternatives is None:
        return None
    by_first: dict[int, list[list[tuple[Any, Any]]]] = {}
    for alternative in alternatives:  # alternatives that start with different characters never compete
        by_first.setdefault(alternative[0][1], []).append(alternative[1:])
    branches = []
    for char, rests in by_first.items():
        rest = rests[0] if len(rests) == 1 else [
            (sre_constants.BRANCH, (None, [sre_parser.SubPattern(state, tail) for tail in rests]))]
        branches.append(sre_parser.SubPattern(state, [(sre_constants.LITERAL, char), *rest]))
    top = branches[0] if len(branches) == 1 else sre_parser.SubPattern(state, [(sre_constants.BRANCH, (None, branches))])
    if whole is not None:
        top = sre_parser.SubPattern(state, [(sre_constants.SUBPATTERN, (*whole[:3], top))])
    return sre_compiler.compile(top, flags)


def _spread(items: list[tuple[Any, Any]], rest: list[tuple[Any, Any]],
            state: sre_parser.State) -> list[list[tuple[Any, Any]]] | None:
    """`items` then `rest` as alternatives that each start with a literal character, in
    the order the engine tries them; None when that is not possible (or too many)."""
    if not items:
        return None  # the match may be empty: no first character
    op, argument = items[0]
    tail = items[1:] + rest
    if op is sre_constants.LITERAL:
        return [items + rest]
    if op is sre_constants.IN:
        chars = _characters(argument)
        if chars is None or len(chars) > _MAX_SPREAD:
            return None
        return [[(sre_constants.LITERAL, char), *tail] for char in chars]  # one character: the order is moot
    if op is sre_constants.SUBPATTERN:
        group, add_flags, del_flags, inner = argument
        return None if group is not None or add_flags or del_flags else _spread(list(inner), tail, state)
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and argument[0] < 0:
        # A lookbehind first: (?<!X)c is c(?<!Xc), the same test made once c is read.
        spread = _spread(tail, [], state)
        if spread is None:
            return None
        return [[first, (op, (argument[0], sre_parser.SubPattern(state, [*argument[1], first]))), *after]
                for first, *after in spread]
    if op is sre_constants.BRANCH:
        ways = [list(alternative) + tail for alternative in argument[1]]
    elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and argument[:2] == (0, 1):
        taken = list(argument[2]) + tail  # X? tries X first, X?? tries it last
        ways = [taken, tail] if op is sre_constants.MAX_REPEAT else [tail, taken]
    elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and argument[0] >= 1 \
            and len(argument[2]) == 1 and argument[2][0][0] in (sre_constants.LITERAL, sre_constants.IN):
        low, high, body = argument  # one character X: X{2,5} is X X{1,4}
        fewer = high if high is sre_constants.MAXREPEAT else high - 1
        ways = [[*body, (op, (low - 1, fewer, body)), *tail]]
    else:
        return None
    found: list[list[tuple[Any, Any]]] = []
    for way in ways:
        spread = _spread(way, [], state)
        if spread is None or len(found) + len(spread) > _MAX_SPREAD:
            return None
        found.extend(spread)
    return found


def _characters(items: list[tuple[Any, Any]]) -> list[int] | None:
    """The characters of a class of single characters and small ranges ([、;], [0-9]), or
    None (a negated class, a category, a wide range)."""
    chars: dict[int, None] = {}
    for op, argument in items:
        if op is sre_constants.LITERAL:
            chars[argument] = None
        elif op is sre_constants.RANGE and argument[1] - argument[0] < _SMALL_RANGE:
            chars.update(dict.fromkeys(range(argument[0], argument[1] + 1)))
        else:
            return None
    return list(chars)
