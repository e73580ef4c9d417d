"""The archive as a Faust agent: incidents and alerts in, the SQLite history written, nothing out.

One agent reads both topics in the archive's own consumer group. Messages are
taken in batches; each batch is one SQLite transaction (`intake.write`), run
in a thread of its own because a commit fsyncs and may wait for the file's
lock while a reader checkpoints. Every event holds an extra reference
(`faust_app.hold`) until that transaction has returned, so Faust commits an
offset only once what it covers is on disk: a crash before redelivers the
batch, and the store's idempotent writes make the redelivery add nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import faust

from services.archive.intake import sort_messages, write
from services.archive.store import ArchiveStore, Committed
from services.common.config import Config
from services.common.faust_app import hold, make_app, release, serve_faust_ops
from services.common.metrics import ARCHIVED
from services.common.pipeline import ARCHIVE
from services.common.topics import Topics

log = logging.getLogger("jikenbo.archive")

BATCH = 1000
BATCH_WAIT = 0.05  # seconds: latency added at most when incidents trickle in


def build_archive_app(config: Config, broker_url: str) -> faust.App:
    """The Faust app running the archive agent; the archive file is opened (and migrated) now."""
    store = ArchiveStore(ARCHIVE.state_path(config.state_dir))
    app = make_app(ARCHIVE.name, config, broker_url)
    topics = Topics(config.topic_prefix)
    inputs = app.topic(*ARCHIVE.input_topics(topics), key_type=bytes, value_type=bytes, key_serializer="raw",
                       value_serializer="raw")
    serve_faust_ops(app, ARCHIVE, config, broker_url)
    # One thread: the writer connection is used by one thread at a time, in batch order.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")

    @app.agent(inputs, name="archive-incidents")
    async def archive_incidents(stream: faust.StreamT) -> None:
        loop = asyncio.get_running_loop()
        async for batch in stream.take_events(BATCH, within=BATCH_WAIT):
            events = hold(list(batch))  # released once the batch is on disk
            messages = sort_messages([(event.message.topic, event.value) for event in events], topics.alerts)
            try:
                done = await loop.run_in_executor(writer, write, store, messages)
            except sqlite3.Error as exc:  # disk full, file locked past the busy timeout, I/O error
                log.error("archive write failed (%s); restarting so the batch is delivered again", exc)
                os.kill(os.getpid(), signal.SIGTERM)
                return
            await release(stream, events)
            count(done)
            log.info("archived %d message(s): %d new, %d revised incident(s), %d alert(s)",
                     len(events), done.new, done.revised, done.alerts)

    return app


def count(done: Committed) -> None:
    for outcome in ("new", "revised", "unchanged", "replayed", "alerts"):
        ARCHIVED.labels(outcome).inc(getattr(done, outcome))
