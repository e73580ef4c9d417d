"""The filter options every `jikenbo incidents` command shares, and turning them into `query.Filters`.

They mirror a subscription's fields (`--sector` is `sectors`, `--org` is
`organizations`, …), repeatable, OR within one option and AND across options.
Dates may be a year, a month or a day: `--since 2023 --until 2024-06` is
every incident from 1 January 2023 to 30 June 2024.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any, Callable

import click

from services.archive.query import Filters, codes
from services.common.errors import UsageError

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def period_bound(text: str, end: bool) -> date:
    """The first (or, with `end`, the last) day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    found = _PERIOD.match(text.strip())
    if found is None:
        raise ValueError(f"expected a date such as 2024, 2024-06 or 2024-06-30, got {text!r}")
    year, month, day = (int(part) if part else None for part in found.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date ({exc})") from None


_OPTIONS = (
    click.option("--sector", "sectors", multiple=True, help="Sector code or label (医療, healthcare); repeatable."),
    click.option("--type", "incident_types", multiple=True, help="Incident type code or label (ransomware); repeatable."),
    click.option("--org", "organizations", multiple=True, help="Organisation name, compared as subscriptions compare it; repeatable."),
    click.option("--vendor", "vendors", multiple=True, help="Vendor or contractor name (aliases apply); repeatable."),
    click.option("--since", help="From this date on (2024, 2024-06 or 2024-06-30), by disclosure date."),
    click.option("--until", help="Up to this date, inclusive (2024 means to the end of 2024)."),
    click.option("--min-affected", type=click.IntRange(min=0), help="At least this many affected (people, records, …)."),
    click.option("--search", default="", help="Words that must all occur in the title or body (Japanese works: 電子カルテ)."),
    click.option("--demo", is_flag=True, help="The archive of `jikenbo up --demo` instead of the configured state directory."),
)


FILTER_NAMES = ("sectors", "incident_types", "organizations", "vendors", "since", "until", "min_affected", "search")


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared filter options (and --demo) to a command."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def filters_from(options: dict[str, Any]) -> Filters:
    """`Filters` from the shared options, which are removed from `options`; a wrong value is one line for the user."""
    values = {name: options.pop(name) for name in FILTER_NAMES}
    try:
        return Filters(
            sectors=tuple(codes("sectors", values["sectors"])),
            incident_types=tuple(codes("incident_types", values["incident_types"])),
            organizations=values["organizations"],
            vendors=values["vendors"],
            since=period_bound(values["since"], end=False) if values["since"] else None,
            until=period_bound(values["until"], end=True) if values["until"] else None,
            min_affected=values["min_affected"],
            search=values["search"],
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
