"""Sector: from what the organisation is, then from what the text says.

1. **name**: the organisation's own name says what it is: a municipality or
   prefecture from the national list is government; the kind word that ends
   the name decides next (尾道市立大学 -> education, 宮崎市社会福祉協議会 ->
   association, 神戸市教育委員会 -> government, data/org_kinds.toml); then a
   listed company's industry (data/companies.tsv, data/industry_sectors.toml),
   the legal form (学校法人 -> education), and words the name contains
   (data/sectors.toml, ``org_contains``).
2. **self-reference**: with no name, the words a body uses for itself (当院,
   本学, 本市, 当行) or the kind of body the lead is about ("つるぎ町の病院").
3. **text**: else words of the title (weight 4) and the opening body (1 each,
   at most 3 per word) vote (data/sectors.toml, ``text``); an unnamed writer
   that speaks as 当方 is an individual. Below a score of 3: other.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from schemas import taxonomies
from services.common.dictionary import Dictionary
from services.parser.evidence import Found, found
from services.parser.fields import lexicon
from services.parser.names import (companies, find_names, kinds, legal_form_sectors, municipalities, national_bodies, relatives,
                                   self_references, strip_legal_form)
from services.parser.reading import media_names
from services.parser.resources import automaton, data

_TITLE_WEIGHT = 4
_BODY_CAP = 3
_BODY_CHARS = 3000
_SUBJECT_PARTICLE = re.compile(r"(?:で|では|において|は|が)(?!ない)")
# What a name's own kind decides before any description: public bodies and institutions.
_PUBLIC_SECTORS = frozenset(("government", "education", "healthcare", "research", "association"))
_FACILITY_SECTORS = frozenset(("government", "education", "healthcare"))
_DESCRIPTOR_CHARS = 30
_COMPANY = re.compile(r"株式会社|有限会社|合同会社|\(株\)")
# A description ends right before the name: "…の", "…を手がける", "…する", "…会社「".
_DESCRIPTOR_END = re.compile(r"(?:の|る|た|する|している|ている)[「『]?$|会社[「『]?$|[「『]$")
# "町が利用する…", "区は、…", "市といたしましては": a municipality speaking of itself without its name,
# at the start of the lead or after a mark. The two are searched apart: a pattern opening with
# "^|[、。「\n]" is tried at every position, one opening with the marks skips ahead to them.
_BARE_BODY = (r"(市|町|村|区|県|都|府|県教育委員会|市教育委員会|教育委員会|県教委|市教委|県警)"
              r"(?:は|が|では|として|といたしまして|といたしましては|の(?:職員|担当|ホームページ|HP))")
_BARE_PUBLIC_BODY_FIRST = re.compile(_BARE_BODY)
_BARE_PUBLIC_BODY = re.compile(r"[、。「\n]" + _BARE_BODY)


@functools.cache
def _tables() -> tuple[Dictionary[tuple[str, str]], Dictionary[tuple[str, str]], dict[tuple[str, str], int]]:
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
    return automaton(contains), automaton(words), weights


@functools.cache
def _suffixes() -> tuple[tuple[str, str], ...]:
    """(ending, sector) of sectors.toml's org_suffix lists, longest ending first."""
    pairs = [(word, code) for code, spec in data("sectors").items() for word in spec.get("org_suffix", [])]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@functools.cache
def _self_pattern() -> re.Pattern[str]:
    words = sorted((w for w, code in self_references().items() if code), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def _lexicon_words() -> dict[str, tuple[tuple[str, str], ...]]:
    keys: dict[str, list[tuple[str, str]]] = {}
    for code, spec in data("sectors").items():
        for word in spec.get("text", []):
            keys.setdefault(word, []).append((code, word))
    return {word: tuple(pairs) for word, pairs in keys.items()}


lexicon.register("sector", _lexicon_words)


def _name_kind(org: str) -> Found[str] | None:
    """The sector of the kind word that ends the name ("…医療センター", "…大学"), of the
    municipality it is, or of the name without its legal form."""
    towns = municipalities()
    for candidate in dict.fromkeys((org, strip_legal_form(org))):
        if candidate in towns:
            return found("government", f"name: a {towns[candidate][0]} of the national list", org)
        if candidate in national_bodies():
            return found("government", "name: a ministry or national agency", org)
        kind = _ending_kind(candidate)
        if kind is None:
            continue
        code = kinds()[kind]
        if code == "research" and "大学" in candidate[:-len(kind)]:
            return found("education", f"name: a research unit of a university ('{kind}')", org)
        return found(code, f"name: kind '{kind}'", org)
    return None


@functools.cache
def _legal_forms_by_length() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(legal_form_sectors().items(), key=lambda item: -len(item[0])))


@functools.cache
def _kind_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(kind) for kind, code in kinds().items() if code}, reverse=True))


def _ending_kind(name: str) -> str | None:
    """The longest kind word with a sector that `name` ends with."""
    table = kinds()
    for size in _kind_lengths():
        tail = name[-size:]
        if len(tail) == size and table.get(tail):
            return tail
    return None


