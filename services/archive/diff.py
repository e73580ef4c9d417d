"""Field-level changes between two versions of an incident, and applying them.

A revision stores what changed rather than a whole copy: an edit usually
touches a field or two of a multi-kilobyte incident, and a list of changes
(`affected.count: 120 -> 3400`) is what a person wants to read. Each change
carries the old and the new value, so the latest version and the changes give
back every earlier one (`revert`), and an earlier one and the changes the next
(`apply`).
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, NotRequired, TypedDict

import orjson


class Change(TypedDict):
    """One field that changed; a missing `old` means it was added, a missing `new` that it was removed.

    `path` names nested fields (`["affected", "count"]`); objects are compared
    field by field, lists and scalars as whole values."""

    path: list[str]
    old: NotRequired[Any]
    new: NotRequired[Any]


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes that turn `old` into `new`, in field order (old's fields first, then added ones)."""
    changes: list[Change] = []
    _compare(old, new, [], changes)
    return changes


def apply(document: dict[str, Any], changes: Iterable[Change]) -> dict[str, Any]:
    """`document` with the changes made (a copy; the argument is left alone)."""
    result = copy.deepcopy(document)
    for change in changes:
        _put(result, change["path"], change, "new")
    return result


def revert(document: dict[str, Any], changes: Iterable[Change]) -> dict[str, Any]:
    """`document` with the changes undone, newest first: `revert(apply(d, c), c) == d`."""
    result = copy.deepcopy(document)
    for change in reversed(list(changes)):
        _put(result, change["path"], change, "old")
    return result


def _compare(old: dict[str, Any], new: dict[str, Any], path: list[str], out: list[Change]) -> None:
    for key in [*old, *(k for k in new if k not in old)]:
        here = [*path, key]
        if key not in new:
            out.append({"path": here, "old": old[key]})
        elif key not in old:
            out.append({"path": here, "new": new[key]})
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            _compare(old[key], new[key], here, out)
        elif not _same(old[key], new[key]):
            out.append({"path": here, "old": old[key], "new": new[key]})


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON: `1`, `1.0` and `true` are equal in Python but not in a message."""
    return a == b and orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(b, option=orjson.OPT_SORT_KEYS)


def _put(document: dict[str, Any], path: list[str], change: Change, side: str) -> None:
    """Set the field at `path` to the change's `side` value, or delete it when that side is absent."""
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    if side in change:
        target[last] = copy.deepcopy(change[side])  # type: ignore[literal-required]
    else:
        target.pop(last, None)
