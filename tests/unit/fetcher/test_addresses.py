"""The address policy where aiohttp connects, and the feed's headers on redirects, against local servers."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from services.common.config import FetcherConfig
from services.fetcher.addresses import PublicOnlyResolver, is_public
from services.fetcher.errors import RefusedAddress
from services.fetcher.http import HttpClient, make_session
from tests.feed_server import FeedServer, Handler

PUBLIC = "93.184.216.34"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "0.0.0.0", "192.0.2.1",
        "100.64.0.1", "100.127.255.254",  # carrier-grade NAT, where one cloud's metadata service lives
        "224.0.0.251", "::1", "fe80::1", "fc00::1", "ff02::fb",
        "::ffff:127.0.0.1", "::ffff:100.64.0.1", "64:ff9b::a9fe:a9fe", "::7f00:1",
    ],
)
def test_addresses_that_are_not_globally_routable(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946", f"::ffff:{PUBLIC}"])
def test_globally_routable_addresses(address: str) -> None:
    assert is_public(address)


class StubDNS(AbstractResolver):
    """DNS answers chosen by the test."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host, host=address, port=port, family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0, flags=socket.AI_NUMERICHOST,
            )
            for address in self.answers[host]
        ]

    async def close(self) -> None:
        pass


async def test_resolver_keeps_public_answers_and_refuses_a_name_with_none() -> None:
    resolver = PublicOnlyResolver(StubDNS({
        "mixed.test": ["127.0.0.1", PUBLIC], "cgnat.test": ["100.64.0.1"], "mapped.test": ["::ffff:127.0.0.1", "10.0.0.1"],
    }))
    assert [answer["host"] for answer in await resolver.resolve("mixed.test", 80)] == [PUBLIC]
    with pytest.raises(RefusedAddress, match=r"^cgnat\.test resolves to 100\.64\.0\.1, not a globally routable address; "
                                             r"set fetcher\.allow_private_networks = true to allow it$"):
        await resolver.resolve("cgnat.test", 80)
    with pytest.raises(RefusedAddress, match=r"mapped\.test resolves to ::ffff:127\.0\.0\.1, 10\.0\.0\.1"):
        await resolver.resolve("mapped.test", 80)


async def test_a_name_rebound_to_loopback_while_the_fetch_waits_its_turn_is_refused_at_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """TTL-0 DNS answers public first, then 127.0.0.1: only the answer aiohttp connects with counts."""
    server = await FeedServer(body=b"<feed/>").start()
    loop = asyncio.get_running_loop()
    real_getaddrinfo = loop.getaddrinfo
    flips_at = loop.time() + 0.25

    async def rebinding_dns(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return await real_getaddrinfo(host, port, *args, **kwargs)
        address = PUBLIC if loop.time() < flips_at else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]

    monkeypatch.setattr(loop, "getaddrinfo", rebinding_dns)
    config = FetcherConfig(per_host_delay=0.5)
    try:
        async with make_session(config) as session:
            client = HttpClient(session, config)
            async with client.gate.turn("rebind.test"):  # another request to the host went first: this one waits 0.5 s
                pass
            with pytest.raises(RefusedAddress, match=r"rebind\.test resolves to 127\.0\.0\.1"):
                await client.fetch(f"http://rebind.test:{server.port}/feed")
        assert server.requests == 0
    finally:
        await server.stop()


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]"])
async def test_ip_literal_of_a_local_server_is_refused_before_anything_is_sent(host: str) -> None:
    server = await FeedServer(body=b"<feed/>").start()
    try:
        async with make_session(FetcherConfig()) as session:
            with pytest.raises(RefusedAddress, match="is not a globally routable address; set fetcher.allow_private_networks"):
                await HttpClient(session, FetcherConfig()).fetch(f"http://{host}:{server.port}/feed")
        assert server.requests == 0
    finally:
        await server.stop()


async def test_carrier_grade_nat_literal_is_refused() -> None:
    config = FetcherConfig(connect_timeout=1.0)
    async with make_session(config) as session:
        with pytest.raises(RefusedAddress, match=r"^100\.64\.0\.1 is not a globally routable address"):
            await HttpClient(session, config).fetch("http://100.64.0.1/latest/meta-data/")


def redirect(to: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(to)

    return handler


async def test_feed_headers_do_not_follow_a_redirect_to_another_origin_but_validators_do() -> None:
    origin, other = await FeedServer().start(), await FeedServer(body=b"<feed/>").start()  # two ports: two origins
    origin.routes["/feed"] = redirect(other.url)
    config = FetcherConfig(allow_private_networks=True, per_host_delay=0.0)
    try:
        async with make_session(config) as session:
            result = await HttpClient(session, config).fetch(
                origin.url, etag='"v1"', headers={"Authorization": "Bearer s3cret", "X-Api-Key": "k"}
            )
        assert (result.url, result.status) == (other.url, 200)
        assert origin.last_headers["Authorization"] == "Bearer s3cret"
        assert "Authorization" not in other.last_headers and "X-Api-Key" not in other.last_headers
        assert other.last_headers["If-None-Match"] == '"v1"'
    finally:
        await origin.stop()
        await other.stop()


async def test_feed_headers_follow_a_redirect_within_the_origin() -> None:
    server = await FeedServer(body=b"<feed/>").start()
    server.routes["/old"] = redirect("/feed")
    config = FetcherConfig(allow_private_networks=True, per_host_delay=0.0)
    try:
        async with make_session(config) as session:
            result = await HttpClient(session, config).fetch(f"{server.base}/old", headers={"Authorization": "Bearer s3cret"})
        assert (result.url, server.hits["/old"], server.hits["/feed"]) == (server.url, 1, 1)
        assert server.last_headers["Authorization"] == "Bearer s3cret"
    finally:
        await server.stop()
