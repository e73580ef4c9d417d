"""WebSub push: subscribe at a feed's hub, answer its challenge, accept signed deliveries.

Push only shortens the wait; polling goes on as the fallback (a hub may
drop a subscription silently, and Blogger's hub pushes only new entries).
A delivery is believed only if its HMAC signature (X-Hub-Signature, sha1 or
sha256 as the hub chooses) matches the secret we gave the hub; anything
else is answered 2xx as the spec asks and dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from typing import Awaitable, Callable, Mapping
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp import web

from services.fetcher.errors import FetchError
from services.fetcher.state import FetcherState, Subscription

log = logging.getLogger("jikenbo.fetcher")

Delivery = Callable[[str, bytes, Mapping[str, str]], Awaitable[None]]
RENEW_FRACTION = 0.1  # renew when less than a tenth of the lease is left
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` ("sha256=hex") is the HMAC of `body` under `secret`."""
    if not header or "=" not in header:
        return False
    method, _, given = header.partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def needs_renewal(sub: Subscription | None, hub: str, topic: str, now: float, lease: float) -> bool:
    """Subscribe (again) when there is none, it moved, it was never verified in time, or its lease runs out."""
    if sub is None or sub.hub != hub or sub.topic != topic:
        return True
    if not sub.verified:
        return now - sub.requested_at > 3600  # the hub never called back: ask again after an hour
    if sub.lease_expires is None:
        return False
    return sub.lease_expires - now < max(60.0, lease * RENEW_FRACTION)


class WebSub:
    """The subscriber side: a callback server plus subscription requests through the shared client."""

    def __init__(
        self, state: FetcherState, session: aiohttp.ClientSession, callback_base: str, lease: float, deliver: Delivery,
        max_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.state = state
        self.session = session
        self.callback_base = callback_base.rstrip("/")
        self.lease = lease
        self.deliver = deliver
        self.max_bytes = max_bytes
        self.rejected = 0

    def callback_url(self, feed: str) -> str:
        return f"{self.callback_base}/{quote(feed, safe='')}"

    def app(self) -> web.Application:
        """Routes under the path of the callback URL, as the hub will call it (a proxy may sit in front)."""
        app = web.Application(client_max_size=self.max_bytes)
        path = urlsplit(self.callback_base).path.rstrip("/") + "/{feed}"
        app.router.add_get(path, self.verify)
        app.router.add_post(path, self.receive)
        return app

    async def ensure(self, feed: str, hub: str, topic: str) -> None:
        """Subscribe unless a current subscription for this hub and topic exists."""
        if not needs_renewal(self.state.subscription(feed), hub, topic, time.time(), self.lease):
            return
        sub = Subscription(feed=feed, hub=hub, topic=topic, secret=secrets.token_hex(20), requested_at=time.time())
        self.state.save_subscription(sub)
        form = {
            "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": self.callback_url(feed),
            "hub.secret": sub.secret, "hub.lease_seconds": str(int(self.lease)),
        }
        try:
            async with self.session.post(hub, data=form) as response:
                if response.status >= 300:
                    raise FetchError(f"hub {hub} refused the subscription: HTTP {response.status}")
        except aiohttp.ClientError as exc:
            raise FetchError(f"cannot reach hub {hub}: {exc.__class__.__name__}") from None
        log.info("feed %s: subscription requested at %s", feed, hub, extra={"feed": feed})

    async def verify(self, request: web.Request) -> web.Response:
        """Echo the challenge for a subscription we asked for; 404 for anything else."""
        feed = request.match_info["feed"]
        query = request.query
        sub = self.state.subscription(feed)
        if sub is None or query.get("hub.topic") != sub.topic or "hub.challenge" not in query:
            return web.Response(status=404, text="unknown subscription")
        if query.get("hub.mode") == "denied":
            log.warning("feed %s: hub denied the subscription: %s", feed, query.get("hub.reason", "no reason given"))
            return web.Response(text="ok")
        if query.get("hub.mode") == "subscribe":
            lease = float(query.get("hub.lease_seconds") or self.lease)
            sub.verified, sub.lease_expires = True, time.time() + lease
            self.state.save_subscription(sub)
            log.info("feed %s: subscription verified for %.0f s", feed, lease, extra={"feed": feed})
        return web.Response(text=query["hub.challenge"])

    async def receive(self, request: web.Request) -> web.Response:
        """A delivery: publish it if signed with our secret, drop it otherwise (still 2xx)."""
        feed = request.match_info["feed"]
        sub = self.state.subscription(feed)
        body = await request.read()
        if sub is None or not signature_ok(sub.secret, body, request.headers.get("X-Hub-Signature")):
            self.rejected += 1
            log.warning("feed %s: WebSub delivery with a missing or bad signature dropped", feed, extra={"feed": feed})
            return web.Response(status=202, text="ignored")
        await self.deliver(feed, body, dict(request.headers))
        return web.Response(status=202, text="accepted")
