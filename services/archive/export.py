"""Exports: CSV a spreadsheet opens as it is, and JSON Lines for programs, both streamed.

Both take an iterator of incidents (`query.iter_incidents`) and yield text a
piece at a time, so exporting 100,000 incidents holds one in memory.

CSV: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local
code page and Japanese turns to mojibake), one row per incident, flat columns;
lists are joined with `LIST_SEPARATOR`. The body is left out: bodies run to
tens of thousands of characters, past what a spreadsheet cell holds; JSON
Lines carries them. A text cell that starts with = + - @ (or a tab or carriage
return) would be run as a formula, so it gets a leading apostrophe, which
spreadsheets show as text (CSV injection).

JSON Lines: each incident's latest version exactly as the parser published it,
one per line. The characters some readers also split lines on (U+0085, U+2028,
U+2029; JSON allows them raw inside strings) are written as escapes, so only
the newline ends a record whoever reads it.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Callable, Iterable, Iterator

import orjson

from schemas import taxonomies

LIST_SEPARATOR = " | "  # rare inside names, data types and indicators, unlike 、 , ;
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def _joined(values: Any) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values or [])


def _labels(kind: str, codes: Any) -> str:
    table = taxonomies()[kind]
    return _joined(table.get(code, code) for code in codes or [])


def _source(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda incident: (incident.get("source") or {}).get(name)


def _affected(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda incident: (incident.get("affected") or {}).get(name)


COLUMNS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    ("incident_id", lambda i: i.get("incident_id")),
    ("case_id", lambda i: i.get("case_id")),
    ("disclosed_on", lambda i: i.get("disclosed_on")),
    ("organization", lambda i: i.get("organization")),
    ("title", lambda i: i.get("title")),
    ("sector", lambda i: i.get("sector")),
    ("sector_label", lambda i: taxonomies()["sectors"].get(i.get("sector"), i.get("sector"))),
    ("incident_types", lambda i: _joined(i.get("incident_types"))),
    ("incident_type_labels", lambda i: _labels("incident_types", i.get("incident_types"))),
    ("affected_count", _affected("count")),
    ("affected_unit", _affected("unit")),
    ("affected_text", _affected("text")),
    ("data_types", lambda i: _joined(i.get("data_types"))),
    ("vendors", lambda i: _joined(i.get("vendors"))),
    ("authorities", lambda i: _joined(i.get("authorities"))),
    ("iocs", lambda i: _joined(f"{ioc.get('type')}:{ioc.get('value')}" for ioc in i.get("iocs") or [])),
    ("url", _source("url")),
    ("feed", _source("feed")),
    ("post_id", _source("post_id")),
    ("published", _source("published")),
    ("content_hash", _source("content_hash")),
    ("origin", _source("origin")),
    ("parser_version", lambda i: i.get("parser_version")),
)


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet will not run: numbers as they are, None empty, formula-like text quoted."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(incidents: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV file, a row at a time: BOM and header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180 quoting, CRLF line ends

    def row(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield BOM + row(name for name, _ in COLUMNS)
    for incident in incidents:
        yield row(safe_cell(get(incident)) for _, get in COLUMNS)


def jsonl_chunks(incidents: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line (UTF-8 as is, no ASCII escapes but for line breaks)."""
    for incident in incidents:
        line = orjson.dumps(incident).decode("utf-8")
        yield _LINE_BREAKS.sub(lambda found: f"\\u{ord(found.group()):04x}", line) + "\n"
