"""Human-readable renderings of alerts: one terminal line, a Japanese summary, a digest.

Pure functions shared by `jikenbo alerts tail`, Slack and e-mail, so every
place a person reads an alert says the same thing the same way.
"""

from __future__ import annotations

from typing import Any

from schemas import taxonomies

KIND_LABELS = {"new": "新規", "update": "更新"}
FIELD_LABELS = {
    "sector": "分野", "incident_types": "種別", "vendors": "委託先・製品", "organizations": "組織",
    "keywords": "キーワード", "min_affected": "件数",
}


def sector_label(code: str | None) -> str:
    return taxonomies()["sectors"].get(code or "", code or "不明")


def type_labels(codes: list[str]) -> str:
    table = taxonomies()["incident_types"]
    return "・".join(table.get(code, code) for code in codes) or "種別不明"


def count_text(incident: dict[str, Any]) -> str | None:
    """`1,200件` as written by the disclosure, else the count with its unit."""
    affected = incident.get("affected") or {}
    if affected.get("text"):
        return str(affected["text"])
    if affected.get("count") is not None:
        return f"{affected['count']:,}{affected.get('unit') or ''}"
    return None


def matched_text(alert: dict[str, Any]) -> str:
    def value(m: dict[str, Any]) -> str:
        if m["field"] == "sector":
            return sector_label(m["value"])
        if m["field"] == "incident_types":
            return type_labels([m["value"]])
        return str(m["value"])

    return ", ".join(f"{FIELD_LABELS.get(m['field'], m['field'])}={value(m)}" for m in alert.get("matched_on", []))


def terminal_line(alert: dict[str, Any]) -> str:
    """`2026-11-22 12:00 [suppliers] 新規 静岡市生涯学習センター | 不正アクセス | 教育 | 1,200件 | 2025-03-04 | <url> (一致: …)`."""
    incident = alert.get("incident", {})
    stamp = (alert.get("created_at") or "")[:16].replace("T", " ")
    kind = KIND_LABELS.get(alert.get("kind", ""), alert.get("kind", ""))
    if alert.get("origin") == "backfill":
        kind += "(過去分)"
    parts = [
        incident.get("organization") or "(組織名不明)",
        type_labels(incident.get("incident_types") or []),
        sector_label(incident.get("sector")),
        count_text(incident) or "件数不明",
        incident.get("disclosed_on") or "公表日不明",
    ]
    if incident.get("url"):
        parts.append(incident["url"])
    return f"{stamp} [{alert.get('subscription')}] {kind} " + " | ".join(parts) + f"  (一致: {matched_text(alert)})"


def headline(alert: dict[str, Any]) -> str:
    """`【新規】静岡市生涯学習センター: 不正アクセス` — a subject line."""
    incident = alert.get("incident", {})
    kind = KIND_LABELS.get(alert.get("kind", ""), "")
    if alert.get("origin") == "backfill":
        kind += "・過去分"
    org = incident.get("organization") or "組織名不明"
    return f"【{kind}】{org}: {type_labels(incident.get('incident_types') or [])}"


def summary_lines(alert: dict[str, Any]) -> list[str]:
    """A few lines a person can read on a phone: who, what, how many, when, where to read more."""
    incident = alert.get("incident", {})
    lines = [headline(alert)]
    if incident.get("title"):
        lines.append(f"件名: {incident['title']}")
    details = [f"分野: {sector_label(incident.get('sector'))}", f"件数: {count_text(incident) or '不明'}"]
    details.append(f"公表日: {incident.get('disclosed_on') or '不明'}")
    if incident.get("vendors"):
        details.append("委託先・製品: " + "、".join(incident["vendors"]))
    lines.append(" / ".join(details))
    if incident.get("url"):
        lines.append(incident["url"])
    lines.append(f"購読: {alert.get('subscription')}（一致: {matched_text(alert)}）")
    return lines


def digest_subject(alerts: list[dict[str, Any]]) -> str:
    return f"【jikenbo まとめ】{len(alerts)}件のインシデント"


def digest_lines(alerts: list[dict[str, Any]]) -> list[str]:
    """One line per alert under a heading."""
    lines = [digest_subject(alerts)]
    for alert in alerts:
        incident = alert.get("incident", {})
        parts = [
            incident.get("organization") or "組織名不明",
            type_labels(incident.get("incident_types") or []),
            count_text(incident) or "件数不明",
            incident.get("disclosed_on") or "公表日不明",
        ]
        line = f"• [{alert.get('subscription')}] " + " / ".join(parts)
        if incident.get("url"):
            line += f" {incident['url']}"
        lines.append(line)
    return lines
