"""Children that die with their parent, so that no `kill -9` leaves an orphan behind.

Linux's PR_SET_PDEATHSIG makes the kernel SIGKILL a child when its parent
dies: the embedded broker, the services `jikenbo up` supervises, the parser's
pool worker and the fetcher's lenient feed parser all use it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def _kill_me_when_parent_dies() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def exit_with_parent() -> None:
    """SIGKILL this process when its parent dies (Linux), so no orphan outlives a `kill -9`.

    For children of `multiprocessing` (the parser's pool worker, as its
    initializer): a parent that died before this call sends no signal any more,
    so the worker also checks that its parent is still there and exits if it is
    gone; such a worker holds both ends of its task queue and would otherwise
    wait forever, with its resource tracker.
    """
    _kill_me_when_parent_dies()
    parent = multiprocessing.parent_process()
    if sys.platform.startswith("linux") and parent is not None and parent.pid != os.getppid():
        os._exit(1)


def die_with_parent() -> None:
    """Run in the child before exec: SIGKILL it when the parent dies."""
    _kill_me_when_parent_dies()
    os.setpgrp()  # Ctrl-C on the terminal reaches us, not the child: we stop it in order.
