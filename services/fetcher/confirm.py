"""Nothing the broker loses is lost: downstream confirmation and replay.

The embedded broker keeps messages in memory only (docs/ARCHITECTURE.md, "What is stored where"), so
a `kill -9` of `jikenbo up` loses every post still on its way through the
pipeline. The fetcher therefore keeps each published message in its SQLite
state as an unconfirmed post until every stage downstream
(services.common.pipeline.STAGES: the parser, the alerter, the archive) is known to
have processed it:

1. snapshot: the newest unconfirmed sequence number S, then the end offsets
   of the raw-posts topic (every message up to S is below them, since a post
   is kept only after the broker acknowledged it);
2. once every group reading a snapshotted topic has committed past its
   offsets, everything those stages produced from it was acknowledged
   before the commit: snapshot the end offsets of the topics they write
   that a later stage reads (the parser's incidents, for the alerter and the
   archive; the alerter's alerts, for the archive);
3. once every reading stage is past its snapshot, unconfirmed posts up to S
   are done and are deleted.

On start, if the raw-posts topic is empty (a fresh embedded broker, or topics
recreated) while posts are unconfirmed, they are published again; only then
does confirmation start, since a snapshot is only sound for messages the
broker it is taken on has acknowledged. While running, a broker that comes
back without its messages is detected by its mark (services.fetcher.broker_epoch),
or by an end offset lower than one seen before: the pending snapshot is
dropped and the unconfirmed posts are published again. The mark is read
again just before posts are confirmed, so a snapshot that a broker restart
cut through confirms nothing. Parser, alerter and archive are idempotent (stable incident ids,
the alert ledger, the archive's version fingerprints), so a replay of something already processed costs a little work
and sends nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from services.common.config import KafkaSecurity
from services.common.errors import BrokerError
from services.common.kafka import caught_up, committed_offsets, end_offsets
from services.common.pipeline import Stage, consumers
from services.common.topics import Topics
from services.fetcher.broker_epoch import BrokerEpoch
from services.fetcher.state import FetcherState

log = logging.getLogger("jikenbo.fetcher")

CONFIRM_EVERY = 5.0
REPLAY_BATCH = 500


@dataclass
class Snapshot:
    """Unconfirmed posts up to `seq` are done once every consumer stage committed past the end offsets taken here."""

    seq: int
    ends: dict[str, dict[int, int]]  # Topics attribute -> end offsets taken once its writers were done
    done: set[str] = field(default_factory=set)  # consumer stages known to be past their snapshot


class Confirmer:
    """Confirms unconfirmed posts, one snapshot at a time."""

    def __init__(
        self, state: FetcherState, bootstrap: str, topics: Topics, security: KafkaSecurity | None = None,
        producer: AIOKafkaProducer | None = None,
    ) -> None:
        self.state = state
        self.bootstrap = bootstrap
        self.topics = topics
        self.security = security
        self.producer = producer  # to publish unconfirmed posts again if the broker loses them while we run
        self.pending: Snapshot | None = None
        self.high_water: dict[int, int] = {}  # highest end offset seen per raw-posts partition
        self.epoch = BrokerEpoch(bootstrap, topics, security) if producer is not None else None
        self.mark: str | None = None  # the broker lifetime's mark when last looked

    async def step(self) -> int | None:
        """Try to confirm the pending snapshot; returns the sequence confirmed, if any."""
        if self.state.newest_unconfirmed() == 0:
            return None
        raw_ends = await end_offsets(self.bootstrap, self.topics.raw_posts, self.security)
        if not raw_ends:
            return None  # the topic is not known (yet): nothing can be proven
        if await self.broker_lost_messages(raw_ends, await self.mark_changed()):
            return None
        if self.pending is None:
            self.pending = Snapshot(self.state.newest_unconfirmed(), {"raw_posts": raw_ends})
        snapshot = self.pending
        for stage in consumers():
            if stage.name not in snapshot.done:
                if not await self.caught_up(stage, snapshot):
                    return None
                snapshot.done.add(stage.name)
                await self.snapshot_outputs(stage, snapshot)
        if await self.mark_changed():
            return None  # the broker restarted under this snapshot: the next step republishes
        removed = self.state.confirm_through(snapshot.seq)
        self.pending = None
        log.debug("confirmed %d post(s) processed downstream", removed)
        return snapshot.seq

    async def caught_up(self, stage: Stage, snapshot: Snapshot) -> bool:
        """True when `stage`'s group has committed past the snapshot of every topic it reads."""
        for attribute in stage.reads:
            ends = snapshot.ends.get(attribute)
            if ends is None:
                return False  # its input's writers are not done yet
            topic = getattr(self.topics, attribute)
            committed = await committed_offsets(self.bootstrap, stage.group(self.topics), topic, ends, self.security)
            if not caught_up(committed, ends):
                return False
        return True

    async def snapshot_outputs(self, stage: Stage, snapshot: Snapshot) -> None:
        """End offsets of what `stage` writes for later stages, once every consumer writing it is done."""
        for attribute in stage.writes:
            readers = [s for s in consumers() if attribute in s.reads]
            writers = [s for s in consumers() if attribute in s.writes]
            if readers and attribute not in snapshot.ends and all(w.name in snapshot.done for w in writers):
                snapshot.ends[attribute] = await end_offsets(self.bootstrap, getattr(self.topics, attribute), self.security)

    async def mark_changed(self) -> bool:
        """True if the broker's lifetime mark is not the one seen last time (and remember the new one)."""
        if self.epoch is None:
            return False
        mark = await self.epoch.current()
        changed = self.mark is not None and mark != self.mark
        self.mark = mark
        return changed

    async def broker_lost_messages(self, raw_ends: dict[int, int], restarted: bool = False) -> bool:
        """True (and the unconfirmed posts published again) if the broker restarted or an end offset went back."""
        went_back = any(raw_ends.get(partition, 0) < end for partition, end in self.high_water.items())
        if not (restarted or went_back):
            for partition, end in raw_ends.items():
                self.high_water[partition] = max(end, self.high_water.get(partition, 0))
            return False
        self.pending, self.high_water = None, {}
        why = "it came back without its mark" if restarted else "its end offsets went back"
        log.warning("the broker lost messages of %s (%s)", self.topics.raw_posts, why)
        if self.producer is not None:
            sent = await republish(self.state, self.producer, self.topics)
            log.info("republished %d post(s) the broker had lost", sent)
        return True

    async def run(self, every: float = CONFIRM_EVERY) -> None:
        while True:
            try:
                await self.step()
            except (KafkaError, BrokerError) as exc:
                log.debug("confirmation postponed: %s", exc)
            await asyncio.sleep(every)


async def replay_if_lost(
    state: FetcherState, producer: AIOKafkaProducer, bootstrap: str, topics: Topics, security: KafkaSecurity | None = None
) -> int:
    """Publish the unconfirmed posts again when the broker no longer has them; returns how many were sent."""
    waiting = state.unconfirmed_count()
    if not waiting:
        return 0
    ends = await end_offsets(bootstrap, topics.raw_posts, security)
    if sum(ends.values()) > 0:
        return 0
    log.warning("the broker has none of %d post(s) not yet confirmed downstream; publishing them again", waiting)
    return await republish(state, producer, topics)


async def republish(state: FetcherState, producer: AIOKafkaProducer, topics: Topics) -> int:
    """Publish every unconfirmed post again, oldest first; returns how many were sent."""
    sent = 0
    batch: list[asyncio.Future] = []
    for _, post_id, payload in list(state.unconfirmed()):
        batch.append(await producer.send(topics.raw_posts, payload, key=post_id.encode("utf-8")))
        if len(batch) >= REPLAY_BATCH:
            await asyncio.gather(*batch)
            sent, batch = sent + len(batch), []
    await asyncio.gather(*batch)
    return sent + len(batch)
