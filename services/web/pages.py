"""The HTML pages: overview, filtered list, one incident. Thin: read the query, ask the archive, render."""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from schemas import taxonomies
from services.archive.database import ArchiveError
from services.archive.query import Filters, count_incidents, get_incident, list_incidents
from services.web import evidence, overview
from services.web.params import DEFAULT_LIMIT, BadRequest, chips, filters_from, link, narrowed, page_from, query_pairs
from services.web.state import CACHE, MIRROR, READER, TASKS
from services.web.views import render

NEWEST = 8


async def overview_page(request: web.Request) -> web.Response:
    reader = request.app[READER]
    try:
        filters = filters_from(request.query)
    except BadRequest as exc:
        return _html("overview.html", 400, error=str(exc), **_form("/", Filters()), overview=None, periods=_period_links())
    try:
        drawn, stale, newest_rowid = await current_overview(request.app, filters)
        newest = await reader.run(lambda db: list_incidents(db, filters, NEWEST).items)
    except ArchiveError as exc:
        return _unavailable(exc)
    summary = drawn.overview
    return _html(
        "overview.html", 200, **_form("/", filters), overview=summary, charts=drawn.charts, stale=stale,
        periods=_period_links(), newest=newest, list_link=link("/incidents", filters),
        sector_links={sector: link("/incidents", narrowed(filters, sectors=(sector,))) for sector, _ in summary.sectors()},
        live_newest=newest_rowid,
    )


async def current_overview(app: web.Application, filters: Filters) -> tuple[overview.Drawn, bool, int]:
    """The overview for the archive as it is, else the last one computed while a background task
    recomputes it (stale: True); only a selection never asked for before waits for its counts."""
    version, newest_rowid = await app[READER].version()
    cache = app[CACHE]
    kept = cache.get(filters)
    if kept is None:
        drawn = await _compute(app, filters)
        cache.put(filters, version, drawn)
        return drawn, False, newest_rowid
    kept_version, drawn = kept
    if kept_version == version:
        return drawn, False, newest_rowid
    if filters not in cache.refreshing:
        cache.refreshing.add(filters)
        task = asyncio.create_task(_refresh(app, filters, version))
        app[TASKS].add(task)
        task.add_done_callback(app[TASKS].discard)
    return drawn, True, newest_rowid


async def _refresh(app: web.Application, filters: Filters, version: object) -> None:
    try:
        app[CACHE].put(filters, version, await _compute(app, filters))
    except ArchiveError:
        pass  # the next view tries again
    finally:
        app[CACHE].refreshing.discard(filters)


async def _compute(app: web.Application, filters: Filters) -> overview.Drawn:
    """On the counting mirror (whole months: its monthly tallies), except for full-text search, whose index only the archive has."""
    if filters.search:
        counted = await app[READER].run(lambda db: overview.compute(db, filters))
    else:
        mirror = app[MIRROR]
        count = overview.compute_monthly if overview.whole_months(filters) else overview.compute
        counted = await app[READER].run(lambda db: mirror.synced(db, lambda copy: count(copy, filters)))
    return overview.draw(counted, filters)


async def list_page(request: web.Request) -> web.Response:
    reader = request.app[READER]
    try:
        filters = filters_from(request.query)
        limit, after = page_from(request.query)
    except BadRequest as exc:
        return _html("list.html", 400, error=str(exc), **_form("/incidents", Filters()), page=None)
    try:
        _, newest_rowid = await reader.version()
        page, total = await asyncio.gather(  # two worker threads: SQLite runs both at once
            reader.run(lambda db: list_incidents(db, filters, limit, after)), reader.run(lambda db: count_incidents(db, filters)))
    except ArchiveError as exc:
        return _unavailable(exc)
    except ValueError as exc:  # a cursor that is not one of ours
        return _html("list.html", 400, error=str(exc), **_form("/incidents", filters), page=None)
    size = [("limit", str(limit))] if limit != DEFAULT_LIMIT else []
    return _html(
        "list.html", 200, **_form("/incidents", filters), page=page, total=total, after=after,
        first_link=link("/incidents", filters, size),
        next_link=link("/incidents", filters, [("after", page.next), *size]) if page.next else None,
        live_newest=newest_rowid,
    )


async def incident_page(request: web.Request) -> web.Response:
    incident_id = request.match_info["incident_id"]
    try:
        record = await request.app[READER].run(lambda db: get_incident(db, incident_id))
    except ArchiveError as exc:
        return _unavailable(exc)
    if record is None:
        return _html("message.html", 404, heading="Not found", message=f"No incident {incident_id!r} in the archive.")
    incident = record.incident
    body = str(incident.get("body") or "")
    quotes = evidence.quotes(body, incident.get("evidence") or {})
    pieces = evidence.pieces(body, quotes)
    starts: dict[int, int] = {}
    offset = 0
    for index, piece in enumerate(pieces):
        starts[offset] = index
        offset += len(piece.text)
    anchors: dict[int, list[str]] = {}
    for quote in quotes:
        if quote.start is not None:
            anchors.setdefault(starts[quote.start], []).append(quote.field)
    return _html("incident.html", 200, record=record, incident=incident, quotes=quotes, pieces=pieces, anchors=anchors,
                 colour={quote.field: n % 6 for n, quote in enumerate(quotes)})


def _form(path: str, filters: Filters) -> dict[str, object]:
    """What the filter form and the chips need, and the filters live updates ask for."""
    return {"action": path, "filters": filters, "chips": chips(path, filters, taxonomies()),
            "live_query": urlencode(query_pairs(filters))}


def periods(today: date | None = None) -> list[tuple[str, Filters]]:
    """The overview's quick periods: whole months, which the counting mirror's monthly tallies answer."""
    today = today or date.today()
    first = today.year * 12 + today.month - 1 - 11  # this month and the 11 before it
    return [
        ("all time", Filters()),
        ("last 12 months", Filters(since=date(first // 12, first % 12 + 1, 1))),
        ("last 3 years", Filters(since=date(today.year - 3, today.month, 1))),
        (f"{today.year}", Filters(since=date(today.year, 1, 1))),
        (f"{today.year - 1}", Filters(since=date(today.year - 1, 1, 1), until=date(today.year - 1, 12, 31))),
    ]


def _period_links() -> list[tuple[str, str]]:
    return [(label, link("/", filters)) for label, filters in periods()]


def _unavailable(exc: ArchiveError) -> web.Response:
    return _html("message.html", 503, heading="No archive", message=str(exc))


def _html(template: str, status: int, **context: object) -> web.Response:
    context.setdefault("error", None)
    context.setdefault("live_query", "")
    context.setdefault("live_newest", 0)
    response = web.Response(text=render(template, **context), status=status, content_type="text/html", charset="utf-8")
    response.enable_compression()  # when the browser accepts it: ten years of monthly bars are 300 KB of SVG, 30 KB gzipped
    return response
