"""The parser as a Faust agent: raw posts in, incidents (or dead letters) out.

The loop only moves bytes; all logic is in `services.parser.handling`. Posts
are taken in small batches: one thread hop to parse the batch, one wait for
the broker to acknowledge everything it produced. Faust acks a batch's
events only when the next batch is requested, i.e. after their output was
acknowledged, so a crash re-delivers posts rather than losing them, and
re-parsing gives the same incident ids (idempotent downstream).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from services.common import serde
from services.common.config import Config
from services.common.faust_app import make_app, raw_topic
from services.common.metrics import DEAD_LETTERS, INCIDENTS_PARSED, POSTS_PARSED
from services.common.ops import serve_faust_ops
from services.common.topics import Topics
from services.parser.handling import Handled, handle_raw

log = logging.getLogger("jikenbo.parser")

BATCH = 200
BATCH_WAIT = 0.05  # seconds: latency added at most, when posts trickle in
CONCURRENCY = 1  # one actor: edits of a post must reach the incidents topic in order


def handle_batch(values: list[bytes]) -> list[Handled]:
    return [handle_raw(value) for value in values]


def build_parser_app(config: Config, broker_url: str) -> faust.App:
    """The Faust app running the parser agent."""
    app = make_app("parser", config, broker_url)
    topics = Topics(config.topic_prefix)
    raw_posts = raw_topic(app, topics.raw_posts)
    incidents = raw_topic(app, topics.incidents)
    dead_letters = raw_topic(app, topics.dead_letters)
    serve_faust_ops(app, "parser", config, broker_url, topics.raw_posts)

    @app.agent(raw_posts, name="parse-posts", concurrency=CONCURRENCY)
    async def parse_posts(stream: faust.StreamT) -> None:
        async for events in stream.take_events(BATCH, within=BATCH_WAIT):
            results = await asyncio.to_thread(handle_batch, [event.value for event in events])
            sent: list[Any] = []
            for event, handled in zip(events, results):
                if handled.dead_letter is not None:
                    reason = handled.dead_letter["reason"]
                    log.warning("post sent to dead-letter topic: %s", reason[:200], extra={"post": _key(event)})
                    sent.append(await dead_letters.send(key=event.key, value=serde.dumps(handled.dead_letter)))
                    continue
                for incident in handled.incidents:
                    sent.append(await incidents.send(key=serde.key(incident["incident_id"]), value=serde.dumps(incident)))
                log.debug(
                    "post parsed: %d incident(s)", len(handled.incidents),
                    extra={"post": _key(event), "incidents": ",".join(i["incident_id"] for i in handled.incidents)},
                )
            await asyncio.gather(*sent)
            POSTS_PARSED.inc(len(events))
            INCIDENTS_PARSED.inc(sum(len(h.incidents) for h in results))
            DEAD_LETTERS.inc(sum(1 for h in results if h.dead_letter is not None))
            log.info("parsed %d post(s) into %d incident(s)", len(events), sum(len(h.incidents) for h in results))

    return app


def _key(event: faust.EventT) -> str | None:
    return event.key.decode("utf-8", "replace") if isinstance(event.key, bytes) else None
