"""WAL: readers run while the stage writes; a killed writer leaves every returned commit and no half batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from services.archive.database import open_reader
from services.archive.query import Filters, count_incidents, iter_incidents, list_incidents
from services.archive.store import ArchiveStore

from tests.unit.archive.conftest import make_incident

REPO = Path(__file__).resolve().parents[3]
BATCH = 20


def test_readers_see_whole_batches_while_the_writer_commits(archive_path: Path) -> None:
    store = ArchiveStore(archive_path)
    store.commit([make_incident()])
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        db = open_reader(archive_path)
        try:
            while not done.is_set():
                seen.append(count_incidents(db, Filters()))
                list_incidents(db, Filters(search="不正アクセス"), limit=10)
        except BaseException as exc:  # reported below; a thread's exception would vanish
            errors.append(exc)
        finally:
            db.close()

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(40):
        store.commit([make_incident() for _ in range(BATCH)])
    done.set()
    reader.join()
    store.close()
    assert not errors
    assert all((count - 1) % BATCH == 0 for count in seen), "a reader saw part of a batch"
    assert seen == sorted(seen)
    assert len({count for count in seen}) > 2, "the reader ran while the writer wrote"


def test_an_export_is_one_snapshot_and_does_not_block_the_writer(archive_path: Path) -> None:
    with ArchiveStore(archive_path) as store:
        store.commit([make_incident() for _ in range(50)])
        db = open_reader(archive_path)
        rows = iter_incidents(db, Filters())
        first = next(rows)
        store.commit([make_incident(disclosed_on="2030-01-01") for _ in range(50)])  # not blocked by the open read
        assert 1 + sum(1 for _ in rows) == 50
        assert first["disclosed_on"] == "2024-05-01"
        assert count_incidents(db, Filters()) == 100


WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.unit.archive.conftest import make_incident
from services.archive.store import ArchiveStore
store = ArchiveStore(Path({path!r}))
for batch in range(10_000):
    store.commit([make_incident(incident_id=f"inc-{{batch}}-{{n}}") for n in range({size})])
    print(batch, flush=True)
"""


def test_a_writer_killed_mid_stream_loses_no_commit_and_leaves_no_half_batch(archive_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", WRITER.format(repo=str(REPO), path=str(archive_path), size=BATCH)],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert child.stdout is not None
    acknowledged = -1
    for line in child.stdout:
        acknowledged = int(line)
        if acknowledged == 30:
            break
    os.kill(child.pid, signal.SIGKILL)  # possibly inside the next commit
    child.wait()
    db = open_reader(archive_path)
    count = count_incidents(db, Filters())
    assert count % BATCH == 0 and count >= (acknowledged + 1) * BATCH
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ArchiveStore(archive_path) as restarted:  # recovers the log and writes on
        assert restarted.commit([make_incident()]).new == 1
