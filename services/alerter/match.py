"""Does an incident match a subscription, and on what?

OR within a field, AND across fields; an `exclude` hit vetoes. The answer is
the list of (field, value) pairs that matched, which goes into the alert's
`matched_on` (as `{"field", "value"}` objects) so the subscriber sees why.
Pairs are tuples here because matching builds them for every match and
tuples are the cheapest immutable thing to build.

`match(subscription, incident)` is the specification. `SubscriptionIndex`
gives the same answers for thousands of subscriptions without trying each
one: lookups by (sector, type) pair and Aho-Corasick automata over vendor,
organisation and keyword keys find, in one pass over the incident, which
subscriptions have a hit on every field they constrain and which value hit;
only those are touched. bench/match.py measures it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable


from services.alerter.subscriptions import Criteria, Subscription, fold
from services.common.dictionary import Dictionary
from services.common.names import normalize_name


@dataclass(frozen=True)
class Facts:
    """The incident in comparison form, computed once per incident."""

    sector: Any
    incident_types: frozenset[str]
    vendors: tuple[str, ...]  # normalised names
    organization: str  # normalised
    text: str  # folded title and body
    count: int | None


def facts(incident: dict[str, Any]) -> Facts:
    """Normalise what matching looks at."""
    return Facts(
        sector=incident.get("sector"),
        incident_types=frozenset(incident.get("incident_types") or []),
        vendors=tuple(normalize_name(v) for v in incident.get("vendors") or []),
        organization=normalize_name(incident.get("organization") or ""),
        text=fold(f"{incident.get('title') or ''}\n{incident.get('body') or ''}"),
        count=(incident.get("affected") or {}).get("count"),
    )


Why = tuple[str, Any]  # (field, value), e.g. ("vendors", "acmailer")


def _hits(criteria: Criteria, f: Facts) -> dict[str, list[Any]]:
    """For each field the criteria constrain, the values that matched (possibly none)."""
    hits: dict[str, list[Any]] = {}
    if criteria.sectors:
        hits["sector"] = [f.sector] if f.sector in criteria.sectors else []
    if criteria.incident_types:
        hits["incident_types"] = sorted(f.incident_types & criteria.incident_types)
    if criteria.vendors:
        hits["vendors"] = [written for written, keys in criteria.vendors if any(k in name for k in keys for name in f.vendors)]
    if criteria.organizations:
        hits["organizations"] = [written for written, keys in criteria.organizations if any(k in f.organization for k in keys)]
    if criteria.keywords:
        hits["keywords"] = [written for written, key in criteria.keywords if key in f.text]
    return hits


def match_facts(subscription: Subscription, f: Facts) -> list[Why] | None:
    """`match` on an incident already turned into `Facts`."""
    hits = _hits(subscription.criteria, f)
    if any(not values for values in hits.values()):
        return None
    matched = [(name, value) for name, values in hits.items() for value in values]
    if subscription.min_affected is not None:
        if f.count is None or f.count < subscription.min_affected:
            return None
        matched.append(("min_affected", f.count))
    if subscription.exclude.fields() and any(_hits(subscription.exclude, f).values()):
        return None
    return matched


def match(subscription: Subscription, incident: dict[str, Any]) -> list[Why] | None:
    """The (field, value) pairs that matched if the incident matches, else None."""
    return match_facts(subscription, facts(incident))


_TEXT_FIELDS = ("vendors", "organizations", "keywords")
_Pair = tuple[Any, Any]  # (sector or None, type or None)


class _Automaton:
    """Aho-Corasick over normalised keys: one pass over a text finds every key inside it.

    Per key, the subscriptions listing it are kept in three sets by what
    else they need, so that most hits become matches with set operations:
    `alone` (this field is their only condition), `with_pair` (this field and
    a sector/type condition, filed under each (sector, type) pair that
    satisfies it), `multi` (two or more text fields: counted).
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.alone: list[set[int]] = []
        self.with_pair: list[dict[_Pair, list[int]]] = []
        self.multi: list[set[int]] = []
        self.excluding: list[set[int]] = []

    def add(self, key: str, sub: int, group: str, pairs: list[_Pair] | None = None) -> int:
        """`group` is 'alone', 'with_pair' (give `pairs`), 'multi' or 'excluding'."""
        if key not in self.ids:
            self.ids[key] = len(self.alone)
            for postings in (self.alone, self.multi, self.excluding):
                postings.append(set())
            self.with_pair.append({})
        key_id = self.ids[key]
        if group == "with_pair":
            for pair in pairs or ():
                by_pair = self.with_pair[key_id].setdefault(pair, [])
                if sub not in by_pair[-1:]:
                    by_pair.append(sub)
        else:
            getattr(self, group)[key_id].add(sub)
        return key_id

    def build(self) -> None:
        self._automaton = Dictionary(self.ids)

    def found(self, texts: Iterable[str]) -> set[int]:
        """Ids of the keys occurring in any of the texts (each once, however often it occurs)."""
        return {key_id for text in texts for _, key_id in self._automaton.iter(text)}

    def single_field_hits(self, ids: set[int], pairs: list[_Pair]) -> list[int]:
        """Subscriptions of the found keys for which this field is the only text field they list."""
        hits: list[int] = []
        for k in ids:
            hits.extend(self.alone[k])
            by_pair = self.with_pair[k]
            if by_pair:
                for p in pairs:
                    if p in by_pair:
                        hits.extend(by_pair[p])
        return hits


