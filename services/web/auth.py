"""Who may read: anyone on this machine by default, everyone else only with the access token.

On a loopback address the view needs no token (unless one is configured);
bound to any other address it refuses to start without one, or makes one and
prints it once. The token is compared in constant time (hmac.compare_digest).
A browser brings it once as `?token=…` and keeps it in a cookie (HttpOnly,
SameSite=Strict); other tools send `Authorization: Bearer …`.

Without a token, requests must name a loopback host: a web page elsewhere
cannot point its own name at 127.0.0.1 (DNS rebinding) and read the archive
through the browser of someone running the view.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Awaitable, Callable

from aiohttp import web
from yarl import URL

COOKIE = "jikenbo_web_token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses; a name that must be resolved is not loopback."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def required_token(host: str, configured: str | None) -> tuple[str | None, bool]:
    """The token the server will require (None: none) and whether it was generated here (print it once)."""
    if configured:
        return configured, False
    if is_loopback(host):
        return None, False
    return secrets.token_urlsafe(24), True


def matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def presented(request: web.Request) -> str | None:
    """The token a request brings, from the Authorization header, the query or the cookie."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer "):].strip()
    return request.query.get("token") or request.cookies.get(COOKIE)


def token_middleware(token: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not matches(presented(request), token):
            raise web.HTTPUnauthorized(text="jikenbo web: an access token is required (?token=… or Authorization: Bearer …)\n",
                                       headers={"WWW-Authenticate": 'Bearer realm="jikenbo"'})
        if "token" in request.query:
            # Keep the token out of the address bar, history and shared links: cookie, then the same URL without it.
            clean = request.rel_url.with_query([(k, v) for k, v in request.query.items() if k != "token"])
            response = web.HTTPSeeOther(str(clean))
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
            raise response
        return await handler(request)

    return check


@web.middleware
async def loopback_host_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    host = URL(f"http://{request.host}").host or ""
    if not is_loopback(host):
        raise web.HTTPMisdirectedRequest(text=f"jikenbo web: this view answers only to a loopback host name, not {host!r}\n")
    return await handler(request)
