"""The JSON endpoints behind the pages, for other tools: the same filters, the same pages, the same counts.

- `GET /api/incidents?<filters>&limit=&after=`: {"items", "total", "next", "next_url"}
- `GET /api/incidents/{incident_id}`: the latest version, its revisions and alerts
- `GET /api/stats?by=month,sector&<filters>&limit=`: {"by", "rows": [{"key", "incidents", "affected", "with_affected"}]}
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

import orjson
from aiohttp import web

from schemas import taxonomies
from services.archive.database import ArchiveError
from services.archive.query import IncidentSummary, count_incidents, get_incident, list_incidents, stats
from services.web.params import DEFAULT_LIMIT, BadRequest, filters_from, link, page_from
from services.web.state import READER


async def incidents(request: web.Request) -> web.Response:
    try:
        filters = filters_from(request.query)
        limit, after = page_from(request.query)
    except BadRequest as exc:
        return _error(400, str(exc))

    reader = request.app[READER]
    try:
        page, total = await asyncio.gather(  # two worker threads: SQLite runs both at once
            reader.run(lambda db: list_incidents(db, filters, limit, after)), reader.run(lambda db: count_incidents(db, filters)))
    except ArchiveError as exc:
        return _error(503, str(exc))
    except ValueError as exc:
        return _error(400, str(exc))
    size = [("limit", str(limit))] if limit != DEFAULT_LIMIT else []
    return _json({
        "items": [summary_json(item) for item in page.items],
        "total": total,
        "next": page.next,
        "next_url": link("/api/incidents", filters, [("after", page.next), *size]) if page.next else None,
    })


async def incident(request: web.Request) -> web.Response:
    incident_id = request.match_info["incident_id"]
    try:
        record = await request.app[READER].run(lambda db: get_incident(db, incident_id))
    except ArchiveError as exc:
        return _error(503, str(exc))
    if record is None:
        return _error(404, f"no incident {incident_id!r} in the archive")
    return _json(asdict(record))


async def stats_endpoint(request: web.Request) -> web.Response:
    by = [name.strip() for value in request.query.getall("by", []) for name in value.split(",") if name.strip()]
    try:
        filters = filters_from(request.query)
        limit = page_from(request.query)[0] if "limit" in request.query else None
    except BadRequest as exc:
        return _error(400, str(exc))
    try:
        rows = await request.app[READER].run(lambda db: stats(db, by, filters, limit))
    except ArchiveError as exc:
        return _error(503, str(exc))
    except ValueError as exc:
        return _error(400, str(exc))
    return _json({"by": by, "rows": [asdict(row) for row in rows]})


def summary_json(item: IncidentSummary) -> dict[str, Any]:
    """A list item, with the Japanese labels of its codes (the page's live updates show them)."""
    labels = taxonomies()
    return asdict(item) | {
        "sector_label": labels["sectors"].get(item.sector, item.sector),
        "incident_type_labels": [labels["incident_types"].get(t, t) for t in item.incident_types],
    }


def _json(value: Any, status: int = 200) -> web.Response:
    response = web.Response(body=orjson.dumps(value), status=status, content_type="application/json")
    response.enable_compression()  # when the client accepts it
    return response


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status)