def sector_of_name(organization: str) -> Found[str] | None:
    """The sector the organisation's name alone reveals, or None."""
    org = organization.replace(" ", "")
    by_kind = _name_kind(org)
    if by_kind is not None:
        return by_kind
    if org in media_names():
        return found("media", "name: a news outlet", organization)
    listed = companies().get(strip_legal_form(org))
    if listed and listed != "other":  # "other" (services, wholesale …) says nothing: read on
        return found(listed, "name: listed company's industry", organization)
    for form, code in _legal_forms_by_length():
        if form in org:
            return found(code, f"name: legal form '{form}'", organization)
    ending = next(((word, code) for word, code in _suffixes() if org.endswith(word) and len(org) > len(word)), None)
    if ending is not None:  # the head of a noun phrase is last: "大阪工業大" is a university
        return found(ending[1], f"name ends with '{ending[0]}'", organization)
    contains, _, weights = _tables()
    best: tuple[float, str, str] | None = None
    for end_pos, (code, word) in contains.iter(org):
        score = weights.get((code, word), 10) + end_pos / 100  # nearer the end wins: the head of a noun phrase is last
        if best is None or score > best[0]:
            best = (score, code, word)
    if best is not None:
        return found(best[1], f"name contains '{best[2]}'", organization)
    return None


def sector_of_descriptor(organization: str, text: str) -> Found[str] | None:
    """The line of business a report puts before a company's name: "家電量販店のヤマダ電機",
    "物流サービスの関通", "レンタルサーバー事業を手がけるカゴヤ・ジャパン株式会社",
    "著名出版社の「幻冬舎」"."""
    position = text.find(organization)
    if position <= 0:
        return None
    left = max(text.rfind(mark, 0, position) for mark in ("。", "、", "\n")) + 1
    descriptor = text[max(left, position - _DESCRIPTOR_CHARS):position]
    if not _DESCRIPTOR_END.search(descriptor):
        return None
    parent = max((descriptor.rfind(word) + len(word) for word in relatives() if word in descriptor), default=0)
    if descriptor.startswith("で", parent) and not descriptor.startswith("である", parent):
        descriptor = descriptor[parent:]  # "X工業の子会社でフィットネス事業を手掛ける": its own business, not its parent's
    contains, words, weights = _tables()
    votes: Counter[str] = Counter()
    for end_pos, (code, word) in words.iter(descriptor):
        votes[code] += len(word)
    for end_pos, (code, word) in contains.iter(descriptor):  # "ソフトバンク子会社である「X」"
        votes[code] += len(word)
    for name in find_names(descriptor):
        if name.sector and name.source not in ("municipality", "prefecture"):  # "静岡県の": where, not what
            votes[name.sector] += len(name.kind) + 2
    if not votes:
        return None
    code = votes.most_common(1)[0][0]
    return found(code, "the business the text names before it", descriptor + organization)


def sector_of_self(lead: str) -> Found[str] | None:
    """The sector a self-reference (当院, 本学, 本市, "町は…") or an unnamed kind of body
    in the lead ("つるぎ町の病院") reveals."""
    candidates = []
    match = _self_pattern().search(lead)
    if match:
        candidates.append((match.start(), self_references()[match.group()], f"self-reference '{match.group()}'"))
    match = _BARE_PUBLIC_BODY_FIRST.match(lead) or _BARE_PUBLIC_BODY.search(lead)
    if match:
        candidates.append((match.start(1), "government", f"a public body as subject '{match.group(1)}'"))
    opening = lead[:200]
    for name in find_names(opening):
        if name.generic and name.sector in _FACILITY_SECTORS and _SUBJECT_PARTICLE.match(opening, name.end):
            candidates.append((name.start, name.sector, f"kind of body '{name.text}'"))
            break
    if not candidates:
        return None
    position, code, rule = min(candidates)
    return found(code, rule, lead[max(0, position - 20):position + 40])


def classify_sector(organization: str | None, title: str, body: str, hits: lexicon.Hits | None = None,
                    body_offset: int = 0, lead: str = "") -> Found[str]:
    """The sector code of an incident (see module docstring). `hits` may be a
    precomputed `lexicon.scan` of a text in which `body` starts at `body_offset`."""
    if organization:
        by_name = sector_of_name(organization)
        if by_name is not None and (by_name.value in _PUBLIC_SECTORS or "national list" in by_name.evidence.rule):
            return by_name
        by_descriptor = sector_of_descriptor(organization, lead or body[:1000])
        if by_descriptor is not None:
            return by_descriptor
        if by_name is not None:
            return by_name
    by_self = sector_of_self(lead or body[:600])
    if by_self is not None:
        return by_self
    _, words, weights = _tables()
    scores: Counter[str] = Counter()
    for code, word in dict.fromkeys(value for _, value in words.iter(title)):  # in text order: ties break the same way every run
        if weights.get((code, word), 1):
            scores[code] += _TITLE_WEIGHT
    if hits is None:
        body_hits: Counter[tuple[str, str]] = Counter(value for _, value in words.iter(body[:_BODY_CHARS]))
    else:
        body_hits = Counter()
        limit = body_offset + _BODY_CHARS
        for end_index, pairs in hits.get("sector", ()):
            if body_offset <= end_index < limit:
                body_hits.update(pairs)
    for (code, word), count in body_hits.items():
        if weights.get((code, word), 1):
            scores[code] += min(count, _BODY_CAP)
    if organization and body_hits.get(("individual", "当方")):
        scores["individual"] += 12
    if not scores:
        return found("other", "no sector cue", "")
    code, score = max(scores.items(), key=lambda item: item[1])
    # A company's customers ordering and paying on its site: a shop, even on two cues.
    needed = 2 if code == "retail_ecommerce" and organization and _COMPANY.search(organization) else 3
    if score < needed:
        return found("other", "sector cues too weak", "")
    top = [word for (c, word), _ in body_hits.most_common() if c == code][:3]
    return found(code, "words of the text: " + ", ".join(top), title)
