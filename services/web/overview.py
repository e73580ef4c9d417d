"""What the overview page shows: totals, incidents per month by sector, by type, top vendors and organisations.

Four grouped counts over the whole selection are the page's cost (a scan of
the period's incidents); they are cached per archive version and filters, so
the page is recomputed once after each archive commit, not on every view.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from markupsafe import Markup

from schemas import taxonomies
from services.archive.query import Filters, StatRow, stats
from services.web.charts import Bar, Column, Segment, horizontal_bars, stacked_columns
from services.web.params import link, narrowed

TOP = 10
CACHE_ENTRIES = 64


@dataclass(frozen=True)
class Overview:
    """The numbers of one selection."""

    total: StatRow
    months: list[tuple[str, dict[str, int]]]  # every month from the first to the last, incidents per sector
    types: list[StatRow]
    vendors: list[StatRow]
    organizations: list[StatRow]

    def sectors(self) -> list[tuple[str, int]]:
        """Sectors present, largest first: the legend and the stacking order."""
        totals: dict[str, int] = {}
        for _, counts in self.months:
            for sector, n in counts.items():
                totals[sector] = totals.get(sector, 0) + n
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def compute(db: sqlite3.Connection, filters: Filters) -> Overview:
    total = stats(db, (), filters)[0]
    per_month: dict[str, dict[str, int]] = {}
    for row in stats(db, ("month", "sector"), filters):
        month, sector = row.key
        per_month.setdefault(str(month), {})[str(sector)] = row.incidents
    return Overview(
        total=total,
        months=[(month, per_month.get(month, {})) for month in month_range(min(per_month), max(per_month))] if per_month else [],
        types=[row for row in stats(db, ("type",), filters) if row.key[0] is not None],
        vendors=[row for row in stats(db, ("vendor",), filters, limit=TOP + 1) if row.key[0]][:TOP],
        organizations=[row for row in stats(db, ("organization",), filters, limit=TOP + 1) if row.key[0]][:TOP],
    )


def month_range(first: str, last: str) -> list[str]:
    """'YYYY-MM' from first to last inclusive, so empty months show as gaps."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class OverviewCache:
    """Overviews by (archive version, filters), least recently used dropped first; used from the event loop only."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._cache: OrderedDict[tuple[object, Filters], Overview] = OrderedDict()

    def get(self, version: object, filters: Filters) -> Overview | None:
        found = self._cache.get((version, filters))
        if found is not None:
            self._cache.move_to_end((version, filters))
        return found

    def put(self, version: object, filters: Filters, overview: Overview) -> None:
        self._cache[(version, filters)] = overview
        while len(self._cache) > self.entries:
            self._cache.popitem(last=False)


def month_chart(overview: Overview, filters: Filters) -> Markup:
    labels = taxonomies()["sectors"]
    order = [sector for sector, _ in overview.sectors()]
    columns = [
        Column(month, tuple(
            Segment(counts[sector], link("/incidents", narrowed(filters, month=month, sectors=(sector,))),
                    f"{month} {labels.get(sector, sector)}: {counts[sector]:,}", f"sector-{sector}")
            for sector in order if sector in counts))
        for month, counts in overview.months
    ]
    return stacked_columns(columns, "incidents per month, by sector")


def type_chart(overview: Overview, filters: Filters) -> Markup:
    labels = taxonomies()["incident_types"]
    return horizontal_bars([Bar(labels.get(str(row.key[0]), str(row.key[0])), row.incidents,
                                link("/incidents", narrowed(filters, incident_types=(str(row.key[0]),))))
                            for row in overview.types], "incidents by type", "bar-type")


def vendor_chart(overview: Overview, filters: Filters) -> Markup:
    return horizontal_bars([Bar(str(row.key[0]), row.incidents, link("/incidents", narrowed(filters, vendors=(str(row.key[0]),))))
                            for row in overview.vendors], "top vendors", "bar-vendor")


def organization_chart(overview: Overview, filters: Filters) -> Markup:
    return horizontal_bars([Bar(str(row.key[0]), row.incidents,
                                link("/incidents", narrowed(filters, organizations=(str(row.key[0]),))))
                            for row in overview.organizations], "top organisations", "bar-organization")
