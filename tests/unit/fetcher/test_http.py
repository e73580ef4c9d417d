"""Address policy and per-host politeness, without a network."""

from __future__ import annotations

import asyncio

import pytest

from services.fetcher.errors import RefusedAddress
from services.fetcher.http import HostGate, check_address, is_public


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fe80::1", "::ffff:127.0.0.1", "0.0.0.0"])
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


def test_public_addresses_are_public() -> None:
    assert is_public("93.184.216.34") and is_public("2606:2800:220:1:248:1893:25c8:1946")


async def test_loopback_url_is_refused_unless_allowed() -> None:
    with pytest.raises(RefusedAddress, match="allow_private_networks"):
        await check_address("http://localhost:8080/feed", allow_private=False)
    await check_address("http://localhost:8080/feed", allow_private=True)


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
