"""Outbox confirmation walks the declared stages: each consumer group in turn, then the outbox is done."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.pipeline import ALERTER, ARCHIVE, PARSER, Stage
from services.common.topics import Topics
from services.fetcher import confirm
from services.fetcher.confirm import Confirmer
from services.fetcher.state import FetcherState

TOPICS = Topics("p")


class FakeBroker:
    """End offsets per topic and committed offsets per (group, topic), as the confirmer asks for them."""

    def __init__(self) -> None:
        self.ends: dict[str, dict[int, int]] = {TOPICS.raw_posts: {0: 3}, TOPICS.incidents: {0: 7}, TOPICS.alerts: {0: 2}}
        self.committed: dict[tuple[str, str], dict[int, int]] = {}

    async def end_offsets(self, bootstrap: str, topic: str, security: object = None) -> dict[int, int]:
        return dict(self.ends[topic])

    async def committed_offsets(self, bootstrap: str, group: str, topic: str, partitions: object, security: object = None) -> dict[int, int]:
        return dict(self.committed.get((group, topic), {}))

    def commit(self, stage: Stage, topic: str) -> None:
        self.committed[(stage.group(TOPICS), topic)] = dict(self.ends[topic])


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> FakeBroker:
    fake = FakeBroker()
    monkeypatch.setattr(confirm, "end_offsets", fake.end_offsets)
    monkeypatch.setattr(confirm, "committed_offsets", fake.committed_offsets)
    return fake


@pytest.fixture
def state(tmp_path: Path) -> FetcherState:
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    state.mark_published("blog", [(f"post-{n}", "h", b"{}") for n in range(3)])
    return state


async def test_the_outbox_is_done_once_parser_alerter_and_archive_are_past_their_snapshots(broker: FakeBroker, state: FetcherState) -> None:
    confirmer = Confirmer(state, "b", TOPICS)
    assert await confirmer.step() is None
    broker.commit(PARSER, TOPICS.raw_posts)
    assert await confirmer.step() is None, "the alerter has not read the incidents yet"
    assert confirmer.pending is not None and confirmer.pending.ends["incidents"] == {0: 7}
    broker.ends[TOPICS.incidents] = {0: 9}  # incidents of later posts: not part of this snapshot
    broker.commit(ALERTER, TOPICS.incidents)
    broker.commit(ARCHIVE, TOPICS.incidents)
    broker.commit(ARCHIVE, TOPICS.alerts)
    assert await confirmer.step() == 3
    assert state.unconfirmed_count() == 0


async def test_the_archive_is_waited_for_on_both_its_inputs(broker: FakeBroker, state: FetcherState) -> None:
    archive = ARCHIVE
    confirmer = Confirmer(state, "b", TOPICS)
    broker.commit(PARSER, TOPICS.raw_posts)
    broker.commit(ALERTER, TOPICS.incidents)
    assert await confirmer.step() is None, "the archive has read nothing"
    broker.commit(archive, TOPICS.incidents)
    assert await confirmer.step() is None, "nor the alerts the alerter wrote"
    broker.commit(archive, TOPICS.alerts)
    assert await confirmer.step() == 3
