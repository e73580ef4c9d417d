"""URL query <-> filters: a shared link gives back the same view; mistakes are one clear message."""

from __future__ import annotations

from datetime import date

import pytest
from multidict import MultiDict

from schemas import taxonomies
from services.archive.query import Filters
from services.web.params import BadRequest, chips, filters_from, link, month_bounds, narrowed, page_from, query_pairs


def test_filters_round_trip_through_the_query() -> None:
    filters = Filters(sectors=("healthcare", "education"), incident_types=("ransomware",), organizations=("東京都",),
                      vendors=("acmailer", "WordPress"), since=date(2024, 1, 1), until=date(2024, 12, 31), min_affected=100,
                      search="電子カルテ 病院")
    assert filters_from(MultiDict(query_pairs(filters))) == filters


def test_japanese_labels_become_codes() -> None:
    assert filters_from(MultiDict([("sector", "医療"), ("type", "ランサムウェア")])) == Filters(
        sectors=("healthcare",), incident_types=("ransomware",))


@pytest.mark.parametrize(("query", "message"), [
    ([("since", "2024/01/01")], "since: expected a date such as 2024-05-01, got '2024/01/01'"),
    ([("min-affected", "-3")], "min-affected: expected a whole number, got '-3'"),
    ([("sector", "hospital")], "unknown sector 'hospital'"),
    ([("search", "x" * 201)], "search: longer than 200 characters"),
    ([("vendor", str(n)) for n in range(51)], "vendor: at most 50 values, got 51"),
])
def test_mistakes_are_one_line_naming_the_parameter(query: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(BadRequest) as raised:
        filters_from(MultiDict(query))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_page_size_and_cursor() -> None:
    assert page_from(MultiDict()) == (50, None)
    assert page_from(MultiDict([("limit", "5"), ("after", "2024-01-01~7")])) == (5, "2024-01-01~7")
    with pytest.raises(BadRequest, match="limit: expected 1 to 500, got 0"):
        page_from(MultiDict([("limit", "0")]))


def test_a_month_narrows_the_period_within_the_filters() -> None:
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    period = Filters(since=date(2024, 2, 10))
    assert narrowed(period, month="2024-02", sectors=("finance",)) == Filters(
        sectors=("finance",), since=date(2024, 2, 10), until=date(2024, 2, 29))


def test_links_keep_filters_and_chips_remove_one_value_each() -> None:
    filters = Filters(sectors=("healthcare", "finance"), search="a&b")
    assert link("/incidents", filters, [("after", "x~1")]) == "/incidents?sector=healthcare&sector=finance&search=a%26b&after=x~1"
    assert link("/", Filters()) == "/"
    found = dict(chips("/incidents", filters, taxonomies()))
    assert found == {"sector: 医療": "/incidents?sector=finance&search=a%26b",
                     "sector: 金融": "/incidents?sector=healthcare&search=a%26b",
                     "search: a&b": "/incidents?sector=healthcare&sector=finance"}
