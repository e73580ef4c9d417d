"""The fetcher against a local feed server and the embedded broker."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import schemas
from services.common.embedded_broker import EmbeddedBroker
from services.common.config import Config, FetcherConfig
from services.common.kafka import ensure_pipeline_topics
from services.common.topics import Topics
from services.demo.feed import build_atom, corpus_documents
from services.fetcher.state import FetcherState
from tests.feed_server import FeedServer
from tests.fetcher_support import feed_config, poll_once
from tests.kafka_helpers import read_topic

pytestmark = pytest.mark.integration


async def restart_and_poll(config: Config, bootstrap: str, state_path: Path) -> str:
    """A fresh fetcher (as after a restart) polls the feed once; returns the poll status."""
    state = FetcherState(state_path)
    try:
        return (await poll_once(config, bootstrap, state)).status
    finally:
        state.close()


async def test_each_entry_is_published_once_across_polls_and_restarts(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    server = await FeedServer(body=build_atom(corpus_documents()), honour_etag=False).start()
    try:
        config = feed_config(tmp_path, prefix, server.url)
        await ensure_pipeline_topics(config, broker.bootstrap)
        state_path = tmp_path / "fetcher.sqlite3"
        assert await restart_and_poll(config, broker.bootstrap, state_path) == "200"
        assert await restart_and_poll(config, broker.bootstrap, state_path) == "200"  # restart; server ignores ETag
        messages = await read_topic(broker.bootstrap, Topics(prefix).raw_posts)
    finally:
        await server.stop()
    assert len(messages) == 5
    for key, post in messages:
        schemas.validate("raw_post", post)
        assert key == post["post_id"].encode()
        assert post["origin"] == "live"


async def test_unchanged_feed_costs_a_304_after_restart(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    server = await FeedServer(body=build_atom(corpus_documents())).start()
    try:
        config = feed_config(tmp_path, prefix, server.url)
        await ensure_pipeline_topics(config, broker.bootstrap)
        state_path = tmp_path / "fetcher.sqlite3"
        assert await restart_and_poll(config, broker.bootstrap, state_path) == "200"
        assert await restart_and_poll(config, broker.bootstrap, state_path) == "304"
        assert server.not_modified == 1
    finally:
        await server.stop()


async def test_edited_post_is_published_again_as_a_new_version(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    documents = corpus_documents()
    server = await FeedServer(body=build_atom(documents)).start()
    try:
        config = feed_config(tmp_path, prefix, server.url)
        await ensure_pipeline_topics(config, broker.bootstrap)
        state_path = tmp_path / "fetcher.sqlite3"
        await restart_and_poll(config, broker.bootstrap, state_path)
        name, text = documents[2]
        documents[2] = (name, text + "\n\n追記: 影響件数を更新しました。")
        server.body = build_atom(documents)
        await restart_and_poll(config, broker.bootstrap, state_path)
        messages = await read_topic(broker.bootstrap, Topics(prefix).raw_posts)
    finally:
        await server.stop()
    assert len(messages) == 6
    edited = [post for _, post in messages if post["url"].endswith(f"/{name}.html")]
    assert len(edited) == 2 and edited[0]["content_hash"] != edited[1]["content_hash"]


async def test_unreachable_feed_is_one_line_and_a_backoff(broker: EmbeddedBroker, prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = feed_config(tmp_path, prefix, "http://127.0.0.1:9/feed")
    await ensure_pipeline_topics(config, broker.bootstrap)
    state_path = tmp_path / "fetcher.sqlite3"
    assert await restart_and_poll(config, broker.bootstrap, state_path) == "error"
    state = FetcherState(state_path)
    feed = state.feed("demo", "http://127.0.0.1:9/feed")
    state.close()
    assert feed.error_count == 1
    assert "cannot connect to 127.0.0.1" in (feed.last_error or "")
    assert any("poll failed: cannot connect" in r.getMessage() and "retrying in" in r.getMessage() for r in caplog.records)


async def test_private_address_is_refused_unless_allowed(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    server = await FeedServer(body=build_atom(corpus_documents())).start()
    try:
        config = feed_config(tmp_path, prefix, server.url)
        config = replace(config, fetcher=FetcherConfig(allow_private_networks=False))
        await ensure_pipeline_topics(config, broker.bootstrap)
        assert await restart_and_poll(config, broker.bootstrap, tmp_path / "f.sqlite3") == "error"
        assert server.requests == 0
    finally:
        await server.stop()
