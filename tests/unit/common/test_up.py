"""`jikenbo up` creates the state directory for its owner only: the fetcher keeps WebSub secrets there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from services.common.config import Config
from services.up import run_up


class BrokerStarted(Exception):
    """Raised where `up` would start the embedded broker: everything before it has run."""


class NoBroker:
    def __init__(self, state_dir: Path) -> None:
        pass

    async def start(self) -> "NoBroker":
        raise BrokerStarted


@pytest.mark.parametrize("demo", [False, True])
async def test_up_creates_the_state_directory_mode_0700(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: bool) -> None:
    monkeypatch.setattr("services.up.EmbeddedBroker", NoBroker)
    old_umask = os.umask(0o022)  # the usual umask, which would leave a plain mkdir readable by all
    try:
        with pytest.raises(BrokerStarted):
            await run_up(Config(state_dir=tmp_path / "state"), None, demo)
    finally:
        os.umask(old_umask)
    created = [tmp_path / "state", *([tmp_path / "state" / "demo"] if demo else [])]
    assert [stat.S_IMODE(d.stat().st_mode) for d in created] == [0o700] * len(created)
