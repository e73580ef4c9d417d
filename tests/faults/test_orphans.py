"""No process outlives a kill -9 of its parent: the parser's pool worker while it is still starting.

Found by test_up_kill9: a kill of `jikenbo up` that landed while the parser's
pool worker was starting left the worker and its multiprocessing resource
tracker running for good (the worker had not yet asked for PR_SET_PDEATHSIG,
and it holds both ends of its task queue, so it never sees end-of-file).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import REPO, alive

pytestmark = [pytest.mark.faults]

SCRIPT = """
import multiprocessing, os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import resource_tracker
from services.common.parent_death import exit_with_parent

if __name__ == "__main__":
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=exit_with_parent)
    pool.submit(os.getpid)  # the worker starts now; we die before it is up
    print(*pool._processes, resource_tracker._resource_tracker._pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_pool_worker_whose_parent_died_while_it_started_does_not_linger(tmp_path: Path) -> None:
    out = tmp_path / "pids"
    with open(out, "w") as stdout:  # a file, not a pipe: a lingering child would hold a pipe open
        code = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, stdout=stdout, stderr=subprocess.DEVNULL, timeout=60).returncode
    assert code == -signal.SIGKILL
    pids = [int(p) for p in out.read_text().split()]
    assert len(pids) == 2, out.read_text()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in pids if alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "the pool worker (and its resource tracker) outlived their parent"
