"""The fetcher's state database: readable by its owner only (it holds WebSub secrets), and older databases upgraded."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from services.fetcher.state import FetcherState, WebSubLease


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_database_and_its_directory_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "fetcher.sqlite3"
    state = FetcherState(path)
    state.save_lease(WebSubLease(feed="blog", hub="https://hub.example/", topic="https://blog.example/feed", secret="s"))
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    assert (mode(path.parent), mode(path), mode(wal), mode(shm)) == (0o700, 0o600, 0o600, 0o600)
    state.close()


def test_world_readable_state_database_is_tightened_with_a_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "fetcher.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    FetcherState(path).close()
    assert mode(path) == 0o600
    assert any(str(path) in r.getMessage() and "readable by others (mode 644)" in r.getMessage() for r in caplog.records)


def test_subscriptions_of_an_older_database_are_read_as_subscribe_requests(tmp_path: Path) -> None:
    path = tmp_path / "fetcher.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE websub (feed TEXT PRIMARY KEY, hub TEXT NOT NULL, topic TEXT NOT NULL, secret TEXT NOT NULL, "
            "verified INTEGER NOT NULL DEFAULT 0, lease_expires REAL, requested_at REAL NOT NULL)"
        )
        db.execute("INSERT INTO websub VALUES ('blog', 'https://hub.example/', 'https://blog.example/feed', 's', 1, 2e9, 1.7e9)")
    db.close()
    state = FetcherState(path)
    assert state.lease("blog") == WebSubLease(
        "blog", "https://hub.example/", "https://blog.example/feed", "s", True, 2e9, 1.7e9, mode="subscribe"
    )
    state.close()
