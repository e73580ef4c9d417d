"""The address policy: jikenbo connects only to globally routable addresses.

Feeds, their redirects and their WebSub hubs are chosen by whoever writes
the feed, so every connection the shared session makes is checked where
aiohttp connects, not in a look-up of its own beforehand: the session's
resolver drops every address that is not public from each answer, so the
address checked is the address connected to, and a name that answers a
public address to one look-up and 127.0.0.1 to the next (DNS rebinding)
gains nothing. aiohttp never asks the resolver about IP literals, so a
client middleware checks those. `fetcher.allow_private_networks = true`
switches the policy off (local feeds, tests).
"""

from __future__ import annotations

import ipaddress
import socket

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from aiohttp.abc import AbstractResolver, ResolveResult

from services.fetcher.errors import RefusedAddress

HOW_TO_ALLOW = "set fetcher.allow_private_networks = true to allow it"


def is_public(address: str) -> bool:
    """True only for globally routable unicast addresses; IPv4-mapped IPv6 is judged by the IPv4 address inside.

    `is_global` leaves out loopback, private, link-local, documentation and
    carrier-grade NAT (100.64.0.0/10, where a cloud metadata service lives);
    multicast and reserved ranges (which hold NAT64 and IPv4-compatible IPv6)
    count as global there, so they are left out here.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


class PublicOnlyResolver(AbstractResolver):
    """Resolves with `inner`, then keeps only public addresses; a name with none left is refused.

    aiohttp connects to exactly what this returns (and caches only that),
    so nothing resolved later can reach an address that was not checked.
    """

    def __init__(self, inner: AbstractResolver) -> None:
        self.inner = inner

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        answers = await self.inner.resolve(host, port, family)
        public = [answer for answer in answers if is_public(answer["host"])]
        if answers and not public:
            refused = ", ".join(dict.fromkeys(answer["host"] for answer in answers))
            raise RefusedAddress(f"{host} resolves to {refused}, not a globally routable address; {HOW_TO_ALLOW}")
        return public

    async def close(self) -> None:
        await self.inner.close()


async def refuse_private_literal(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
    """A client middleware for the IP literals aiohttp connects to without asking the resolver."""
    host = request.url.raw_host or ""
    try:
        public = is_public(host)
    except ValueError:  # a name: the resolver checks what it resolves to
        return await handler(request)
    if not public:
        raise RefusedAddress(f"{host} is not a globally routable address; {HOW_TO_ALLOW}")
    return await handler(request)
