"""The Faust app factory: consumers ask the broker to wait briefly, so alerts are not held back."""

from __future__ import annotations

from pathlib import Path

from services.common.config import Config
from services.common.faust_app import FETCH_MAX_WAIT_MS, make_app


async def test_worker_consumer_fetch_wait_is_short(tmp_path: Path) -> None:
    app = make_app("parser", Config(state_dir=tmp_path), "kafka://127.0.0.1:9")
    consumer = app.consumer._thread._create_worker_consumer(app.transport)  # type: ignore[attr-defined]
    # The embedded broker answers a fetch only when its wait is over: Faust's 1500 ms added up to 0.75 s per hop.
    assert consumer._fetch_max_wait_ms == FETCH_MAX_WAIT_MS <= 200
