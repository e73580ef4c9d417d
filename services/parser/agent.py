"""The parser as a Faust agent: raw posts in, incidents (or dead letters) out.

The loop only moves bytes; all logic is in `services.parser.handling`.

Posts are taken in batches and parsed in a process of their own; what a batch
produces is handed to the producer in order, from this one actor, so the
versions of one post reach the incidents topic in the order they came.
While the broker acknowledges batch N, batch N+1 is already being parsed.

At-least-once: each event is held (`faust_app.hold`), so the ack
`take_events` gives it when the next batch is requested is not the final
one; the final ack comes from the acknowledger task once everything the
batch produced is acknowledged by the broker. Only then may Faust commit
the offset. If the broker refuses the output, the worker stops: nothing of
that batch was committed, and its posts are delivered again after the
restart, where re-parsing gives the same incident ids (idempotent downstream).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

import faust
import pebble
from pebble import ProcessExpired

from services.common import serde
from services.common.config import Config, ParserConfig
from services.common.faust_app import hold, make_app, raw_topic, release, restart_for_redelivery, serve_faust_ops
from services.common.metrics import DEAD_LETTERS, INCIDENTS_PARSED, POSTS_PARSED
from services.common.parent_death import exit_with_parent
from services.common.pipeline import PARSER
from services.common.topics import Topics
from services.parser.handling import Handled, dead_letter, handle_raw

log = logging.getLogger("jikenbo.parser")

BATCH = 200
BATCH_WAIT = 0.05  # seconds: latency added at most, when posts trickle in
IN_FLIGHT = 4  # batches parsed ahead while earlier ones wait for the broker's ack
_GRACE = 30.0  # seconds a batch may run past its posts' deadlines before its process is killed


def handle_batch(values: list[bytes], limits: ParserConfig = ParserConfig()) -> list[Handled]:
    return [handle_raw(value, limits) for value in values]


class ParseProcess:
    """Runs `handle_batch` in a process of its own (pebble's pool, which can kill it).

    Parsing is CPU work: in another process it runs on another core while the
    agent's loop talks to the broker (a thread would share the GIL with it).
    Each post has its deadline inside that process (services.parser.deadline). If
    a batch still overruns (code that signals cannot interrupt) or a post kills the
    process (out of memory, a crash in a C extension), the process is replaced and
    the batch is parsed again post by post: the post that stalls or kills it again
    becomes a dead letter instead of stopping the stream.
    """

    def __init__(self, work: Callable[[list[bytes]], list[Handled]] = handle_batch, post_deadline: float = 10.0,
                 grace: float = _GRACE) -> None:
        self.work = work
        self.post_deadline = post_deadline
        self.grace = grace  # process start-up and the worker's own deadline reporting
        self.pool = self._new_pool()

    @staticmethod
    def _new_pool() -> pebble.ProcessPool:
        return pebble.ProcessPool(max_workers=1, context=multiprocessing.get_context("spawn"), initializer=exit_with_parent)

    async def _run(self, values: list[bytes]) -> list[Handled]:
        """The work on `values` in the pool; a worker that dies is replaced by pebble, a broken pool here."""
        future = self.pool.schedule(self.work, args=(values,), timeout=self.post_deadline * len(values) + self.grace)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self.pool.stop()
            self.pool = self._new_pool()
            raise

    async def __call__(self, values: list[bytes]) -> list[Handled]:
        try:
            return await self._run(values)
        except (ProcessExpired, BrokenProcessPool) as exc:
            log.error("parser process died on a batch of %d post(s) (%s); parsing them one by one", len(values), exc)
        except TimeoutError:
            log.error("parser process stalled on a batch of %d post(s) and was killed; parsing them one by one", len(values))
        results = []
        for value in values:
            try:
                results.extend(await self._run([value]))
            except (ProcessExpired, BrokenProcessPool) as exc:
                results.append(Handled(dead_letter=dead_letter("parser process died on this post", exc, raw=value)))
            except TimeoutError as exc:
                reason = f"parser process stalled on this post and was killed after {self.post_deadline + self.grace:g} s"
                results.append(Handled(dead_letter=dead_letter(reason, exc, raw=value)))
        return results

    def close(self) -> None:
        self.pool.stop()


def build_parser_app(config: Config, broker_url: str) -> faust.App:
    """The Faust app running the parser agent."""
    app = make_app(PARSER.name, config, broker_url)
    topics = Topics(config.topic_prefix)
    raw_posts = raw_topic(app, topics.raw_posts)
    incidents = raw_topic(app, topics.incidents)
    dead_letters = raw_topic(app, topics.dead_letters)
    serve_faust_ops(app, PARSER, config, broker_url)

    async def publish(events: list[faust.EventT], results: list[Handled]) -> list[Any]:
        """Hand a batch's output to the producer, in order; returns the delivery futures."""
        sent: list[Any] = []
        for event, handled in zip(events, results):
            if handled.dead_letter is not None:
                reason = handled.dead_letter["reason"]
                log.warning("post sent to dead-letter topic: %s", reason[:200], extra={"post": _key(event)})
                sent.append(await dead_letters.send(key=event.key, value=serde.dumps(handled.dead_letter)))
            for incident in handled.incidents:
                sent.append(await incidents.send(key=serde.key(incident["incident_id"]), value=serde.dumps(incident)))
            log.debug(
                "post parsed: %d incident(s)", len(handled.incidents),
                extra={"post": _key(event), "incidents": ",".join(i["incident_id"] for i in handled.incidents)},
            )
        return sent

    @app.agent(raw_posts, name="parse-posts")
    async def parse_posts(stream: faust.StreamT) -> None:
        inflight: asyncio.Queue[tuple[list[faust.EventT], list[Handled], list[Any]]] = asyncio.Queue(IN_FLIGHT)

        async def acknowledge() -> None:
            while True:
                events, results, sent = await inflight.get()
                # Every outcome retrieved, so a broker that refused a whole batch is one line, not one per message.
                refused = [outcome for outcome in await asyncio.gather(*sent, return_exceptions=True) if isinstance(outcome, Exception)]
                if refused:
                    restart_for_redelivery(log, f"the broker did not acknowledge {len(refused)} of {len(sent)} parsed messages",
                                          refused[0])
                    return
                await release(stream, events)
                incident_count = sum(len(h.incidents) for h in results)
                POSTS_PARSED.inc(len(events))
                INCIDENTS_PARSED.inc(incident_count)
                DEAD_LETTERS.inc(sum(1 for h in results if h.dead_letter is not None))
                log.info("parsed %d post(s) into %d incident(s)", len(events), incident_count)

        acknowledger = asyncio.create_task(acknowledge())
        parse = ParseProcess(functools.partial(handle_batch, limits=config.parser), config.parser.post_deadline)
        try:
            async for batch in stream.take_events(BATCH, within=BATCH_WAIT):
                events = hold(list(batch))  # released by acknowledge(), not by take_events
                results = await parse([event.value for event in events])
                await inflight.put((events, results, await publish(events, results)))
        finally:
            acknowledger.cancel()
            parse.close()

    return app


def _key(event: faust.EventT) -> str | None:
    return event.key.decode("utf-8", "replace") if isinstance(event.key, bytes) else None
