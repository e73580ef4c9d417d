"""Segment -> incident dict: every field of schemas/incident.json, from normalised text.

The body stays the original segment text; every decision is made on the
normalised lines. Pure: no I/O except the dictionaries loaded once.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from datetime import date
from typing import Any, Callable

from services.parser.fields.authorities import extract_authorities
from services.parser.fields.context import countermeasure_spans
from services.parser.fields.counts import headline_count
from services.parser.fields.data_types import extract_data_types
from services.parser.evidence import Evidence, Found, found, quote
from services.parser.fields.dates import is_date_line, trailing_date
from services.parser.fields.disclosed import disclosure_date
from services.parser.fields import lexicon
from services.parser.fields.iocs import extract_iocs
from services.parser.fields.organization import organization, split_header
from services.parser.fields.sector import classify_sector
from services.parser.fields.types import classify_types
from services.parser.fields.vendors import extract_vendors
from services.parser.normalize import compact, squash
from services.parser.reading import Line, content_lines, lead, read_lines
from services.parser.split import CASE_HEADER, Segment

PARSER_VERSION = "1.1.0"
_TITLE_LINE = re.compile(r"について|お知らせ|ご報告|お詫び|おわび|報告書|に関する|顛末|発生|漏えい|流出|不正")
_NON_WORD = re.compile(r"[\W_]+")
_TOP_LINES = 15


def case_id_of(header: str) -> str | None:
    """'2023-104' from a 【セキュリティ事件簿#2023-104】 header; None for '#2022' or no header."""
    return _case_id(CASE_HEADER.match(header))


def _case_id(match: re.Match[str] | None) -> str | None:
    if not match or not match.group("year") or not match.group("num"):
        return None
    return f"{match.group('year')}-{int(match.group('num')):03d}"


def incident_id(case_id: str | None, organization: str | None, title: str | None, disclosed_on: str | None) -> str:
    """A stable id: case id + organisation + date, or organisation + title + date without a case id.
    Never the post id or the body, so an edited or republished post keeps its ids, while
    one case number used for two organisations gives two ids."""
    org_key = compact(organization or "").lower()
    if case_id:
        basis = f"case\x1f{case_id}\x1f{org_key}\x1f{disclosed_on or ''}"
    else:
        title_key = _NON_WORD.sub("", (title or "")).lower()
        basis = f"title\x1f{org_key}\x1f{title_key}\x1f{disclosed_on or ''}"
    return "inc-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def _announced_for_all(report: tuple[str, ...], header: str, org: str | None) -> Found[date | None] | None:
    """The date of the one announcement a report tells of several incidents from ("近畿大学病院は
    2024年5月13日、…複数の漏えい懸念事案を公表しました。1件目は…2件目は…"): every incident of the
    body that announced them shares it; another body's incident does not."""
    announcer, shared = _report_announcement(report, header)
    if org is None or announcer != org or shared.value is None:
        return None
    return Found(shared.value, Evidence("the date of the announcement the report tells of: " + shared.evidence.rule,
                                        shared.evidence.text))


@functools.lru_cache(maxsize=4)  # the parts of one report ask in turn: read it once
def _report_announcement(report: tuple[str, ...], header: str) -> tuple[str | None, Found[date | None]]:
    """Who announced a report of several incidents, and the date it gives for the announcement."""
    read = read_lines(list(report))
    lead_text = lead(read)
    return organization(None, header, read, lead_text).value, disclosure_date(None, header, read, lead_text)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _from_header(header: str, with_case: bool) -> tuple[str | None, str | None, str, date | None]:
    rest = header
    case_id = None
    if with_case:
        match = CASE_HEADER.match(header)
        rest = match.group("rest") if match else header
        case_id = _case_id(match)
    trailing = trailing_date(rest)
    disclosed = None
    if trailing is not None:
        disclosed, start = trailing
        rest = rest[:start]
    organization_name, title = split_header(squash(rest))
    return case_id, organization_name, squash(title), disclosed


def _title_of(lines: list[Line], fallback: str) -> str:
    """The title of a header-less text: the first top line that reads like one."""
    top = [line.text for line in content_lines(lines)][:_TOP_LINES]
    return next((squash(line.lstrip("#")) for line in top if _TITLE_LINE.search(line) and len(line) <= 80
                 and not is_date_line(line)), fallback)


