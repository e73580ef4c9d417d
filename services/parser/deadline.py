"""A time limit on parsing one post, enforced inside the process that parses it.

The parser's text handling is linear in a post's size and posts are capped in
length, so an overrun means a bug or an input nobody foresaw; either way the
post is set aside (dead-lettered) and the posts behind it go on. The limit
interrupts Python code from a SIGALRM interval timer; code that never returns
to the interpreter (a C extension stuck in a loop) is stopped by the agent,
which kills the parsing process when a whole batch overruns.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType
from typing import Iterator

from services.common.errors import JikenboError


class PostRefused(JikenboError):
    """A post the parser will not parse (too long) or did not finish in time."""


class PostDeadline(PostRefused):
    """Parsing one post took longer than `parser.post_deadline`."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `PostDeadline` in the block when it runs longer than `seconds`.

    Only the main thread receives signals: elsewhere (a test's worker thread) the
    block runs without a limit rather than with a timer that cannot fire."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    state = {"active": True, "expired": False}
    message = f"parsing took longer than parser.post_deadline ({seconds:g} s); the post was set aside"

    def expire(signum: int, frame: FrameType | None) -> None:
        if state["active"]:  # a timer that fires as the block ends interrupts nothing
            state["expired"] = True
            raise PostDeadline(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if state["expired"]:  # raised where Python swallows exceptions (a finaliser, a weakref callback)
        raise PostDeadline(message)
