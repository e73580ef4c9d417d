"""The Faust app factory: consumers ask the broker to wait briefly, so alerts are not held back; a batch that
cannot be carried through stops the worker, saying why."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import Any

from services.common.config import Config
from services.common.faust_app import FETCH_MAX_WAIT_MS, make_app, restart_for_redelivery


async def test_worker_consumer_fetch_wait_is_short(tmp_path: Path) -> None:
    app = make_app("parser", Config(state_dir=tmp_path), "kafka://127.0.0.1:9")
    consumer = app.consumer._thread._create_worker_consumer(app.transport)  # type: ignore[attr-defined]
    # The embedded broker answers a fetch only when its wait is over: Faust's 1500 ms added up to 0.75 s per hop.
    assert consumer._fetch_max_wait_ms == FETCH_MAX_WAIT_MS <= 200


def test_a_batch_that_cannot_be_carried_through_says_why_and_stops_the_worker(monkeypatch: Any, caplog: Any) -> None:
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: killed.append((pid, sig)))
    log = logging.getLogger("jikenbo.test")
    with caplog.at_level(logging.ERROR, logger="jikenbo.test"):
        restart_for_redelivery(log, "carrying a batch of 3 incidents through failed", OSError("database is locked"))
    assert killed == [(os.getpid(), signal.SIGTERM)]
    assert caplog.messages == ["carrying a batch of 3 incidents through failed (database is locked); "
                               "restarting so the batch is delivered again"]
