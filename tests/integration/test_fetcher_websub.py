"""WebSub push against a local hub: verification, signed and forged deliveries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.topics import Topics
from services.demo.feed import atom_entry
from tests.feed_server import FeedServer, Harness
from tests.kafka_helpers import read_topic

pytestmark = pytest.mark.integration

NEWEST = datetime(2025, 3, 10, tzinfo=timezone.utc)


class Hub:
    """A hub that verifies each subscription request by calling the subscriber back."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.answers: list[tuple[str, int, str]] = []  # (challenge, status, body)

    async def subscribe(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.requests.append(form)  # type: ignore[arg-type]
        asyncio.get_running_loop().create_task(self.verify(form))  # type: ignore[arg-type]
        return web.Response(status=202)

    async def verify(self, form: dict[str, str]) -> None:
        challenge = secrets.token_hex(8)
        query = {"hub.mode": form["hub.mode"], "hub.topic": form["hub.topic"], "hub.challenge": challenge, "hub.lease_seconds": "3600"}
        async with aiohttp.ClientSession() as session, session.get(form["hub.callback"], params=query) as response:
            self.answers.append((challenge, response.status, await response.text()))


def feed_document(hub: str, self_url: str, *titles: str) -> bytes:
    entries = "".join(atom_entry(f"post-{t}", t, f"<p>{t}</p>", NEWEST, f"http://b/{t}") for t in titles)
    return (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>b</title>"
        f"<link rel='hub' href='{hub}'/><link rel='self' href='{self_url}'/>{entries}</feed>"
    ).encode()


async def test_websub_verification_then_forged_and_signed_deliveries(broker: EmbeddedBroker, prefix: str, tmp_path: Path) -> None:
    hub, server = Hub(), await FeedServer().start()
    server.routes["/hub"] = hub.subscribe
    port = free_port()
    async with Harness(
        broker.bootstrap, prefix, tmp_path, websub_callback_url=f"http://127.0.0.1:{port}/websub", websub_listen=f"127.0.0.1:{port}"
    ) as harness:
        callbacks = await harness.service.start_websub()
        try:
            server.body = feed_document(f"{server.base}/hub", server.url, "one")
            feed = harness.feed(server.url, name="blog")
            assert (await harness.poll(feed)).published == 1
            await harness.service.push_subscribe(feed, harness.feed_state(feed))
            deadline = time.monotonic() + 3
            while not hub.answers and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            (challenge, status, text), = hub.answers
            assert (status, text) == (200, challenge)
            assert hub.requests[0]["hub.topic"] == server.url and hub.requests[0]["hub.callback"].endswith("/websub/blog")
            current = harness.state.lease("blog")
            assert current is not None and current.verified and 3500 < (current.lease_expires or 0) - time.time() <= 3600

            callback = hub.requests[0]["hub.callback"]
            pushed = feed_document(f"{server.base}/hub", server.url, "two")
            forged = "sha1=" + hmac.new(b"not-the-secret", pushed, hashlib.sha1).hexdigest()
            genuine = "sha1=" + hmac.new(current.secret.encode(), pushed, hashlib.sha1).hexdigest()
            async with aiohttp.ClientSession() as session:
                async with session.get(callback, params={"hub.mode": "subscribe", "hub.topic": "http://other/", "hub.challenge": "x"}) as wrong:
                    assert wrong.status == 404
                async with session.post(callback, data=pushed, headers={"X-Hub-Signature": forged}) as bad:
                    assert bad.status == 202
                assert harness.service.websub is not None and harness.service.websub.rejected == 1
                async with session.post(callback, data=pushed, headers={"X-Hub-Signature": genuine}) as good:
                    assert good.status == 202
            titles = sorted(post["title"] for _, post in await read_topic(broker.bootstrap, Topics(prefix).raw_posts))
            assert titles == ["one", "two"], "the forged delivery published nothing, the signed one its entry"
        finally:
            await callbacks.cleanup()
            await server.stop()


async def test_push_turned_off_unsubscribes_and_the_hub_confirmation_forgets_the_subscription(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    hub, server = Hub(), await FeedServer().start()
    server.routes["/hub"] = hub.subscribe
    port = free_port()
    async with Harness(
        broker.bootstrap, prefix, tmp_path, websub_callback_url=f"http://127.0.0.1:{port}/websub", websub_listen=f"127.0.0.1:{port}"
    ) as harness:
        callbacks = await harness.service.start_websub()
        try:
            server.body = feed_document(f"{server.base}/hub", server.url, "one")
            feed = harness.feed(server.url, name="blog")
            await harness.poll(feed)
            for step, push in enumerate((True, False), start=1):
                await harness.service.push_subscribe(replace(feed, push=push), harness.feed_state(feed))
                deadline = time.monotonic() + 3
                while len(hub.answers) < step and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
            assert [form["hub.mode"] for form in hub.requests] == ["subscribe", "unsubscribe"]
            assert [(status, text) for _, status, text in hub.answers] == [(200, challenge) for challenge, _, _ in hub.answers]
            assert harness.state.lease("blog") is None
        finally:
            await callbacks.cleanup()
            await server.stop()
