"""Filter options: dates given as a year, a month or a day; wrong values are one line for the user."""

from __future__ import annotations

from datetime import date

import pytest

from services.archive.options import FILTER_NAMES, filters_from, period_bound
from services.archive.query import Filters
from services.common.errors import UsageError


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2023", date(2023, 1, 1), date(2023, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-2", date(2023, 2, 1), date(2023, 2, 28)),
    ("2024-06-30", date(2024, 6, 30), date(2024, 6, 30)),
])
def test_a_period_bound_is_the_first_or_last_day_of_what_was_written(text: str, start: date, end: date) -> None:
    assert (period_bound(text, end=False), period_bound(text, end=True)) == (start, end)


@pytest.mark.parametrize("text", ["yesterday", "2024-13", "2024-02-30", "24-01-01", "2024/01"])
def test_what_is_not_a_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        period_bound(text, end=False)


def options(**given: object) -> dict[str, object]:
    empty: dict[str, object] = {"sectors": (), "incident_types": (), "organizations": (), "vendors": (), "since": None,
                                "until": None, "min_affected": None, "search": ""}
    return empty | given


def test_options_become_filters_with_codes_for_labels() -> None:
    given = options(sectors=("医療", "finance"), incident_types=("ランサムウェア",), since="2023", until="2024-06", demo=True)
    assert filters_from(given) == Filters(sectors=("healthcare", "finance"), incident_types=("ransomware",),
                                          since=date(2023, 1, 1), until=date(2024, 6, 30))
    assert given == {"demo": True}, "the filter options are taken out, the others left"
    assert set(FILTER_NAMES) == set(options())


@pytest.mark.parametrize(("given", "message"), [
    ({"sectors": ("病院",)}, "unknown sector '病院'"),
    ({"incident_types": ("hack",)}, "unknown incident type 'hack'"),
    ({"since": "soon"}, "expected a date such as 2024"),
])
def test_a_wrong_value_is_one_line_for_the_user(given: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        filters_from(options(**given))
