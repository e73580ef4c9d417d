"""What counts as a new version, and what a redelivered or replayed one does."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from services.archive.versions import classify, fingerprint

Make = Callable[..., dict[str, Any]]


def test_how_a_version_arrived_is_not_part_of_it(incident: Make) -> None:
    first = incident()
    again = first | {"source": first["source"] | {"fetched_at": "2025-01-01T00:00:00+00:00", "origin": "backfill"}}
    assert fingerprint(again) == fingerprint(first)
    assert fingerprint(first | {"title": "別の題"}) != fingerprint(first)
    assert fingerprint(first | {"source": first["source"] | {"content_hash": "other"}}) != fingerprint(first)


def test_key_order_does_not_matter(incident: Make) -> None:
    first = incident()
    assert fingerprint(dict(reversed(list(first.items())))) == fingerprint(first)


@pytest.mark.parametrize(("current_fetched", "incoming_fetched", "seen", "expected"), [
    ("2024-05-01T00:00:00+00:00", "2024-05-02T00:00:00+00:00", False, "revised"),
    ("2024-05-02T00:00:00+00:00", "2024-05-01T00:00:00+00:00", True, "replayed"),  # an older version replayed
    ("2024-05-01T00:00:00+00:00", "2024-05-02T00:00:00+00:00", True, "revised"),  # the post edited back later
    (None, "2024-05-02T00:00:00+00:00", True, "replayed"),  # cannot tell: a replay is the safe reading
    ("2024-05-01T00:00:00", "2024-05-02T00:00:00+00:00", True, "replayed"),  # naive stamps cannot be ordered
    ("2024-05-01T00:00:00+00:00", "not a date", True, "replayed"),
])
def test_classify(incident: Make, current_fetched: str | None, incoming_fetched: str, seen: bool, expected: str) -> None:
    current = incident(source={"fetched_at": current_fetched})
    incoming = current | {"title": "訂正版", "source": current["source"] | {"fetched_at": incoming_fetched}}
    assert classify(incoming, fingerprint(incoming), current, fingerprint(current), seen) == expected


def test_classify_first_and_unchanged(incident: Make) -> None:
    first = incident()
    assert classify(first, fingerprint(first), None, None, False) == "new"
    assert classify(first, fingerprint(first), first, fingerprint(first), False) == "unchanged"
