"""Incidents shaped like the parser's, and archives in temporary directories."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from schemas import INCIDENT_SCHEMA_VERSION
from services.archive.store import ArchiveStore

_ids = itertools.count(1)


def make_incident(**fields: Any) -> dict[str, Any]:
    """A schema-valid incident; keyword arguments replace fields (`source` is merged)."""
    number = next(_ids)
    incident: dict[str, Any] = {
        "schema_version": INCIDENT_SCHEMA_VERSION,
        "kind": "incident",
        "incident_id": f"inc-test{number:06d}",
        "case_id": None,
        "organization": f"株式会社テスト{number}",
        "title": f"不正アクセスに関するお知らせ {number}",
        "disclosed_on": "2024-05-01",
        "sector": "other",
        "incident_types": ["unauthorized_access"],
        "affected": {"count": None, "unit": None, "text": None},
        "data_types": [],
        "vendors": [],
        "authorities": [],
        "iocs": [],
        "evidence": {"organization": {"rule": "signature", "text": f"株式会社テスト{number}"}},
        "source": {"feed": "test", "url": f"https://example.jp/{number}", "post_id": f"post-{number}",
                   "published": "2024-05-01T09:00:00+09:00", "content_hash": f"hash-{number}", "origin": "live",
                   "fetched_at": "2024-05-01T00:10:00+00:00"},
        "body": "弊社サーバが第三者による不正アクセスを受けたことが判明しました。",
        "parser_version": "1.1.0",
    }
    source = fields.pop("source", {})
    incident.update(fields)
    incident["source"] = incident["source"] | source
    return incident


def make_alert(incident: dict[str, Any], subscription: str = "watch", **fields: Any) -> dict[str, Any]:
    """An alert message for `incident`, as the alerter publishes it."""
    alert = {
        "schema_version": 1,
        "alert_id": f"alert-{subscription}-{incident['incident_id']}",
        "subscription": subscription,
        "kind": "new",
        "origin": "live",
        "created_at": "2024-05-01T00:11:00.000Z",
        "matched_on": [{"field": "sector", "value": incident["sector"]}],
        "incident": {k: incident.get(k) for k in ("incident_id", "case_id", "organization", "title", "disclosed_on",
                                                  "sector", "incident_types", "affected", "vendors")}
        | {"url": incident["source"]["url"]},
    }
    return alert | fields


class Clock:
    """A clock the test moves: archive stamps become predictable."""

    def __init__(self) -> None:
        self.now = datetime(2024, 6, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "archive.sqlite3"


@pytest.fixture
def store(archive_path: Path) -> Iterator[ArchiveStore]:
    with ArchiveStore(archive_path, clock=Clock()) as opened:
        yield opened


@pytest.fixture
def incident() -> Callable[..., dict[str, Any]]:
    return make_incident
