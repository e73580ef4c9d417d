"""WebSub against hostile hubs and callers: hub addresses and redirects, leases, unsolicited unsubscribes, headers, paths."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import AsyncIterator, Mapping

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from services.common.config import FetcherConfig
from services.fetcher.errors import FetchError, RefusedAddress
from services.fetcher.http import make_session
from services.fetcher.state import FetcherState, WebSubLease
from services.fetcher.websub import MAX_LEASE, WebSub
from tests.feed_server import FeedServer

TOPIC = "https://blog.example/feeds/posts/default"


async def nowhere(feed: str, body: bytes, headers: Mapping[str, str]) -> None:
    raise AssertionError("nothing here is a genuine delivery")


@pytest.fixture
async def websub(tmp_path: Path) -> AsyncIterator[WebSub]:
    """A subscriber with a requested, not yet verified subscription of feed "blog"; private hubs allowed."""
    state = FetcherState(tmp_path / "fetcher.sqlite3")
    state.save_lease(WebSubLease(feed="blog", hub="http://hub.invalid/", topic=TOPIC, secret="s", requested_at=time.time()))
    async with make_session(FetcherConfig(allow_private_networks=True)) as session:
        yield WebSub(state, session, "http://127.0.0.1:1/websub", lease=86400, deliver=nowhere)
    state.close()


@pytest.fixture
async def callbacks(websub: WebSub) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(websub.app())) as client:
        yield client


def confirm(mode: str, **extra: str) -> dict[str, str]:
    return {"hub.mode": mode, "hub.topic": TOPIC, "hub.challenge": "c0ffee", **extra}


async def hub_server() -> tuple[FeedServer, list[dict[str, str]]]:
    """A hub at /hub that accepts every request, and the forms it received."""
    server, forms = await FeedServer().start(), []

    async def accept(request: web.Request) -> web.Response:
        forms.append({k: str(v) for k, v in (await request.post()).items()})
        return web.Response(status=202)

    server.routes["/hub"] = accept
    return server, forms


async def test_hub_on_a_private_address_is_refused_and_gets_nothing(websub: WebSub) -> None:
    hub, _ = await hub_server()
    try:
        async with make_session(FetcherConfig()) as guarded:
            websub.session = guarded
            with pytest.raises(RefusedAddress, match=r"^127\.0\.0\.1 is not a globally routable address"):
                await websub.ensure("other", f"{hub.base}/hub", TOPIC)
            with pytest.raises(RefusedAddress, match=r"^localhost resolves to .*127\.0\.0\.1.*allow_private_networks"):
                await websub.ensure("other", f"{hub.alias_base}/hub", TOPIC)
        assert hub.hits["/hub"] == 0
    finally:
        await hub.stop()


async def test_hub_redirect_is_an_error_naming_the_hub_and_the_secret_stays(websub: WebSub) -> None:
    hub, (elsewhere, _) = await FeedServer().start(), await hub_server()

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"{elsewhere.base}/hub")

    hub.routes["/hub"] = moved
    try:
        with pytest.raises(FetchError, match=rf"^hub {hub.base}/hub redirected the subscribe request to {elsewhere.base}/hub; "):
            await websub.ensure("other", f"{hub.base}/hub", TOPIC)
        assert hub.hits["/hub"] == 1 and elsewhere.hits["/hub"] == 0
    finally:
        await hub.stop()
        await elsewhere.stop()


@pytest.mark.parametrize("lease", ["nan", "inf", "1e300", "-5", "0", "12.5", "0x10", "1" + "0" * 300])
async def test_lease_that_is_not_a_positive_whole_number_of_seconds_refuses_the_verification(
    websub: WebSub, callbacks: TestClient, lease: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = await callbacks.get("/websub/blog", params=confirm("subscribe", **{"hub.lease_seconds": lease}))
    assert response.status == 404
    current = websub.state.lease("blog")
    assert current is not None and not current.verified
    assert any(f"hub.lease_seconds={lease} is not a positive whole number" in r.getMessage() for r in caplog.records)


async def test_absurdly_long_lease_is_taken_as_a_year(websub: WebSub, callbacks: TestClient) -> None:
    response = await callbacks.get("/websub/blog", params=confirm("subscribe", **{"hub.lease_seconds": "99999999999"}))
    assert (response.status, await response.text()) == (200, "c0ffee")
    current = websub.state.lease("blog")
    assert current is not None and current.verified and MAX_LEASE - 5 < (current.lease_expires or 0) - time.time() <= MAX_LEASE


async def test_unsubscribe_nobody_asked_for_is_refused(websub: WebSub, callbacks: TestClient) -> None:
    assert (await callbacks.get("/websub/blog", params=confirm("subscribe", **{"hub.lease_seconds": "3600"}))).status == 200
    assert (await callbacks.get("/websub/blog", params=confirm("unsubscribe"))).status == 404
    current = websub.state.lease("blog")
    assert current is not None and current.verified and current.mode == "subscribe"


async def test_unsubscribe_we_asked_for_is_confirmed_and_forgotten(websub: WebSub, callbacks: TestClient) -> None:
    hub, forms = await hub_server()
    try:
        current = websub.state.lease("blog")
        assert current is not None
        current.hub = f"{hub.base}/hub"
        websub.state.save_lease(current)
        await websub.cancel("blog")
        (form,) = forms
        assert (form["hub.mode"], form["hub.topic"], "hub.secret" in form) == ("unsubscribe", TOPIC, False)
        assert (await callbacks.get("/websub/blog", params=confirm("subscribe", **{"hub.lease_seconds": "3600"}))).status == 404
        response = await callbacks.get("/websub/blog", params=confirm("unsubscribe"))
        assert (response.status, await response.text()) == (200, "c0ffee")
        assert websub.state.lease("blog") is None
    finally:
        await hub.stop()


@pytest.mark.parametrize("signature", ["sha1=\u00e9\u00e9", "sha256=\u7f72\u540d", "sha1", "=", "sha1=zz"])
async def test_malformed_or_non_ascii_signature_is_dropped_not_a_server_error(
    websub: WebSub, callbacks: TestClient, signature: str
) -> None:
    response = await callbacks.post("/websub/blog", data=b"<feed/>", headers={"X-Hub-Signature": signature})
    assert (response.status, await response.text()) == (202, "ignored")
    assert websub.rejected == 1


async def test_control_characters_in_the_callback_path_do_not_forge_log_lines(
    websub: WebSub, callbacks: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    forged = "\r\n2025-01-01 ERROR forged\x1b[2J"
    delivery = await callbacks.post(URL("/websub/blog%0D%0A2025-01-01%20ERROR%20forged%1B%5B2J", encoded=True), data=b"")
    denial = await callbacks.get("/websub/blog", params={"hub.mode": "denied", "hub.topic": TOPIC, "hub.reason": forged})
    lease = await callbacks.get("/websub/blog", params=confirm("subscribe", **{"hub.lease_seconds": "1" + forged}))
    messages = [r.getMessage() for r in caplog.records if r.name == "jikenbo.fetcher"]
    assert not any(c in m for m in messages for c in "\r\n\x1b"), messages
    assert (delivery.status, denial.status, lease.status) == (202, 200, 404)
    assert len(messages) == 3 and all("forged" in m for m in messages)
