"""Incident types (multi-label) from the cues in ``data/incident_types.toml``.

A type is reported when one of its cues appears in the header or in the body
outside countermeasure sections and above a news page's 関連記事 list (cues are
found by the literal text they start with, through the shared Aho-Corasick pass in
`lexicon`), and the clause neither denies it nor merely warns about it. Some types
imply others when the text supports it: ransomware that came through a named
脆弱性 is also unauthorized_access, while "サイバー攻撃" or "ランサムウェアの侵入"
alone is not (the labelling rules in tests/fixtures/corpus/README.md). A *weak* cue counts only when none of the types
listed under ``unless`` was found: "閲覧可能な状態" is a mis-publication on its own,
but the consequence of an intrusion next to 不正アクセス or a web shell; weak types
settle in taxonomy order. A ``not_after`` context just before a cue in its sentence
cancels it ("〇〇を装った迷惑メール" was not sent by the organisation).
Nothing found gives ["other"].
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from schemas import taxonomies
from services.parser.evidence import Evidence, Found
from services.parser.fields import lexicon
from services.parser.fields.context import is_advisory, is_negated
from services.parser.reading import related_links_start
from services.parser.resources import data


_MAX_MENTIONS = 50
_META = set("()[]{}?*+|\\.^$")


_LOOKBEHIND = re.compile(r"\(\?<[!=][^()]*\)")


def literal_prefix(cue: str) -> str:
    """The literal text every match of `cue` starts with (used to find candidates with
    Aho-Corasick before running the regex); cues must start with at least one literal,
    after at most one leading fixed-width lookbehind ("(?<!コロナ)ウイルス" -> "ウイルス")."""
    lookbehind = _LOOKBEHIND.match(cue)
    if lookbehind:
        cue = cue[lookbehind.end():]
    prefix: list[str] = []
    for char in cue:
        if char in _META:
            if char in "?*{" and prefix:
                prefix.pop()  # the previous character is optional
            break
        prefix.append(char)
    if not prefix:
        raise ValueError(f"incident-type cue must start with literal text: {cue!r}")
    return "".join(prefix)


_WEAK = "weak:"  # rule-code prefix of a weak cue (see `unless` in data/incident_types.toml)
_HEADLINE = "headline:"  # rule-code prefix of a cue that is strong in the headline, weak below it
_HEADLINE_CHARS = 200  # the header, the title and the lead's first sentence


_BEFORE = 40  # how far back a `not_after` context is looked for, within the sentence


@functools.cache
def _rules() -> tuple[dict[str, list[tuple[str, re.Pattern[str]]]], dict[str, dict[str, re.Pattern[str]]],
                      dict[str, frozenset[str]], dict[str, re.Pattern[str]]]:
    table = data("incident_types")
    codes = taxonomies()["incident_types"]
    by_prefix: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    implies: dict[str, dict[str, re.Pattern[str]]] = {}
    unless: dict[str, frozenset[str]] = {}
    not_after: dict[str, re.Pattern[str]] = {}
    for code, spec in table.items():
        if code not in codes:
            raise ValueError(f"incident_types.toml uses unknown code {code!r}")
        for cue in spec["cues"]:
            by_prefix.setdefault(literal_prefix(cue), []).append((code, re.compile(cue)))
        for cue in spec.get("weak", []):
            by_prefix.setdefault(literal_prefix(cue), []).append((_WEAK + code, re.compile(cue)))
        for cue in spec.get("headline", []):
            by_prefix.setdefault(literal_prefix(cue), []).append((_HEADLINE + code, re.compile(cue)))
        implies[code] = {other: re.compile(cue) for other, cue in spec.get("implies", {}).items()}
        unless[code] = frozenset(spec.get("unless", []))
        if "not_after" in spec:
            not_after[code] = re.compile(spec["not_after"])
    return by_prefix, implies, unless, not_after


def _sentence_before(text: str, start: int) -> str:
    """Up to _BEFORE characters before `start`, from the start of its sentence."""
    window = text[max(0, start - _BEFORE):start]
    cut = max(window.rfind("。"), window.rfind("\n"))
    return window[cut + 1:]


# Each prefix with its rules and the codes they give, so a cue whose codes are all found is passed over.
lexicon.register("type", lambda: {prefix: (prefix, rules, frozenset(code.removeprefix(_HEADLINE) for code, _ in rules))
                                  for prefix, rules in _rules()[0].items()})


def classify_types(text: str, hits: lexicon.Hits | None = None,
                   skip: Callable[[int], bool] | None = None) -> Found[list[str]]:
    """Type codes in taxonomy order, with the cues that gave them. `skip(position)`
    excludes countermeasure sections; `hits` is a precomputed `lexicon.scan(text)`."""
    _, implies, unless, not_after = _rules()
    if hits is None:
        hits = lexicon.scan(text)
    found: set[str] = set()
    cues: dict[str, str] = {}
    weak_cues: dict[str, str] = {}
    where: dict[str, int] = {}
    tried: dict[str, int] = {}
    end = related_links_start(text, hits)
    for end_index, (prefix, rules, codes) in hits.get("type", ()):
        if found.issuperset(codes):
            continue  # nothing left for this cue to find (found only grows: its later hits neither)
        tried[prefix] = tried.get(prefix, 0) + 1
        if tried[prefix] > _MAX_MENTIONS:
            continue  # bounded work on pathological repetition
        start = end_index + 1 - len(prefix)
        if start >= end:
            continue  # other articles' headlines below a 関連記事 line
        if skip is not None and skip(start):
            continue
        for code, pattern in rules:
            if code.startswith(_HEADLINE):
                code = code.removeprefix(_HEADLINE) if start < _HEADLINE_CHARS else _WEAK + code.removeprefix(_HEADLINE)
            if code in found:
                continue
            match = pattern.match(text, start)
            if not match or is_negated(text, match.end()) or is_advisory(text, match.end()):
                continue
            base = code.removeprefix(_WEAK)
            if base in not_after and not_after[base].search(_sentence_before(text, start)):
                continue  # e.g. spam "を装った" the organisation: sent by outsiders
            found.add(code)
            (weak_cues if code.startswith(_WEAK) else cues)[base] = match.group()
            where.setdefault(base, start)
    weak = {code[len(_WEAK):] for code in found if code.startswith(_WEAK)}
    found -= {_WEAK + code for code in weak}
    implied = {other for code in found for other, cue in implies[code].items() if cue.search(text)}
    found |= implied
    order = list(taxonomies()["incident_types"])
    # Weak cues settle in taxonomy order: a weak configuration state found first
    # silences the weak "readable by anyone" reading of mis-publication after it.
    for code in sorted(weak - found, key=order.index):
        if not found & unless[code]:
            found.add(code)
            cues[code] = "weak: " + weak_cues[code]
    if not found:
        return Found(["other"], Evidence("no cause stated"))
    codes = sorted(found, key=order.index)
    first = min((where[code] for code in codes if code in where), default=None)
    return Found(codes, Evidence("cues: " + ", ".join(f"{code} ({cues[code]})" if code in cues else f"{code} (implied)"
                                                      for code in codes),
                                 _line_around(text, first) if first is not None else ""))


def _line_around(text: str, position: int, width: int = 60) -> str:
    """The text around `position` on its line (the first cue, quoted as evidence)."""
    line_start = text.rfind("\n", max(0, position - width), position) + 1
    line_end = text.find("\n", position, position + width)
    return text[max(line_start, position - width):line_end if line_end >= 0 else position + width]
