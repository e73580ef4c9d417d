"""WebSub push: subscribe at a feed's hub, answer its challenge, accept signed deliveries.

Push only shortens the wait; polling goes on as the fallback (a hub may
drop a subscription silently, and Blogger's hub pushes only new entries).
A delivery is believed only if its HMAC signature (X-Hub-Signature, sha1 or
sha256 as the hub chooses) matches the secret we gave the hub; anything
else is answered 2xx as the spec asks and dropped.

The hub URL comes from the feed, so requests to it go through the shared
session and its address policy and follow no redirect: `hub.secret` goes
to the hub's own checked address or nowhere. The hub's callbacks are
believed only for the request we last made (subscribe or unsubscribe) and
a lease that is a whole number of seconds (`granted_lease`); every value
taken from a callback is logged through `printable`
(services/common/logsetup.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
import time
from typing import Awaitable, Callable, Mapping
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp import web

from services.common.logsetup import printable
from services.fetcher.errors import FetchError
from services.fetcher.state import FetcherState, WebSubLease

log = logging.getLogger("jikenbo.fetcher")

PushHandler = Callable[[str, bytes, Mapping[str, str]], Awaitable[None]]  # takes a verified push: feed name, body, headers
RENEW_FRACTION = 0.1  # renew when less than a tenth of the lease is left
# A lease longer than a year is taken as a year: renewing early costs one request, a lease never renewed costs push.
MAX_LEASE = 366 * 86400
_LEASE = re.compile(r"0*[1-9][0-9]{0,11}")  # a positive whole number of seconds; longer digit runs are nonsense, not leases
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` ("sha256=hex") is the HMAC of `body` under `secret`."""
    if not header or "=" not in header or not header.isascii():  # compare_digest raises on non-ASCII text
        return False
    method, _, given = header.partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def needs_renewal(current: WebSubLease | None, hub: str, topic: str, now: float, lease: float) -> bool:
    """Subscribe (again) when there is no lease, it moved or was being cancelled, it was never verified in time, or it runs out."""
    if current is None or current.hub != hub or current.topic != topic or current.mode != "subscribe":
        return True
    if not current.verified:
        return now - current.requested_at > 3600  # the hub never called back: ask again after an hour
    if current.lease_expires is None:
        return False
    return current.lease_expires - now < max(60.0, lease * RENEW_FRACTION)


