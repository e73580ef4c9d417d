"""Run the services as child processes and keep them running.

`jikenbo up` runs the fetcher, parser and alerter as separate processes, as
they run in production; a child that dies is restarted with backoff. Children
die with us (PR_SET_PDEATHSIG), and on Ctrl-C or SIGTERM they are stopped in
pipeline order, so that nothing is left running.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from dataclasses import dataclass, field

from services.common.parent_death import die_with_parent

log = logging.getLogger("jikenbo.up")

RESTART_BACKOFF_MAX = 30.0
HEALTHY_AFTER = 60.0


@dataclass
class Child:
    """One supervised service process."""

    name: str
    argv: list[str]
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    started_at: float = 0.0
    stopping: bool = field(default=False)
    allowed: asyncio.Event = field(default_factory=asyncio.Event)  # cleared while the broker is restarted under it

    def __post_init__(self) -> None:
        self.allowed.set()


async def spawn(child: Child) -> None:
    child.process = await asyncio.create_subprocess_exec(
        *child.argv, env=child.env, stdin=asyncio.subprocess.DEVNULL, preexec_fn=die_with_parent
    )
    child.started_at = time.monotonic()
    log.info("started %s (pid %d)", child.name, child.process.pid)


async def keep_running(child: Child) -> None:
    """Restart the child whenever it exits, until we are stopping."""
    while not child.stopping:
        await child.allowed.wait()
        await spawn(child)
        assert child.process is not None
        code = await child.process.wait()
        if child.stopping:
            return
        if not child.allowed.is_set():
            continue  # killed by `pause`: started again by `resume`, with no backoff
        if time.monotonic() - child.started_at > HEALTHY_AFTER:
            child.restarts = 0
        child.restarts += 1
        delay = min(RESTART_BACKOFF_MAX, 2.0 ** (child.restarts - 1))
        log.warning("%s exited with status %s; restarting in %.0fs", child.name, code, delay)
        await asyncio.sleep(delay)


async def stop(child: Child, grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds."""
    child.stopping = True
    process = child.process
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except asyncio.TimeoutError:
        log.warning("%s did not stop within %.0fs; killing it", child.name, grace)
        process.kill()
        await process.wait()
    log.info("stopped %s", child.name)


async def pause(children: list[Child]) -> None:
    """Kill the children (SIGKILL) and keep them down until `resume`.

    For a broker that died: a service that outlived it holds positions and
    acknowledgements of messages the new broker never had, and would commit
    them to it (skipping what is published again). Killed, not stopped, so
    that a graceful shutdown commits nothing; at-least-once makes that safe.
    """
    for child in children:
        child.allowed.clear()
        if child.process is not None and child.process.returncode is None:
            child.process.kill()
    for child in children:
        if child.process is not None:
            await child.process.wait()
    log.info("stopped %s until the broker is back", ", ".join(child.name for child in children))


def resume(children: list[Child]) -> None:
    """Let paused children start again."""
    for child in children:
        child.allowed.set()


def service_argv(service: str) -> list[str]:
    """How to start one service with this interpreter."""
    return [sys.executable, "-m", "services.cli", service]


async def supervise(children: list[Child]) -> None:
    """Run all children until cancelled, then stop them in order."""
    tasks = [asyncio.create_task(keep_running(child), name=child.name) for child in children]
    try:
        await asyncio.gather(*tasks)
    finally:
        for child in children:
            child.stopping = True
        for child in children:
            await stop(child)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
