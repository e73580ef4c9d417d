"""Archives for the web view's tests: the demo corpus parsed offline, plus alerts and one hostile post."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from services.archive.store import ArchiveStore, SeenAlert
from services.demo.feed import CORPUS_DIR
from services.parser.offline import parse_paths

HOSTILE_ID = "inc-hostile-script"


def demo_incidents() -> list[dict[str, Any]]:
    """Every incident of the bundled demo corpus, as `jikenbo parse` gives them."""
    return [orjson.loads(line) for line in parse_paths(str(path) for path in sorted(CORPUS_DIR.glob("*.txt")))]


def alert_for(incident: dict[str, Any], subscription: str) -> SeenAlert:
    """An alert as the alerter publishes it, for the incident page's alert table."""
    return SeenAlert({
        "schema_version": 1, "alert_id": f"alert-{subscription}-{incident['incident_id']}", "subscription": subscription,
        "kind": "new", "origin": "backfill", "created_at": "2025-03-10T00:00:00.000Z",
        "matched_on": [{"field": "sector", "value": incident["sector"]}],
        "incident": {"incident_id": incident["incident_id"]},
    }, "jikenbo.alerts")


def hostile_incident(template: dict[str, Any]) -> dict[str, Any]:
    """An incident whose every text field tries to inject markup or a script link."""
    script = "<script>document.title='pwned'</script>"
    return template | {
        "incident_id": HOSTILE_ID,
        "organization": f"株式会社{script}",
        "title": f"<img src=x onerror=alert(1)> {script}",
        "body": f"本文 {script} 終わり",
        "evidence": {"organization": {"rule": "<b>rule</b>", "text": script}},
        "source": template["source"] | {"url": "javascript:alert(1)"},
    }


def fill_archive(path: Path, with_hostile: bool = False) -> list[dict[str, Any]]:
    """An archive of the demo incidents with alerts on the healthcare ones; returns the incidents written."""
    incidents = demo_incidents()
    if with_hostile:
        incidents.append(hostile_incident(incidents[0]))
    alerts = [alert_for(i, "hospitals") for i in incidents if i["sector"] == "healthcare"]
    with ArchiveStore(path) as store:
        store.commit(incidents, alerts)
    return incidents