class _Ladder:
    """Subscriptions sorted by `min_affected`: those an affected count reaches are one slice."""

    def __init__(self, entries: list[tuple[int | None, int]]) -> None:
        ordered = sorted((-1 if minimum is None else minimum, sub) for minimum, sub in entries)
        self._mins = [m for m, _ in ordered]
        self.subs = [sub for _, sub in ordered]

    def reached(self, count: int | None) -> list[int]:
        """Subscriptions without a threshold, and those whose threshold `count` reaches."""
        return self.subs[: bisect.bisect_right(self._mins, -1 if count is None else count)]


class SubscriptionIndex:
    """All subscriptions, indexed so an incident touches only the subscriptions it could match.

    Sector and type constraints are looked up in dicts keyed by (sector,
    type) pairs; vendor, organisation and keyword keys are found by one
    Aho-Corasick pass per field. A subscription matches when its sector/type
    part and each of its text fields have a hit; `matched_on` is built for
    the matches only, from per-key tables prepared here.
    The result equals calling `match` on every subscription, in subscription
    order (tests/unit/alerter/test_index.py checks that property).
    """

    def __init__(self, subscriptions: Iterable[Subscription]) -> None:
        self.subscriptions = tuple(subscriptions)
        structured_only: dict[_Pair, list[tuple[int | None, int]]] = {}  # no text field: pair and threshold decide
        self._structured_text: dict[_Pair, list[int]] = {}  # text fields must hit too
        self._has_structured: list[bool] = []
        self._text_need: list[int] = []
        # per sub, per text field it lists: (field, key id -> ((position in the list, why), ...))
        self._listed: list[tuple[tuple[str, dict[int, tuple[tuple[int, Why], ...]]], ...]] = []
        self._exclude_sector: dict[str, list[int]] = {}
        self._exclude_type: dict[str, list[int]] = {}
        self._automata = {name: _Automaton() for name in _TEXT_FIELDS}
        thresholds: list[tuple[int | None, int]] = []  # (min_affected, sub) for subscriptions with no list field
        for i, sub in enumerate(self.subscriptions):
            c, x = sub.criteria, sub.exclude
            text_need = sum(1 for name in _TEXT_FIELDS if getattr(c, name))
            self._text_need.append(text_need)
            self._has_structured.append(bool(c.sectors or c.incident_types))
            pairs = self._pairs(c)
            for pair in pairs:
                if text_need:
                    self._structured_text.setdefault(pair, []).append(i)
                else:
                    structured_only.setdefault(pair, []).append((sub.min_affected, i))
            for code in x.sectors:
                self._exclude_sector.setdefault(code, []).append(i)
            for code in x.incident_types:
                self._exclude_type.setdefault(code, []).append(i)
            listed = []
            group = "multi" if text_need > 1 else "with_pair" if self._has_structured[i] else "alone"
            for name in _TEXT_FIELDS:
                automaton = self._automata[name]
                by_key: dict[int, tuple[tuple[int, Why], ...]] = {}
                values = self._keys(c, name)
                for position, (written, keys) in enumerate(values):
                    for key in keys:
                        key_id = automaton.add(key, i, group, pairs)
                        by_key[key_id] = by_key.get(key_id, ()) + ((position, (name, written)),)
                if values:
                    listed.append((name, by_key))
                for _, keys in self._keys(x, name):
                    for key in keys:
                        automaton.add(key, i, "excluding")
            self._listed.append(tuple(listed))
            if not c.fields():
                assert sub.min_affected is not None, "parse_subscription rejects subscriptions that match everything"
                thresholds.append((sub.min_affected, i))
        for automaton in self._automata.values():
            automaton.build()
        self._plans = [
            (sub, bool(sub.criteria.sectors), sub.criteria.incident_types, listed, sub.min_affected)
            for sub, listed in zip(self.subscriptions, self._listed)
        ]
        self._structured_only = {pair: _Ladder(entries) for pair, entries in structured_only.items()}
        self._thresholds = _Ladder(thresholds)

    @staticmethod
    def _keys(c: Criteria, name: str) -> list[tuple[str, tuple[str, ...]]]:
        """(as written, keys) of a text field; a keyword is its own single key."""
        if name == "keywords":
            return [(written, (key,)) for written, key in c.keywords]
        return list(getattr(c, name))

    @staticmethod
    def _pairs(c: Criteria) -> list[_Pair]:
        """The (sector, type) keys under which a subscription's sector/type part is satisfied."""
        if not (c.sectors or c.incident_types):
            return []
        return [(s, t) for s in (c.sectors or [None]) for t in (c.incident_types or [None])]

    def __len__(self) -> int:
        return len(self.subscriptions)

    def matches(self, incident: dict[str, Any]) -> list[tuple[Subscription, list[Why]]]:
        """(subscription, why) for every subscription the incident matches."""
        return self.matches_facts(facts(incident))

    def matches_facts(self, f: Facts) -> list[tuple[Subscription, list[Why]]]:
        """`matches` on an incident already turned into `Facts`: find the candidates, drop the
        excluded and those under their threshold, and say why each of the others matched."""
        pairs = _incident_pairs(f)
        found = {
            "vendors": self._automata["vendors"].found(f.vendors),
            "organizations": self._automata["organizations"].found((f.organization,)),
            "keywords": self._automata["keywords"].found((f.text,)),
        }
        candidates = self._candidates(f, pairs, found)
        excluded = self._excluded(f, found)
        return self._matched_on(f, [i for i in candidates if i not in excluded], found)

    def _candidates(self, f: Facts, pairs: list[_Pair], found: dict[str, set[int]]) -> list[int]:
        """Subscriptions whose every constrained field has a hit (thresholds of text subscriptions aside), in order."""
        ladders = self._structured_only
        candidates = [i for p in pairs if p in ladders for i in ladders[p].reached(f.count)]
        multi: list[set[int]] = []
        for name, ids in found.items():
            if ids:
                automaton = self._automata[name]
                candidates.extend(automaton.single_field_hits(ids, pairs))
                multi.append(set().union(*(automaton.multi[k] for k in ids)))
        if any(multi):
            candidates += self._multi_field_hits(multi, pairs)
        if f.count is not None:
            candidates += self._thresholds.reached(f.count)
        return sorted(set(candidates))  # a subscription can sit under several of the pairs

    def _multi_field_hits(self, multi: list[set[int]], pairs: list[_Pair]) -> list[int]:
        """Subscriptions listing several text fields, with a hit on each (and on their sector/type part)."""
        structured_text = set().union(*(self._structured_text.get(p, ()) for p in pairs))
        need, has_structured = self._text_need, self._has_structured
        counts = Counter(i for hits in multi for i in hits)
        return [i for i, n in counts.items() if n == need[i] and (not has_structured[i] or i in structured_text)]

    def _excluded(self, f: Facts, found: dict[str, set[int]]) -> set[int]:
        """Subscriptions whose `exclude` the incident hits."""
        excluded = set(self._exclude_sector.get(f.sector, ()))
        excluded.update(*(self._exclude_type.get(code, ()) for code in f.incident_types))
        for name, ids in found.items():
            excluded.update(*(self._automata[name].excluding[k] for k in ids))
        return excluded

    def _matched_on(self, f: Facts, candidates: list[int], found: dict[str, set[int]]) -> list[tuple[Subscription, list[Why]]]:
        """(subscription, why) for the candidates a threshold does not rule out.

        The same list `match_facts` builds, from the keys the automata found. Plain
        loops, not comprehensions: this runs for every match and must stay cheap.
        """
        out = []
        append, plans, count = out.append, self._plans, f.count
        # Pairs are immutable, so one per incident value serves every match.
        sector_why = ("sector", f.sector)
        type_whys = [(t, ("incident_types", t)) for t in sorted(f.incident_types)]
        for i in candidates:
            sub, has_sector, types, listed, minimum = plans[i]
            if minimum is not None and (count is None or count < minimum):
                continue
            matched: list[Why] = [sector_why] if has_sector else []
            if types:
                for t, why in type_whys:
                    if t in types:
                        matched.append(why)
            for name, by_key in listed:
                _append_listed(matched, by_key, found[name])
            if minimum is not None:
                matched.append(("min_affected", count))
            append((sub, matched))
        return out


def _incident_pairs(f: Facts) -> list[_Pair]:
    """The (sector, type) keys an incident satisfies: its sector alone, each type alone and with the sector."""
    pairs = [(f.sector, None)]
    for t in f.incident_types:
        pairs += ((None, t), (f.sector, t))
    return pairs


def _append_listed(matched: list[Why], by_key: dict[int, tuple[tuple[int, Why], ...]], found: set[int]) -> None:
    """The values of one listed field that hit, in list order, each once."""
    hit: tuple[tuple[int, Why], ...] = ()
    for key_id in found:
        if key_id in by_key:
            hit += by_key[key_id]
    if len(hit) == 1:
        matched.append(hit[0][1])
    else:  # several keys hit: list order, each listed value once
        matched.extend(why for _, why in sorted(set(hit)))
