"""A batch of consumed messages into the archive: sorted by topic, and one bad message keeps no good one out."""

from __future__ import annotations

import orjson

from services.archive.intake import sort_messages, write
from services.archive.store import ArchiveStore, Committed
from tests.unit.archive.conftest import make_alert, make_incident

ALERTS = "p.alerts"


def test_messages_are_sorted_by_topic_and_what_is_not_a_json_object_is_left_out() -> None:
    incident = make_incident()
    alert = make_alert(incident)
    batch = sort_messages([("p.incidents", orjson.dumps(incident)), (ALERTS, orjson.dumps(alert)),
                           ("p.incidents", b"not json"), ("p.incidents", b"[1, 2]"), ("p.incidents", None)], ALERTS)
    assert batch.incidents == [incident]
    assert [(seen.alert, seen.topic) for seen in batch.alerts] == [(alert, ALERTS)]


def test_a_batch_is_one_write(store: ArchiveStore) -> None:
    first, second = make_incident(), make_incident()
    batch = sort_messages([("p.incidents", orjson.dumps(i)) for i in (first, second)] + [(ALERTS, orjson.dumps(make_alert(first)))], ALERTS)
    assert write(store, batch) == Committed(new=2, alerts=1)
    assert write(store, batch) == Committed(unchanged=2)


def test_a_message_the_archive_cannot_keep_does_not_keep_the_rest_of_its_batch_out(store: ArchiveStore) -> None:
    good, other = make_incident(), make_incident()
    no_id = make_incident() | {"incident_id": None}
    broken_alert = {"alert_id": "a-1"}  # no incident, subscription, kind
    messages = [("p.incidents", orjson.dumps(i)) for i in (good, no_id, other)] + [(ALERTS, orjson.dumps(broken_alert))]
    assert write(store, sort_messages(messages, ALERTS)) == Committed(new=2)
    ids = {row[0] for row in store.db.execute("SELECT incident_id FROM incidents")}
    assert ids == {good["incident_id"], other["incident_id"]}
