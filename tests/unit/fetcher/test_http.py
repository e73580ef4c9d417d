"""Per-host politeness and which headers follow a redirect, without a network."""

from __future__ import annotations

import asyncio

import pytest

from services.fetcher.http import HostGate, keeps_feed_headers


@pytest.mark.parametrize(
    ("source", "target", "kept"),
    [
        ("https://a.example/feed", "https://a.example/other?x=1", True),
        ("https://a.example/feed", "https://A.example:443/feed", True),
        ("http://a.example/feed", "https://a.example/feed", True),  # the same host, upgraded to https
        ("https://a.example/feed", "http://a.example/feed", False),  # downgraded to http
        ("https://a.example/feed", "https://b.example/feed", False),
        ("https://a.example/feed", "https://a.example:8443/feed", False),
        ("http://a.example:8080/feed", "https://a.example:8443/feed", False),
        ("https://a.example/feed", "https://sub.a.example/feed", False),
    ],
)
def test_feed_headers_follow_a_redirect_only_within_the_origin(source: str, target: str, kept: bool) -> None:
    assert keeps_feed_headers(source, target) is kept


async def test_host_gate_spaces_one_host_but_not_two() -> None:
    gate = HostGate(concurrency=4, min_delay=0.2)
    loop = asyncio.get_running_loop()
    starts: dict[str, list[float]] = {"a": [], "b": []}

    async def request(host: str) -> None:
        async with gate.turn(host):
            starts[host].append(loop.time())

    await asyncio.gather(request("a"), request("a"), request("a"), request("b"))
    a = sorted(starts["a"])
    assert a[1] - a[0] >= 0.19 and a[2] - a[1] >= 0.19
    assert starts["b"][0] - a[0] < 0.05
