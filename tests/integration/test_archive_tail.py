"""`jikenbo incidents tail` follows the archive file: it waits for it, shows what arrives, needs no broker."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from services.archive.store import ArchiveStore
from services.common.pipeline import ARCHIVE
from tests.processes import service_env, start, stop, wait_until
from tests.unit.archive.conftest import make_incident

pytestmark = pytest.mark.integration


def shown(log: Path) -> list[str]:
    """Incident ids the tail printed (JSON lines), in order."""
    return [orjson.loads(line)["incident_id"] for line in log.read_text(errors="replace").splitlines() if line.startswith("{")]


def test_tail_waits_for_the_archive_then_prints_each_incident_once_as_it_is_archived(tmp_path: Path) -> None:
    state = tmp_path / "state"
    log = tmp_path / "tail.log"
    env = service_env(None, state, "jikenbo")  # no broker anywhere
    older = [make_incident(disclosed_on="2024-01-0" + str(n)) for n in range(1, 4)]
    path = ARCHIVE.state_path(state)
    tail = start(["incidents", "tail", "-n", "2", "--interval", "0.1", "--format", "json", "--sector", "other"], env, log)
    try:
        assert wait_until(lambda: "waiting for the archive stage" in log.read_text(errors="replace"), 20), log.read_text()
        with ArchiveStore(path) as store:
            store.commit(older)
            assert wait_until(lambda: len(shown(log)) >= 2, 20), log.read_text()
            newer = [make_incident(disclosed_on="2020-05-05"), make_incident(sector="healthcare"), make_incident()]
            store.commit(newer[:2])
            store.commit(newer[2:] + [older[0] | {"title": "訂正"}])  # a revision is not a new incident
            assert wait_until(lambda: len(shown(log)) >= 4, 20), log.read_text()
    finally:
        code = stop(tail)
    # The last two of those already archived, then the new ones in the order archived, whatever their date;
    # the healthcare one is filtered out.
    assert shown(log) == [older[1]["incident_id"], older[2]["incident_id"], newer[0]["incident_id"], newer[2]["incident_id"]]
    assert code in (0, -15, 143), log.read_text()
    assert "Traceback" not in log.read_text()
