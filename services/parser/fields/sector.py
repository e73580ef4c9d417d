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

from services.parser.fields import lexicon
from services.parser.fields.organization import looks_like_org
from services.parser.resources import automaton, data, taxonomies

_ORG_WEIGHT = 10
_TITLE_WEIGHT = 4
_BODY_CAP = 3
_BODY_CHARS = 3000


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
            contains.setdefault(code, []).append(word)
        for word in spec.get("text", []):
            words.setdefault(code, []).append(word)
        for word, weight in spec.get("weights", {}).items():
            weights[(code, word)] = weight
    suffixes = {code: tuple(spec.get("org_suffix", [])) for code, spec in table.items()}
    return suffixes, automaton(contains), automaton(words), weights


def _lexicon_words() -> dict[str, tuple[tuple[str, str], ...]]:
    keys: dict[str, list[tuple[str, str]]] = {}
    for code, spec in data("sectors").items():
        for word in spec.get("text", []):
            keys.setdefault(word, []).append((code, word))
    return {word: tuple(pairs) for word, pairs in keys.items()}


lexicon.register("sector", _lexicon_words)


def classify_sector(organization: str | None, title: str, body: str,
                    hits: lexicon.Hits | None = None, body_offset: int = 0) -> str:
    """The sector code for an incident (see module docstring). `hits` may be a
    precomputed `lexicon.scan` of a text in which `body` starts at `body_offset`."""
    suffixes, contains, words, weights = _tables()
    scores: Counter[str] = Counter()
    org = (organization or "").replace(" ", "")
    if org:
        for code, ends in suffixes.items():
            if not org.endswith(ends):  # one C call rules out most codes
                continue
            for end in ends:
                if org.endswith(end):
                    scores[code] = max(scores[code], weights.get((code, end), _ORG_WEIGHT) + 0.9)
        for end_pos, (code, word) in contains.iter(org):
            score = weights.get((code, word), _ORG_WEIGHT) + end_pos / 100  # nearer the end wins ties
            scores[code] = max(scores[code], score)
    for code, word in set(value for _, value in words.iter(title)):
        if weights.get((code, word), 1):
            scores[code] += _TITLE_WEIGHT
    # The opening of a disclosure says who and what; the rest adds little but cost.
    if hits is None:
        body_hits: Counter[tuple[str, str]] = Counter(value for _, value in words.iter(body[:_BODY_CHARS]))
    else:
        body_hits = Counter()
        limit = body_offset + _BODY_CHARS
        for end_index, pairs in hits.get("sector", ()):
            if body_offset <= end_index < limit:
                body_hits.update(pairs)
    for (code, word), hits in body_hits.items():
        if weights.get((code, word), 1):
            scores[code] += min(hits, _BODY_CAP)
    if org and not looks_like_org(org) and body_hits.get(("individual", "当方")):
        scores["individual"] += 12
    if not scores:
        return "other"
    code, score = max(scores.items(), key=lambda item: item[1])
    return code if score >= 3 else "other"
