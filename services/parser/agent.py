"""The parser as a Faust agent: raw posts in, incidents (or dead letters) out.

The loop only moves bytes; all logic is in `services.parser.handling`. Each
outgoing message is awaited until the broker acknowledged it before the
event is acked, so a crash re-delivers the post rather than losing it, and
re-parsing gives the same incident ids (idempotent downstream).
"""

from __future__ import annotations

import asyncio
import logging

import faust

from services.common import serde
from services.common.config import Config
from services.common.faust_app import make_app, raw_topic
from services.common.topics import Topics
from services.parser.handling import handle_raw

log = logging.getLogger("jikenbo.parser")


def build_parser_app(config: Config, broker_url: str) -> faust.App:
    """The Faust app running the parser agent."""
    app = make_app("parser", config, broker_url)
    topics = Topics(config.topic_prefix)
    raw_posts = raw_topic(app, topics.raw_posts)
    incidents = raw_topic(app, topics.incidents)
    dead_letters = raw_topic(app, topics.dead_letters)

    @app.agent(raw_posts, name="parse-posts")
    async def parse_posts(stream: faust.StreamT) -> None:
        async for event in stream.events():
            handled = await asyncio.to_thread(handle_raw, event.value)
            if handled.dead_letter is not None:
                reason = handled.dead_letter["reason"]
                log.warning("post sent to dead-letter topic: %s", reason[:200], extra={"post": _key(event)})
                sent = [await dead_letters.send(key=event.key, value=serde.dumps(handled.dead_letter))]
            else:
                sent = [
                    await incidents.send(key=serde.key(incident["incident_id"]), value=serde.dumps(incident))
                    for incident in handled.incidents
                ]
                log.info("post parsed: %d incident(s)", len(sent), extra={"post": _key(event)})
            await asyncio.gather(*sent)

    return app


def _key(event: faust.EventT) -> str | None:
    return event.key.decode("utf-8", "replace") if isinstance(event.key, bytes) else None
