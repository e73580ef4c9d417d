"""Incident types (multi-label) from the cues in ``data/incident_types.toml``.

A type is reported when one of its cues appears in the header or in the body
outside countermeasure sections, and the clause neither denies it nor merely
warns about it. Some types imply others when the text supports it: ransomware
plus "サイバー攻撃"/"侵入" is also unauthorized_access (DESIGN.md section 4).
Nothing found gives ["other"].
"""

from __future__ import annotations

import functools
import re

from services.parser.fields.context import is_advisory, is_negated
from services.parser.resources import data, taxonomies


@functools.cache
def _rules() -> list[tuple[str, re.Pattern[str], dict[str, re.Pattern[str]]]]:
    table = data("incident_types")
    codes = taxonomies()["incident_types"]
    rules = []
    for code, spec in table.items():
        if code not in codes:
            raise ValueError(f"incident_types.toml uses unknown code {code!r}")
        pattern = re.compile("|".join(f"(?:{cue})" for cue in spec["cues"]))
        implies = {other: re.compile(cue) for other, cue in spec.get("implies", {}).items()}
        rules.append((code, pattern, implies))
    return rules


def _asserted(pattern: re.Pattern[str], text: str) -> bool:
    for match in pattern.finditer(text):
        if not is_negated(text, match.end()) and not is_advisory(text, match.end()):
            return True
    return False


def classify_types(header: str, body: str) -> list[str]:
    """Type codes in taxonomy order; `body` should exclude countermeasure sections."""
    found: set[str] = set()
    implied: set[str] = set()
    text = header + "\n" + body
    for code, pattern, implies in _rules():
        if pattern.search(text) and _asserted(pattern, text):
            found.add(code)
            for other, cue in implies.items():
                if cue.search(text):
                    implied.add(other)
    found |= implied
    if not found:
        return ["other"]
    order = list(taxonomies()["incident_types"])
    return sorted(found, key=order.index)
