"""Incident types (multi-label) from the cues in ``data/incident_types.toml``.

A type is reported when one of its cues appears in the header or in the body
outside countermeasure sections (cues are found by the literal text they start
with, through the shared Aho-Corasick pass in `lexicon`), and the clause neither denies it nor merely
warns about it. Some types imply others when the text supports it: ransomware
plus "サイバー攻撃"/"侵入" is also unauthorized_access (DESIGN.md section 4). A *weak*
cue counts only when none of the types listed under ``unless`` was found: "閲覧可能な
状態" is a mis-publication on its own, but the consequence of an intrusion next to
不正アクセス or a web shell.
Nothing found gives ["other"].
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from services.parser.evidence import Evidence, Found
from services.parser.fields import lexicon
from services.parser.fields.context import is_advisory, is_negated
from services.parser.resources import data, taxonomies


_MAX_MENTIONS = 50
_META = set("()[]{}?*+|\\.^$")


def literal_prefix(cue: str) -> str:
    """The literal text every match of `cue` starts with (used to find candidates with
    Aho-Corasick before running the regex); cues must start with at least one literal."""
    prefix = []
    for index, char in enumerate(cue):
        if char in _META:
            if char in "?*{" and prefix:
                prefix.pop()  # the previous character is optional
            break
        prefix.append(char)
    if not prefix:
        raise ValueError(f"incident-type cue must start with literal text: {cue!r}")
    return "".join(prefix)


_WEAK = "weak:"  # rule-code prefix of a weak cue (see `unless` in data/incident_types.toml)


@functools.cache
def _rules() -> tuple[dict[str, list[tuple[str, re.Pattern[str]]]], dict[str, dict[str, re.Pattern[str]]],
                      dict[str, frozenset[str]]]:
    table = data("incident_types")
    codes = taxonomies()["incident_types"]
    by_prefix: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    implies: dict[str, dict[str, re.Pattern[str]]] = {}
    unless: dict[str, frozenset[str]] = {}
    for code, spec in table.items():
        if code not in codes:
            raise ValueError(f"incident_types.toml uses unknown code {code!r}")
        for cue in spec["cues"]:
            by_prefix.setdefault(literal_prefix(cue), []).append((code, re.compile(cue)))
        for cue in spec.get("weak", []):
            by_prefix.setdefault(literal_prefix(cue), []).append((_WEAK + code, re.compile(cue)))
        implies[code] = {other: re.compile(cue) for other, cue in spec.get("implies", {}).items()}
        unless[code] = frozenset(spec.get("unless", []))
    return by_prefix, implies, unless


lexicon.register("type", lambda: {prefix: (prefix, rules) for prefix, rules in _rules()[0].items()})


def classify_types(text: str, hits: lexicon.Hits | None = None,
                   skip: Callable[[int], bool] | None = None) -> Found[list[str]]:
    """Type codes in taxonomy order, with the cues that gave them. `skip(position)`
    excludes countermeasure sections; `hits` is a precomputed `lexicon.scan(text)`."""
    _, implies, unless = _rules()
    if hits is None:
        hits = lexicon.scan(text)
    found: set[str] = set()
    cues: dict[str, str] = {}
    tried: dict[str, int] = {}
    for end_index, (prefix, rules) in hits.get("type", ()):
        tried[prefix] = tried.get(prefix, 0) + 1
        if tried[prefix] > _MAX_MENTIONS:
            continue  # bounded work on pathological repetition
        start = end_index + 1 - len(prefix)
        if skip is not None and skip(start):
            continue
        for code, pattern in rules:
            if code in found:
                continue
            match = pattern.match(text, start)
            if match and not is_negated(text, match.end()) and not is_advisory(text, match.end()):
                found.add(code)
                cues[code.removeprefix(_WEAK)] = match.group()
    weak = {code[len(_WEAK):] for code in found if code.startswith(_WEAK)}
    found -= {_WEAK + code for code in weak}
    implied = {other for code in found for other, cue in implies[code].items() if cue.search(text)}
    found |= implied
    found |= {code for code in weak if not found & unless[code]}
    if not found:
        return Found(["other"], Evidence("no cause stated"))
    order = list(taxonomies()["incident_types"])
    codes = sorted(found, key=order.index)
    return Found(codes, Evidence("cues: " + ", ".join(f"{code} ({cues[code]})" if code in cues else f"{code} (implied)"
                                                      for code in codes)))
