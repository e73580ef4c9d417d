"""From consumed messages to one archive write: decoding, sorting by topic, and the bad message.

The archive stage hands `write` a batch of raw messages from the incidents and
alerts topics. One message that cannot be archived (not JSON, no incident id)
must neither stop the stream nor keep the rest of its batch out: the batch is
one transaction, and if it is refused the messages are written one at a time,
the unusable ones logged and skipped. Runs in a worker thread (it waits on
SQLite), never on the event loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson

from services.archive.store import ArchiveStore, Committed, SeenAlert

log = logging.getLogger("jikenbo.archive")


@dataclass
class Batch:
    """What a batch of messages holds for the archive, in the order consumed."""

    incidents: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[SeenAlert] = field(default_factory=list)


def sort_messages(messages: list[tuple[str, bytes | None]], alerts_topic: str) -> Batch:
    """(topic, value) pairs into incidents and alerts; a message that is not a JSON object is skipped."""
    batch = Batch()
    for topic, value in messages:
        try:
            message = orjson.loads(value or b"")
        except orjson.JSONDecodeError:
            message = None
        if not isinstance(message, dict):
            log.warning("skipping a message on %s that is not a JSON object", topic)
        elif topic == alerts_topic:
            batch.alerts.append(SeenAlert(message, topic))
        else:
            batch.incidents.append(message)
    return batch


def write(store: ArchiveStore, batch: Batch) -> Committed:
    """The batch in one durable transaction; if a message spoils it, each message in its own."""
    try:
        return store.commit(batch.incidents, batch.alerts)
    except (ValueError, TypeError) as exc:
        log.warning("a message of a batch of %d cannot be archived (%s); writing them one by one",
                    len(batch.incidents) + len(batch.alerts), exc)
    done = Committed()
    for incident in batch.incidents:
        _add(done, _one(store, [incident], [], incident.get("incident_id")))
    for seen in batch.alerts:
        _add(done, _one(store, [], [seen], seen.alert.get("alert_id")))
    return done


def _one(store: ArchiveStore, incidents: list[dict[str, Any]], alerts: list[SeenAlert], name: Any) -> Committed:
    try:
        return store.commit(incidents, alerts)
    except (ValueError, TypeError) as exc:
        log.warning("skipping a message the archive cannot keep: %s", exc, extra={"incident": str(name)})
        return Committed()


def _add(total: Committed, part: Committed) -> None:
    for name in ("new", "revised", "unchanged", "replayed", "alerts"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
