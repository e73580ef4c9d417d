"""`jikenbo parse --explain`: every field of an incident with the rule and the text behind it."""

from __future__ import annotations

from typing import Any

_FIELDS = (
    ("segment", "segment", lambda i: i.get("kind")),
    ("case_id", "case_id", lambda i: i.get("case_id")),
    ("organization", "organization", lambda i: i.get("organization")),
    ("disclosed_on", "disclosed_on", lambda i: i.get("disclosed_on")),
    ("sector", "sector", lambda i: i.get("sector")),
    ("incident_types", "incident_types", lambda i: ", ".join(i.get("incident_types") or [])),
    ("affected", "affected", lambda i: (i.get("affected") or {}).get("text")),
    ("data_types", "data_types", lambda i: ", ".join(i.get("data_types") or [])),
    ("vendors", "vendors", lambda i: ", ".join(i.get("vendors") or [])),
)
_WIDTH = 15


def explain(result: dict[str, Any], number: int, total: int) -> str:
    """A readable block for one parser result (an incident or, with --all, a non-incident)."""
    if result.get("kind") == "non_incident":
        return f"[{number}/{total}] not an incident: {result.get('title') or ''}\n    why: {result.get('reason') or ''}\n"
    lines = [f"[{number}/{total}] {result.get('organization') or '(no name visible)'} — {result.get('title') or ''}",
             f"    {'incident_id':<{_WIDTH}} {result.get('incident_id')}"]
    evidence = result.get("evidence") or {}
    for key, label, value in _FIELDS:
        shown = value(result)
        shown = "null" if shown in (None, "") else str(shown)
        why = evidence.get(key) or {}
        lines.append(f"    {label:<{_WIDTH}} {shown}")
        if why.get("rule"):
            lines.append(f"    {'':<{_WIDTH}}   why: {why['rule']}")
        if why.get("text"):
            lines.append(f"    {'':<{_WIDTH}}   from: 「{why['text']}」")
    return "\n".join(lines) + "\n"
