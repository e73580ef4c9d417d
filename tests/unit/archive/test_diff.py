"""Revisions store changes, not copies: the changes must rebuild both versions exactly."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.archive.diff import apply, diff, revert

KEYS = st.sampled_from(["title", "body", "affected", "count", "source", "url", "vendors", "a", "b", "c"])
SCALARS = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)
DOCS = st.dictionaries(KEYS, JSON, max_size=6)


@given(DOCS, DOCS)
def test_changes_turn_either_version_into_the_other(old: dict[str, Any], new: dict[str, Any]) -> None:
    changes = diff(old, new)
    assert apply(old, changes) == new
    assert revert(new, changes) == old
    assert (changes == []) == (diff(new, old) == [])


@given(DOCS)
def test_a_version_against_itself_has_no_changes(doc: dict[str, Any]) -> None:
    assert diff(doc, doc) == []


@given(DOCS, DOCS)
def test_apply_and_revert_leave_their_argument_alone(old: dict[str, Any], new: dict[str, Any]) -> None:
    before = repr(old), repr(new)
    changes = diff(old, new)
    apply(old, changes)
    revert(new, changes)
    assert (repr(old), repr(new)) == before


def test_nested_fields_are_named_by_path_and_lists_compared_whole() -> None:
    old = {"affected": {"count": 120, "unit": "名"}, "vendors": ["a"], "title": "x", "gone": 1}
    new = {"affected": {"count": 3400, "unit": "名"}, "vendors": ["a", "b"], "title": "x", "added": True}
    assert diff(old, new) == [
        {"path": ["affected", "count"], "old": 120, "new": 3400},
        {"path": ["vendors"], "old": ["a"], "new": ["a", "b"]},
        {"path": ["gone"], "old": 1},
        {"path": ["added"], "new": True},
    ]


def test_values_equal_in_python_but_not_in_json_are_a_change() -> None:
    assert diff({"count": 1}, {"count": True}) == [{"path": ["count"], "old": 1, "new": True}]
    assert diff({"count": 1}, {"count": 1.0}) == [{"path": ["count"], "old": 1, "new": 1.0}]


def test_an_object_replaced_by_a_scalar_is_one_change() -> None:
    assert diff({"affected": {"count": 1}}, {"affected": None}) == [{"path": ["affected"], "old": {"count": 1}, "new": None}]
