"""Filters and paging in a URL's query string, both ways, so a view is a link that can be shared.

The names are those of `jikenbo incidents list`: `sector`, `type`, `org`,
`vendor` (each may repeat: OR), `since`, `until` (YYYY-MM-DD, inclusive),
`min-affected`, `search`; plus `after` (the page cursor) and `limit`.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date
from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

from services.archive.query import Filters, codes

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_VALUES = 50  # per repeated filter: a URL cannot make one query arbitrarily large
MAX_TEXT = 200


class BadRequest(ValueError):
    """A query value the person can fix; the message says which and how."""


def filters_from(query: Mapping[str, Any]) -> Filters:
    """Filters from a query (aiohttp's MultiDict, or any mapping with `getall`)."""
    try:
        return Filters(
            sectors=tuple(codes("sectors", _values(query, "sector"))),
            incident_types=tuple(codes("incident_types", _values(query, "type"))),
            organizations=_values(query, "org"),
            vendors=_values(query, "vendor"),
            since=_date(query, "since"),
            until=_date(query, "until"),
            min_affected=_count(query, "min-affected"),
            search=_text(query, "search"),
        )
    except BadRequest:
        raise
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def page_from(query: Mapping[str, Any]) -> tuple[int, str | None]:
    """Page size and cursor; the cursor is checked by the archive query itself."""
    limit = _count(query, "limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit: expected 1 to {MAX_LIMIT}, got {limit}")
    after = _text(query, "after") or None
    return limit or DEFAULT_LIMIT, after


def query_pairs(filters: Filters) -> list[tuple[str, str]]:
    """The query that `filters_from` reads back as `filters`."""
    pairs = [("sector", v) for v in filters.sectors] + [("type", v) for v in filters.incident_types]
    pairs += [("org", v) for v in filters.organizations] + [("vendor", v) for v in filters.vendors]
    if filters.since:
        pairs.append(("since", filters.since.isoformat()))
    if filters.until:
        pairs.append(("until", filters.until.isoformat()))
    if filters.min_affected is not None:
        pairs.append(("min-affected", str(filters.min_affected)))
    if filters.search:
        pairs.append(("search", filters.search))
    return pairs


def link(path: str, filters: Filters, extra: Iterable[tuple[str, str]] = ()) -> str:
    """`path` with the filters (and extra pairs such as the cursor) in its query."""
    pairs = query_pairs(filters) + list(extra)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def narrowed(filters: Filters, **changes: Any) -> Filters:
    """The filters with one more condition, as a chart element links to them.

    A sector, type, organisation or vendor replaces the same kind of filter
    (the element stands for that one value); a month narrows the period."""
    month = changes.pop("month", None)
    if month is not None:
        first, last = month_bounds(month)
        changes["since"] = max(first, filters.since) if filters.since else first
        changes["until"] = min(last, filters.until) if filters.until else last
    return replace(filters, **changes)


def chips(path: str, filters: Filters, labels: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """Each active filter value as (label, link to `path` without it), to show and remove filters one by one."""
    values: list[tuple[str, str, Any]] = [("sector", labels["sectors"].get(v, v), ("sectors", v)) for v in filters.sectors]
    values += [("type", labels["incident_types"].get(v, v), ("incident_types", v)) for v in filters.incident_types]
    values += [("organisation", v, ("organizations", v)) for v in filters.organizations]
    values += [("vendor", v, ("vendors", v)) for v in filters.vendors]
    found = []
    for kind, label, (attribute, value) in values:
        rest = tuple(v for v in getattr(filters, attribute) if v != value)
        found.append((f"{kind}: {label}", link(path, replace(filters, **{attribute: rest}))))
    singles = [("since", "since", None), ("until", "until", None), ("min_affected", "min. affected", None), ("search", "search", "")]
    for attribute, kind, empty in singles:
        value = getattr(filters, attribute)
        if value not in (None, ""):
            found.append((f"{kind}: {value}", link(path, replace(filters, **{attribute: empty}))))
    return found


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of 'YYYY-MM'."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _values(query: Mapping[str, Any], name: str) -> tuple[str, ...]:
    values = [v.strip() for v in query.getall(name, []) if v.strip()]  # type: ignore[attr-defined]
    if len(values) > MAX_VALUES:
        raise BadRequest(f"{name}: at most {MAX_VALUES} values, got {len(values)}")
    if any(len(v) > MAX_TEXT for v in values):
        raise BadRequest(f"{name}: a value is longer than {MAX_TEXT} characters")
    return tuple(dict.fromkeys(values))


def _text(query: Mapping[str, Any], name: str) -> str:
    value = (query.get(name) or "").strip()
    if len(value) > MAX_TEXT:
        raise BadRequest(f"{name}: longer than {MAX_TEXT} characters")
    return value


def _date(query: Mapping[str, Any], name: str) -> date | None:
    value = _text(query, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(name, value)
    except ValueError:
        return _bad_date(name, value)


def _bad_date(name: str, value: str) -> date:
    raise BadRequest(f"{name}: expected a date such as 2024-05-01, got {value!r}")


def _count(query: Mapping[str, Any], name: str) -> int | None:
    value = _text(query, name)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise BadRequest(f"{name}: expected a whole number, got {value!r}")
    return int(value)
