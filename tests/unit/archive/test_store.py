"""Writing the archive on a real SQLite file: idempotent, one revision per edit, alerts once, atomic batches."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable

import pytest

from schemas import validate
from services.archive import database
from services.archive.database import ArchiveError, open_reader
from services.archive.query import as_of, get_incident
from services.archive.store import ArchiveStore, Committed, SeenAlert

from tests.unit.archive.conftest import make_alert

Make = Callable[..., dict[str, Any]]


def counts(path: Path) -> tuple[int, int, int]:
    db = open_reader(path)
    try:
        return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("incidents", "revisions", "alerts"))
    finally:
        db.close()


def edited(incident: dict[str, Any], fetched_at: str = "2024-05-02T00:00:00+00:00", **fields: Any) -> dict[str, Any]:
    """The incident re-published from an edited post."""
    return incident | fields | {"source": incident["source"] | {"content_hash": "edited", "fetched_at": fetched_at}}


def test_the_factory_makes_schema_valid_incidents_and_alerts(incident: Make) -> None:
    first = incident()
    validate("incident", first)
    validate("alert", make_alert(first))


def test_the_same_version_twice_is_one_row_and_no_revision(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    first = incident()
    assert store.commit([first]) == Committed(new=1)
    assert store.commit([first]) == Committed(unchanged=1)
    refetched = first | {"source": first["source"] | {"fetched_at": "2024-07-01T00:00:00+00:00", "origin": "backfill"}}
    assert store.commit([refetched, first]) == Committed(unchanged=2)
    assert counts(archive_path) == (1, 0, 0)


def test_an_edit_is_exactly_one_revision_with_its_changes(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    first = incident(affected={"count": 120, "unit": "名", "text": "120名"})
    second = edited(first, affected={"count": 3400, "unit": "名", "text": "3,400名"}, vendors=["acmailer"])
    store.commit([first])
    assert store.commit([second]) == Committed(revised=1)
    assert store.commit([second]) == Committed(unchanged=1)
    assert counts(archive_path) == (1, 1, 0)
    record = get_incident(open_reader(archive_path), first["incident_id"])
    assert record is not None and record.version == 2 and record.incident == second
    (revision,) = record.revisions
    assert (revision.version, revision.post_id, revision.content_hash) == (1, first["source"]["post_id"], first["source"]["content_hash"])
    assert revision.fetched_at == first["source"]["fetched_at"]
    assert revision.archived_at < revision.replaced_at == record.archived_at
    assert revision.changes == [
        {"path": ["affected", "count"], "old": 120, "new": 3400},
        {"path": ["affected", "text"], "old": "120名", "new": "3,400名"},
        {"path": ["vendors"], "old": [], "new": ["acmailer"]},
        {"path": ["source", "content_hash"], "old": first["source"]["content_hash"], "new": "edited"},
        {"path": ["source", "fetched_at"], "old": first["source"]["fetched_at"], "new": "2024-05-02T00:00:00+00:00"},
    ]
    assert as_of(record, 1) == first and as_of(record, 2) == second


def test_every_earlier_version_can_be_rebuilt(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    versions = [incident(incident_id="inc-many")]
    for n in range(1, 5):
        versions.append(edited(versions[-1], fetched_at=f"2024-05-0{n + 1}T00:00:00+00:00", title=f"第{n}報",
                               body=versions[-1]["body"] + f"\n追記{n}"))
    for version in versions:
        store.commit([version])
    record = get_incident(open_reader(archive_path), "inc-many")
    assert record is not None and [r.version for r in record.revisions] == [1, 2, 3, 4]
    assert [as_of(record, n) for n in range(1, 6)] == versions
    with pytest.raises(ValueError):
        as_of(record, 6)


def test_a_replayed_partition_adds_nothing(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    first = incident()
    second = edited(first, title="訂正")
    store.commit([first])
    store.commit([second])
    assert store.commit([first, second]) == Committed(unchanged=1, replayed=1)
    assert counts(archive_path) == (1, 1, 0)
    assert get_incident(open_reader(archive_path), first["incident_id"]).incident == second  # type: ignore[union-attr]


def test_a_post_edited_back_later_is_a_revision(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    first = incident()
    store.commit([first])
    store.commit([edited(first, title="訂正")])
    back = first | {"source": first["source"] | {"fetched_at": "2024-05-09T00:00:00+00:00"}}
    assert store.commit([back]) == Committed(revised=1)
    assert counts(archive_path) == (1, 2, 0)


def test_two_versions_in_one_batch(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    first = incident()
    assert store.commit([first, edited(first, title="訂正")]) == Committed(new=1, revised=1)
    assert counts(archive_path) == (1, 1, 0)


def test_alerts_are_recorded_once(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    first = incident()
    alert = make_alert(first)
    later = SeenAlert(make_alert(first, "second", created_at="2024-05-01T00:12:00.000Z"), "jikenbo.alerts")
    assert store.commit([], [SeenAlert(alert, "jikenbo.alerts")]) == Committed(alerts=1)  # before its incident
    assert store.commit([first], [SeenAlert(alert, "jikenbo.alerts"), later]) == Committed(new=1, alerts=1)
    assert store.commit([], [SeenAlert(alert, "jikenbo.alerts")]) == Committed()
    record = get_incident(open_reader(archive_path), first["incident_id"])
    assert record is not None
    assert [(a.alert_id, a.subscription, a.kind, a.topic) for a in record.alerts] == [
        (alert["alert_id"], "watch", "new", "jikenbo.alerts"), (later.alert["alert_id"], "second", "new", "jikenbo.alerts")]
    assert record.alerts[0].matched_on == alert["matched_on"]


def test_a_bad_message_writes_nothing_of_its_batch(store: ArchiveStore, archive_path: Path, incident: Make) -> None:
    with pytest.raises(ValueError, match="incident_id"):
        store.commit([incident(), {"title": "no id"}])
    with pytest.raises(ValueError, match="alert without"):
        store.commit([incident()], [SeenAlert({"alert_id": "x"}, "t")])
    assert counts(archive_path) == (0, 0, 0)
    assert store.commit([incident()]) == Committed(new=1)


def test_durable_settings(store: ArchiveStore) -> None:
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_layout_versions(archive_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive yet"):
        open_reader(archive_path)
    ArchiveStore(archive_path).close()
    ArchiveStore(archive_path).close()  # opening again migrates nothing
    db = sqlite3.connect(archive_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == database.SCHEMA_VERSION
    db.execute(f"PRAGMA user_version = {database.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ArchiveError, match="newer than this jikenbo"):
        ArchiveStore(archive_path)
    with pytest.raises(ArchiveError, match="layout version"):
        open_reader(archive_path)


def test_the_installed_sqlite_has_the_trigram_tokenizer() -> None:
    database.require_trigram()


def test_readers_cannot_write(store: ArchiveStore, archive_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        open_reader(archive_path).execute("DELETE FROM incidents")
