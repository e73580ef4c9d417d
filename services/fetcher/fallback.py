"""feedparser, for broken feeds, in a process that can be stopped.

feedparser's lenient parser is pure Python and can take minutes and gigabytes
on a hostile document (megabytes of unclosed tags); it cannot be interrupted
from a thread. So it runs in a child process with a CPU and an address-space
limit and a wall-clock timeout; what it parsed comes back as JSON. A broken
feed is rare (the fast path reads well-formed ones), so the child's start-up
(about 0.3 s) is paid rarely.

    python -m services.fetcher.fallback   (stdin: one JSON line of arguments, then the body)
"""

from __future__ import annotations

import dataclasses
import os
import resource
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Mapping

import orjson

from services.common.parent_death import exit_with_parent
from services.fetcher.errors import FeedError

if TYPE_CHECKING:
    from services.fetcher.feeds import ParsedFeed

SECONDS = 15.0  # wall-clock budget: a broken feed that feedparser reads at all takes a few seconds
MEMORY = 1024 * 1024 * 1024  # address space of the child, bytes
_OUT_OF_MEMORY = 3  # the child's exit status when its memory budget ran out
_CHILDREN: set[subprocess.Popen[bytes]] = set()  # running now, so that a shutdown need not wait for them
_LOCK = threading.Lock()


def stop_children() -> None:
    """Kill the lenient parsers still running: called when the fetcher stops, whose
    threads (asyncio.to_thread cannot be cancelled) would otherwise wait for them."""
    with _LOCK:
        running = list(_CHILDREN)
    for child in running:
        child.kill()


def parse_bounded(body: bytes, headers: Mapping[str, str], feed_name: str, origin: str, fetched_at: str,
                  seconds: float = SECONDS, memory: int = MEMORY) -> ParsedFeed:
    """`parse_slow` in a child process; `FeedError` when it overruns its time or memory."""
    from services.fetcher.feeds import ParsedFeed

    request = orjson.dumps({"headers": dict(headers), "feed": feed_name, "origin": origin,
                            "fetched_at": fetched_at, "seconds": seconds, "memory": memory})
    child = subprocess.Popen([sys.executable, "-m", "services.fetcher.fallback"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with _LOCK:
        _CHILDREN.add(child)
    try:
        out, err = child.communicate(request + b"\n" + body, timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise FeedError(f"broken feed: the lenient parser took longer than {seconds:g} s; refused") from None
    finally:
        with _LOCK:
            _CHILDREN.discard(child)
    done = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    if done.returncode == _OUT_OF_MEMORY:
        raise FeedError(f"broken feed: the lenient parser needed more than {memory // 2**20} MB; refused")
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise FeedError(f"broken feed: the lenient parser stopped (exit status {done.returncode}): {last[:200]}")
    reply = orjson.loads(done.stdout)
    if "error" in reply:
        raise FeedError(reply["error"])
    return ParsedFeed(**reply)


def main() -> None:
    """The child: limits first, then feedparser on stdin; JSON (or an error) on stdout."""
    exit_with_parent()  # no orphan outlives a fetcher killed with -9
    try:
        _serve()
    except MemoryError:  # wherever the budget ran out: parsing, encoding the reply
        os._exit(_OUT_OF_MEMORY)


def _serve() -> None:
    head, _, body = sys.stdin.buffer.read().partition(b"\n")
    request = orjson.loads(head)
    resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
    cpu = int(request["seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    from services.fetcher.feeds import parse_slow

    try:
        parsed = parse_slow(body, request["headers"], request["feed"], request["origin"], request["fetched_at"])
        reply = dataclasses.asdict(parsed)
    except FeedError as exc:
        reply = {"error": str(exc)}
    sys.stdout.buffer.write(orjson.dumps(reply))


if __name__ == "__main__":
    main()
