"""What the overview page shows: totals, incidents per month by sector, by type, top vendors and organisations.

Grouped counts over the whole selection are the page's cost: on 100,000
incidents 2 s on the archive file, about 0.4 s grouping the counting mirror's
rows (`mirror`), and a few milliseconds adding up its monthly tallies, which
answer selections of whole months (`compute_monthly`). An overview and its
drawn charts are kept per selection with the archive version they counted;
when the archive has changed since, the page shows the kept one at once while
a background task recounts (`pages`), so a page view waits for counts only
the first time a selection is asked for.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from markupsafe import Markup

from schemas import taxonomies
from services.archive.query import Filters, StatRow, stats
from services.web.charts import Bar, Column, Segment, horizontal_bars, stacked_columns
from services.web.params import link, month_bounds, narrowed, query_pairs

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
    """The overview of one selection; `db` is the archive or its counting mirror."""
    return _overview(
        stats(db, ("month", "sector"), filters),
        [row for row in stats(db, ("type",), filters) if row.key[0] is not None],
        [row for row in stats(db, ("vendor",), filters, limit=TOP + 1) if row.key[0]],
        [row for row in stats(db, ("organization",), filters, limit=TOP + 1) if row.key[0]],
    )


def whole_months(filters: Filters) -> bool:
    """True for a selection of whole months and nothing else, which the mirror's monthly tallies answer."""
    return (replace(filters, since=None, until=None) == Filters()
            and (filters.since is None or filters.since.day == 1)
            and (filters.until is None or filters.until == month_bounds(filters.until.isoformat()[:7])[1]))


def compute_monthly(mirror: sqlite3.Connection, filters: Filters) -> Overview:
    """The same overview as `compute`, for a `whole_months` selection, from the mirror's monthly tallies."""
    span = (filters.since.isoformat()[:7] if filters.since else "", filters.until.isoformat()[:7] if filters.until else "9999")
    cells = [StatRow((month, sector), n, affected, counted) for month, sector, n, affected, counted in mirror.execute(
        "SELECT month, sector, n, affected, with_affected FROM month_sector WHERE month BETWEEN ? AND ?", span)]
    # Ordered as `stats` orders categories: by count, largest first, then by key.
    types = [StatRow((key,), n, affected, counted) for key, n, affected, counted in mirror.execute(
        "SELECT type, sum(n), sum(affected), sum(with_affected) FROM month_type WHERE month BETWEEN ? AND ?"
        " GROUP BY type ORDER BY 2 DESC, 1", span)]
    vendors = [StatRow((label,), n, affected, counted) for label, n, affected, counted in mirror.execute(
        "SELECT min(vendor), sum(n), sum(affected), sum(with_affected) FROM month_vendor WHERE month BETWEEN ? AND ?"
        " GROUP BY vendor_key ORDER BY 2 DESC, 1 LIMIT ?", (*span, TOP))]
    if filters.since is None and filters.until is None:
        organizations = [StatRow((label,), n, affected, counted) for label, n, affected, counted in mirror.execute(
            "SELECT organization, n, affected, with_affected FROM organization_total WHERE organization != ''"
            " ORDER BY n DESC, organization LIMIT ?", (TOP,))]
    else:
        organizations = [row for row in stats(mirror, ("organization",), filters, limit=TOP + 1) if row.key[0]]
    return _overview(cells, types, vendors, organizations)


def _overview(cells: list[StatRow], types: list[StatRow], vendors: list[StatRow], organizations: list[StatRow]) -> Overview:
    per_month: dict[str, dict[str, int]] = {}
    for row in cells:
        month, sector = row.key
        per_month.setdefault(str(month), {})[str(sector)] = row.incidents
    return Overview(
        # Every incident has a month and a sector, so the cells add up to the total.
        total=StatRow((), sum(r.incidents for r in cells), sum(r.affected for r in cells), sum(r.with_affected for r in cells)),
        months=[(month, per_month.get(month, {})) for month in month_range(min(per_month), max(per_month))] if per_month else [],
        types=types,
        vendors=vendors[:TOP],
        organizations=organizations[:TOP],
    )


def month_range(first: str, last: str) -> list[str]:
    """'YYYY-MM' from first to last inclusive, so empty months show as gaps."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class Drawn:
    """An overview and its charts, drawn once per count: ten years of months are 1,800 linked bars."""

    overview: Overview
    charts: dict[str, Markup]


def draw(overview: Overview, filters: Filters) -> Drawn:
    return Drawn(overview, {"month": month_chart(overview, filters), "type": type_chart(overview, filters),
                            "vendor": vendor_chart(overview, filters), "organization": organization_chart(overview, filters)})


class OverviewCache:
    """The newest overview of each selection and the archive version it counts; least recently used dropped first.

    Used from the event loop only. `refreshing` holds the selections being recomputed in the background."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._cache: OrderedDict[Filters, tuple[object, Drawn]] = OrderedDict()
        self.refreshing: set[Filters] = set()

    def get(self, filters: Filters) -> tuple[object, Drawn] | None:
        found = self._cache.get(filters)
        if found is not None:
            self._cache.move_to_end(filters)
        return found

    def put(self, filters: Filters, version: object, drawn: Drawn) -> None:
        self._cache[filters] = (version, drawn)
        self._cache.move_to_end(filters)
        while len(self._cache) > self.entries:
            self._cache.popitem(last=False)

    def clear(self) -> None:
        self._cache.clear()


def month_chart(overview: Overview, filters: Filters) -> Markup:
    """Each segment links to its sector in its month; the query is built from parts encoded once (ten years: 1,800 links)."""
    labels = taxonomies()["sectors"]
    order = [sector for sector, _ in overview.sectors()]
    sector_part = {sector: urlencode([("sector", sector)]) for sector in order}
    columns = []
    for month, counts in overview.months:
        pairs = query_pairs(narrowed(filters, month=month, sectors=()))
        rest = "&" + urlencode(pairs) if pairs else ""
        columns.append(Column(month, tuple(
            Segment(counts[sector], f"/incidents?{sector_part[sector]}{rest}", f"{month} {labels.get(sector, sector)}: {counts[sector]:,}",
                    f"sector-{sector}")
            for sector in order if sector in counts)))
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
