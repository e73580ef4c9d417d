"""Run a service coroutine until Ctrl-C or SIGTERM, then let it clean up."""

from __future__ import annotations

import asyncio
import signal
from typing import Awaitable, Callable


async def until_signalled(main: Callable[[], Awaitable[None]]) -> None:
    """Run `main()`; SIGINT/SIGTERM cancel it so its `finally` blocks run."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(main())
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
