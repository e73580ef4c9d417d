"""Sector of the organisation, from its name first and the text second.

Scores (weights in ``data/sectors.toml``): the organisation name's ending
(県, 病院, 港運 …) and the words it contains count most, because a name says what
an organisation is; words in the title count 4 and in the body 1 (at most 3 per
word), so a public body whose title names a school or a hospital ("東京都
都立高等学校における…") gets that function's sector. A name with no legal form
whose text speaks in the first person singular (当方) is an individual.
"""

from __future__ import annotations

import functools
from collections import Counter

from services.parser.fields.organization import looks_like_org
from services.parser.resources import automaton, data, taxonomies

_ORG_WEIGHT = 10
_TITLE_WEIGHT = 4
_BODY_CAP = 3


@functools.cache
def _tables() -> tuple[dict, object, object, dict]:
    table = data("sectors")
    codes = taxonomies()["sectors"]
    unknown = set(table) - set(codes)
    if unknown:
        raise ValueError(f"sectors.toml uses codes missing from taxonomies.json: {sorted(unknown)}")
    contains: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    weights: dict[tuple[str, str], int] = {}
    for code, spec in table.items():
        for word in spec.get("org_contains", []):
            contains.setdefault(f"{code}\t{word}", [word])
        for word in spec.get("text", []):
            words.setdefault(f"{code}\t{word}", [word])
        for word, weight in spec.get("weights", {}).items():
            weights[(code, word)] = weight
    suffixes = {code: tuple(spec.get("org_suffix", [])) for code, spec in table.items()}
    return suffixes, automaton(contains), automaton(words), weights


def classify_sector(organization: str | None, title: str, body: str) -> str:
    """The sector code for an incident (see module docstring)."""
    suffixes, contains, words, weights = _tables()
    scores: Counter[str] = Counter()
    org = (organization or "").replace(" ", "")
    if org:
        for code, ends in suffixes.items():
            for end in ends:
                if org.endswith(end):
                    scores[code] = max(scores[code], weights.get((code, end), _ORG_WEIGHT) + 0.9)
        for end_pos, (key, word) in contains.iter(org):
            code = key.split("\t", 1)[0]
            score = weights.get((code, word), _ORG_WEIGHT) + end_pos / 100  # nearer the end wins ties
            scores[code] = max(scores[code], score)
    title_hits: Counter[str] = Counter()
    for _, (key, word) in words.iter(title):
        title_hits[key] += 1
    for key in title_hits:
        code, word = key.split("\t", 1)
        scores[code] += weights.get((code, word), _TITLE_WEIGHT) and _TITLE_WEIGHT
    body_hits: Counter[str] = Counter()
    for _, (key, word) in words.iter(body):
        body_hits[key] += 1
    for key, hits in body_hits.items():
        code, word = key.split("\t", 1)
        if weights.get((code, word), 1):
            scores[code] += min(hits, _BODY_CAP)
    if org and not looks_like_org(org) and body_hits.get("individual\t当方"):
        scores["individual"] += 12
    if not scores:
        return "other"
    code, score = max(scores.items(), key=lambda item: item[1])
    return code if score >= 3 else "other"
