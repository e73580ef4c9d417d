"""The archive in a terminal: list lines, one incident in full, counts as a table with bars.

Widths are counted in terminal cells (rich.cells), not characters: a kanji or
kana takes two cells, so columns of Japanese names line up only when padded
by cells.
"""

from __future__ import annotations

import difflib
from typing import Any, Sequence

from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from schemas import taxonomies
from services.archive.diff import Change
from services.archive.query import IncidentRecord, IncidentSummary, Revision, StatRow

NONE_LABEL = "(none)"
_EIGHTHS = " ▏▎▍▌▋▊▉"
_DIFF_LINES = 60  # a body edit shows at most this many diff lines


def fit(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` cells, an ellipsis marking a cut."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width)


def label(dimension: str, value: str | None) -> str:
    """What a person reads for a group key: Japanese labels for sector and type codes."""
    if value is None:
        return NONE_LABEL
    if dimension == "sector":
        return taxonomies()["sectors"].get(value, value)
    if dimension == "type":
        return taxonomies()["incident_types"].get(value, value)
    return value


def affected_text(count: int | None, unit: str | None) -> str:
    return "" if count is None else f"{count:,}{unit or ''}"


def list_line(item: IncidentSummary) -> str:
    """One incident on one line: date, sector, organisation (else title), affected, types, id."""
    types = "・".join(label("type", t) for t in item.incident_types) or "-"
    return "  ".join((
        item.date,
        fit(label("sector", item.sector), 10),
        fit(item.organization or item.title or "?", 30),
        fit(affected_text(item.affected_count, item.affected_unit), 12),
        fit(types, 28),
        item.incident_id + (f" (v{item.version})" if item.version > 1 else ""),
    ))


_FIELDS = ("case_id", "organization", "disclosed_on", "sector", "incident_types", "affected", "data_types", "vendors",
           "authorities", "iocs")


def _value(name: str, incident: dict[str, Any]) -> str:
    value = incident.get(name)
    if name == "sector":
        return f"{label('sector', value)} ({value})"
    if name == "incident_types":
        return ", ".join(f"{label('type', t)} ({t})" for t in value or [])
    if name == "affected":
        value = value or {}
        return affected_text(value.get("count"), value.get("unit")) + (f"  «{value['text']}»" if value.get("text") else "")
    if name == "iocs":
        return "\n".join(f"{ioc.get('type')}: {ioc.get('value')}" for ioc in value or [])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def show(record: IncidentRecord) -> RenderableType:
    """Everything about one incident: fields with their evidence, source, revisions, alerts, and the body last
    (like `git show`, the facts first and the long text after)."""
    incident = record.incident
    evidence = incident.get("evidence") or {}
    fields = Table("field", "value", "evidence", show_lines=True, expand=True)
    for name in _FIELDS:
        why = evidence.get(name) or {}
        reason = ": ".join(part for part in (why.get("rule"), why.get("text")) if part)
        fields.add_row(name, Text(_value(name, incident)), Text(reason, style="dim"))
    source = incident.get("source") or {}
    source_lines = Text()
    for key in ("url", "feed", "post_id", "published", "content_hash", "origin", "fetched_at"):
        if source.get(key):
            source_lines.append(f"{key}: ", style="bold")
            source_lines.append(str(source[key]), style=f"link {source[key]}" if key == "url" else "")
            source_lines.append("\n")
    source_lines.append(f"parser_version: {incident.get('parser_version')}")
    header = Text(incident.get("title") or incident.get("organization") or incident["incident_id"], style="bold")
    header.append(f"\n{incident['incident_id']}  version {record.version}, first archived {record.first_archived_at},"
                  f" last {record.archived_at}", style="dim")
    parts: list[RenderableType] = [header, fields, Panel(source_lines, title="source", title_align="left")]
    if record.revisions:
        parts.append(Panel(Group(*(_revision(r) for r in record.revisions)), title="revisions", title_align="left"))
    parts.append(_alerts(record))
    parts.append(Panel(Text(incident.get("body") or ""), title="body", title_align="left"))
    return Group(*parts)


def _revision(revision: Revision) -> Text:
    text = Text(f"v{revision.version} → v{revision.version + 1}", style="bold")
    text.append(f"  replaced {revision.replaced_at}; v{revision.version} archived {revision.archived_at}"
                f" from post {revision.post_id} (content {str(revision.content_hash)[:12]},"
                f" parser {revision.parser_version})\n", style="dim")
    for change in revision.changes:
        text.append_text(change_text(change))
    return text


def change_text(change: Change) -> Text:
    """One change as diff lines: `- path: old` and `+ path: new`; long texts as a line diff."""
    path = ".".join(change["path"])
    old, new = change.get("old"), change.get("new")
    text = Text()
    if isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        text.append(f"~ {path}:\n", style="bold")
        lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
        for line in lines[:_DIFF_LINES]:
            text.append(f"  {line}\n", style="red" if line.startswith("-") else "green" if line.startswith("+") else "dim")
        if len(lines) > _DIFF_LINES:
            text.append(f"  … {len(lines) - _DIFF_LINES} more diff lines\n", style="dim")
        return text
    if "old" in change:
        text.append(f"- {path}: {_plain(old)}\n", style="red")
    if "new" in change:
        text.append(f"+ {path}: {_plain(new)}\n", style="green")
    return text


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _alerts(record: IncidentRecord) -> RenderableType:
    if not record.alerts:
        return Text("no alerts", style="dim")
    table = Table("created", "subscription", "kind", "origin", "topic", "matched on", title="alerts", title_justify="left")
    for alert in record.alerts:
        why = ", ".join(f"{m.get('field')}={m.get('value')}" for m in alert.matched_on)
        table.add_row(alert.created_at, alert.subscription, alert.kind, alert.origin or "", alert.topic, why)
    return table


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar of up to `width` cells, in eighths of a cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def stats_table(rows: Sequence[StatRow], by: Sequence[str], bar_width: int = 30) -> Table:
    """Counts and affected totals per group, with a bar per group scaled to the largest count."""
    table = Table(*(name for name in by), "incidents", "affected", "", box=None, pad_edge=False)
    for column in table.columns[len(by):len(by) + 2]:
        column.justify = "right"
    largest = max((row.incidents for row in rows), default=0)
    for row in rows:
        table.add_row(*(label(name, key) for name, key in zip(by, row.key)),
                      f"{row.incidents:,}", f"{row.affected:,}" if row.with_affected else "-",
                      Text(bar(row.incidents, largest, bar_width), style="cyan"))
    return table
