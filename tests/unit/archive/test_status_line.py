"""`jikenbo status` shows how much history the archive holds, from its file alone."""

from __future__ import annotations

from pathlib import Path

from services.archive.store import ArchiveStore, SeenAlert
from services.common.status import archive_line
from tests.unit.archive.conftest import make_alert, make_incident
from tests.unit.archive.test_store import edited


def test_the_archive_line_counts_incidents_revisions_and_alerts(tmp_path: Path) -> None:
    assert "no archive yet" in archive_line(tmp_path).plain
    first = make_incident()
    with ArchiveStore(tmp_path / "archive.sqlite3") as store:
        store.commit([first, make_incident(), edited(first, title="訂正")], [])
        store.commit([], [SeenAlert(make_alert(first), "p.alerts")])
    assert archive_line(tmp_path).plain.startswith("archive: 2 incident(s), 1 revision(s), 1 alert(s) in ")