def extract(segment: Segment, source: dict[str, Any] | None = None) -> dict[str, Any]:
    """One incident dict (or a non-incident record) for one segment."""
    if segment.kind != "incident":
        return {"kind": "non_incident", "title": segment.header or None, "reason": segment.reason,
                "body": segment.text, "source": dict(source) if source else _empty_source(),
                "parser_version": PARSER_VERSION}
    header = segment.header
    lines = list(segment.lines)
    case_id: str | None = None
    header_org = header_date = None
    body_start = 0
    if segment.fmt in ("case_header", "bare_title"):
        case_id, header_org, title, header_date = _from_header(header, segment.fmt == "case_header")
        body_start = next((i for i, line in enumerate(lines) if line.strip()), 0) + 1
    read = read_lines(lines[body_start:])
    if segment.fmt not in ("case_header", "bare_title"):
        title = _title_of(read, squash(header))
    lead_text = lead(read)
    org = (found(segment.subject, "one of several bodies the report tells of", lead_text[:80]) if segment.subject
           else organization(header_org, header, read, lead_text))
    disclosed = disclosure_date(header_date, header, read, lead_text)
    if disclosed.value is None and segment.report:
        disclosed = _announced_for_all(segment.report, header, org.value) or disclosed
    full = "\n".join(lines)
    body_offset = sum(len(line) + 1 for line in lines[:body_start])
    body = full[body_offset:]
    skip, starts = _countermeasure_filter(full, body_offset)
    hits = segment.hits if segment.hits is not None else lexicon.scan(full)
    count = headline_count(full)
    types = classify_types(full, hits, skip)
    if types.value == ["other"] and segment.report:
        shared = classify_types("\n".join(segment.report))  # "他にも和歌山市で…漏えい": the report's cause
        types = Found(shared.value, Evidence("the cause the report gives for all its bodies: " + shared.evidence.rule,
                                             shared.evidence.text))
    data_types = extract_data_types(full, hits, skip)
    vendors = extract_vendors(full, org.value, starts, hits)
    if not vendors.value and segment.report:  # a contractor named once for all the bodies of a report
        shared = extract_vendors("\n".join(segment.report), org.value)
        if shared.value:
            vendors = Found(shared.value, Evidence("the operator the report names for all its bodies", shared.evidence.text))
    disclosed_on = _iso(disclosed.value)
    sector = classify_sector(org.value, title or "", body, hits, body_offset, lead_text)
    case_rule = "header: case number" if case_id else "no case number in a header"
    affected = count.value
    return {
        "kind": "incident",
        "incident_id": incident_id(case_id, org.value, title, disclosed_on),
        "case_id": case_id,
        "organization": org.value,
        "title": title or None,
        "disclosed_on": disclosed_on,
        "sector": sector.value,
        "incident_types": types.value,
        "affected": {"count": affected.value if affected else None, "unit": affected.unit if affected else None,
                     "text": affected.text if affected else None},
        "data_types": data_types.value,
        "vendors": vendors.value,
        "authorities": extract_authorities(full, hits),
        "iocs": extract_iocs(full),
        "evidence": {
            "segment": {"rule": f"{segment.fmt}: {segment.reason}" if segment.reason else segment.fmt,
                        "text": quote(header)},
            "case_id": {"rule": case_rule, "text": quote(header) if case_id else ""},
            "organization": org.evidence.as_dict(),
            "disclosed_on": disclosed.evidence.as_dict(),
            "sector": sector.evidence.as_dict(),
            "incident_types": types.evidence.as_dict(),
            "affected": count.evidence.as_dict(),
            "data_types": data_types.evidence.as_dict(),
            "vendors": vendors.evidence.as_dict(),
        },
        "source": dict(source) if source else _empty_source(),
        "body": segment.text,
        "parser_version": PARSER_VERSION,
    }


def _countermeasure_filter(full: str, body_offset: int) -> tuple[Callable[[int], bool] | None, set[int]]:
    """(position -> inside a countermeasure section?, start offsets of those sections' lines)."""
    spans = [(start + body_offset, end + body_offset) for start, end in countermeasure_spans(full[body_offset:])]
    if not spans:
        return None, set()
    span_starts = [start for start, _ in spans]
    line_starts = set()
    for start, end in spans:
        position = start
        while 0 <= position < end:
            line_starts.add(position)
            position = full.find("\n", position, end)
            position = position + 1 if position >= 0 else -1

    def skip(position: int) -> bool:
        index = bisect.bisect_right(span_starts, position) - 1
        return index >= 0 and position < spans[index][1]

    return skip, line_starts


def _empty_source() -> dict[str, Any]:
    return {"feed": None, "url": None, "post_id": None, "published": None}