class WebSub:
    """The subscriber side: a callback server plus subscription requests through the shared client."""

    def __init__(
        self, state: FetcherState, session: aiohttp.ClientSession, callback_base: str, lease: float, deliver: PushHandler,
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
        """Subscribe unless a current lease for this hub and topic exists."""
        if not needs_renewal(self.state.lease(feed), hub, topic, time.time(), self.lease):
            return
        current = WebSubLease(feed=feed, hub=hub, topic=topic, secret=secrets.token_hex(20), requested_at=time.time())
        self.state.save_lease(current)
        await self.ask_hub(hub, {
            "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": self.callback_url(feed),
            "hub.secret": current.secret, "hub.lease_seconds": str(int(self.lease)),
        })
        log.info("feed %s: subscription requested at %s", feed, printable(hub), extra={"feed": feed})

    async def cancel(self, feed: str) -> None:
        """Unsubscribe a feed whose push was turned off; the pending request is recorded so that only it is confirmed."""
        current = self.state.lease(feed)
        if current is None or current.mode == "unsubscribe":
            return
        current.mode, current.requested_at = "unsubscribe", time.time()
        self.state.save_lease(current)
        await self.ask_hub(current.hub, {"hub.mode": "unsubscribe", "hub.topic": current.topic, "hub.callback": self.callback_url(feed)})
        log.info("feed %s: unsubscription requested at %s", feed, printable(current.hub), extra={"feed": feed})

    async def ask_hub(self, hub: str, form: dict[str, str]) -> None:
        """POST a (un)subscription request to the hub, following no redirect; raise `FetchError` with a one-line reason.

        The shared session refuses hubs on non-public addresses (RefusedAddress, naming the host).
        """
        try:
            async with self.session.post(hub, data=form, allow_redirects=False) as response:
                if 300 <= response.status < 400:
                    target = response.headers.get("Location", "nowhere")
                    raise FetchError(f"hub {hub} redirected the {form['hub.mode']} request to {target}; hub redirects are not followed")
                if response.status >= 400:
                    raise FetchError(f"hub {hub} refused the {form['hub.mode']} request: HTTP {response.status}")
        except aiohttp.ClientError as exc:
            raise FetchError(f"cannot reach hub {hub}: {exc.__class__.__name__}") from None
        except asyncio.TimeoutError:
            raise FetchError(f"hub {hub} did not answer in time") from None

    async def verify(self, request: web.Request) -> web.Response:
        """Echo the challenge for the request we last made for this feed; 404 for anything else."""
        feed = request.match_info["feed"]
        query = request.query
        mode = query.get("hub.mode")
        current = self.state.lease(feed)
        if current is None or query.get("hub.topic") != current.topic:
            return web.Response(status=404, text="unknown subscription")
        if mode == "denied":
            reason = query.get("hub.reason", "no reason given")
            log.warning("feed %s: hub denied the subscription: %s", printable(feed), printable(reason), extra={"feed": printable(feed)})
            return web.Response(text="ok")
        if mode != current.mode or "hub.challenge" not in query:
            log.warning(
                "feed %s: hub asked to confirm %s, but the pending request is %s; refused",
                printable(feed), printable(mode), current.mode, extra={"feed": printable(feed)},
            )
            return web.Response(status=404, text="no such request pending")
        if mode == "unsubscribe":
            self.state.drop_lease(feed)
            log.info("feed %s: unsubscribed", printable(feed), extra={"feed": printable(feed)})
            return web.Response(text=query["hub.challenge"])
        lease = self.granted_lease(feed, query.get("hub.lease_seconds"))
        if lease is None:
            return web.Response(status=404, text="hub.lease_seconds must be a positive whole number of seconds")
        current.verified, current.lease_expires = True, time.time() + lease
        self.state.save_lease(current)
        log.info("feed %s: subscription verified for %d s", printable(feed), lease, extra={"feed": printable(feed)})
        return web.Response(text=query["hub.challenge"])

    def granted_lease(self, feed: str, value: str | None) -> int | None:
        """The lease the hub granted, in seconds: ours if it names none, at most MAX_LEASE, None if it is not a lease.

        nan, inf, 1e300, negative or fractional values would make a lease
        that is never (or always) renewed; they refuse the verification.
        """
        if not value:
            return int(self.lease)
        if not _LEASE.fullmatch(value):
            log.warning(
                "feed %s: hub.lease_seconds=%s is not a positive whole number of seconds; verification refused",
                printable(feed), printable(value), extra={"feed": printable(feed)},
            )
            return None
        if int(value) > MAX_LEASE:
            log.info("feed %s: hub granted a lease of %s s; taken as %d s", printable(feed), value, MAX_LEASE, extra={"feed": printable(feed)})
        return min(int(value), MAX_LEASE)

    async def receive(self, request: web.Request) -> web.Response:
        """A delivery: publish it if signed with our secret, drop it otherwise (still 2xx)."""
        feed = request.match_info["feed"]
        current = self.state.lease(feed)
        body = await request.read()
        if current is None or not signature_ok(current.secret, body, request.headers.get("X-Hub-Signature")):
            self.rejected += 1
            log.warning(
                "feed %s: WebSub delivery with a missing or bad signature dropped", printable(feed), extra={"feed": printable(feed)}
            )
            return web.Response(status=202, text="ignored")
        await self.deliver(feed, body, dict(request.headers))
        return web.Response(status=202, text="accepted")
