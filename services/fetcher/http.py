"""HTTP for feeds: one shared session, politeness per host, conditional GET, a size cap.

Knows nothing about feeds or entries (docs/ARCHITECTURE.md, "Conventions"): it turns a URL plus the
validators from the last poll into bytes, or into a `FetchError` whose
message can be shown to the user as it is. Redirects are followed here, one
hop at a time, so that every hop waits its turn at its own host and the
headers configured for a feed go no further than its origin. The address
policy (services.fetcher.addresses) sits in the session itself.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from services.common.config import FetcherConfig
from services.common.retry_after import seconds_to_wait
from services.fetcher.addresses import PublicOnlyResolver, refuse_private_literal
from services.fetcher.errors import FetchError, RateLimited, TooLarge

USER_AGENT = "jikenbo/{version} (+{contact})"
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class FetchResult:
    """What one GET produced; `not_modified` means 304 and an empty body."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # HTTP Link header, rel -> URL (WebSub hub, self)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_session(config: FetcherConfig, version: str = "0.1.0") -> aiohttp.ClientSession:
    """The one session for every request made from feed data (feeds, redirects, WebSub hubs).

    It has timeouts, an honest User-Agent and, unless
    `allow_private_networks` is set, the address policy: the system
    resolver (getaddrinfo, /etc/hosts included) behind `PublicOnlyResolver`,
    and a middleware for IP literals. aiohttp asks for brotli as well as
    gzip when the `brotli` package is installed (it is a dependency).
    """
    timeout = aiohttp.ClientTimeout(
        total=config.total_timeout, sock_connect=config.connect_timeout, sock_read=config.read_timeout
    )
    guarded = not config.allow_private_networks
    connector = aiohttp.TCPConnector(
        limit=config.max_connections, limit_per_host=config.per_host_concurrency, ttl_dns_cache=300,
        resolver=PublicOnlyResolver(ThreadedResolver()) if guarded else None,
    )
    headers = {
        "User-Agent": USER_AGENT.format(version=version, contact=config.contact_url),
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
    }
    return aiohttp.ClientSession(
        timeout=timeout, connector=connector, headers=headers, auto_decompress=True,
        middlewares=(refuse_private_literal,) if guarded else (),
    )


class HostGate:
    """Per-host politeness: at most `concurrency` requests in flight, `min_delay` apart.

    Each request reserves the next free start time of its host before it
    sleeps, so waiting requests queue in order without a lock.
    """

    def __init__(self, concurrency: int, min_delay: float) -> None:
        self.min_delay = min_delay
        self._slots: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(max(1, concurrency)))
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        async with self._slots[host]:
            loop = asyncio.get_running_loop()
            now = loop.time()
            start = max(now, self._next_start.get(host, 0.0))
            self._next_start[host] = start + self.min_delay
            if start > now:
                await asyncio.sleep(start - now)
            yield


def keeps_feed_headers(source: str, target: str) -> bool:
    """Whether the headers configured for a feed (Authorization, cookies) may follow a redirect.

    Only within the origin (scheme, host, port), or to the same host moved
    from http to https on the default ports; never to another host or port,
    never from https down to http.
    """
    a, b = URL(source), URL(target)
    if (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port):
        return True
    return a.host == b.host and (a.scheme, a.port, b.scheme, b.port) == ("http", 80, "https", 443)


class HttpClient:
    """GETs with the session, the politeness gate and the limits of one `FetcherConfig`."""

    def __init__(self, session: aiohttp.ClientSession, config: FetcherConfig) -> None:
        self.session = session
        self.config = config
        self.gate = HostGate(config.per_host_concurrency, config.per_host_delay)

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, headers: dict[str, str] | None = None
    ) -> FetchResult:
        """GET `url` with validators and the feed's `headers`, following redirects; raise `FetchError` with a one-line reason.

        The validators go wherever the redirects lead; `headers` are dropped
        for good at the first hop `keeps_feed_headers` refuses.
        """
        validators: dict[str, str] = {}
        if etag:
            validators["If-None-Match"] = etag
        if last_modified:
            validators["If-Modified-Since"] = last_modified
        configured = dict(headers or {})
        seen = {url}
        for _ in range(self.config.max_redirects + 1):
            result = await self._get_once(url, {**configured, **validators}, etag, last_modified)
            if isinstance(result, FetchResult):
                return result
            if not keeps_feed_headers(url, result):
                configured = {}
            url = result
            if url in seen:
                raise FetchError(f"redirect loop at {url}")
            seen.add(url)
        raise FetchError(f"more than {self.config.max_redirects} redirects, last to {url}")

    async def _get_once(
        self, url: str, headers: dict[str, str], etag: str | None, last_modified: str | None
    ) -> FetchResult | str:
        """One request: a result, or the absolute URL a redirect points at."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"refusing to fetch {url}: only http and https are followed")
        host = urlsplit(url).hostname or ""
        try:
            async with self.gate.turn(host), self.session.get(url, headers=headers, allow_redirects=False) as response:
                if response.status in _REDIRECTS and "Location" in response.headers:
                    return urljoin(url, response.headers["Location"])
                result = FetchResult(
                    url=url,
                    status=response.status,
                    headers=dict(response.headers.items()),
                    etag=response.headers.get("ETag") or etag,
                    last_modified=response.headers.get("Last-Modified") or last_modified,
                    links={str(rel): str(link.get("url")) for rel, link in response.links.items() if link.get("url")},
                )
                if response.status == 304:
                    return result
                if response.status in (429, 503):
                    wait = seconds_to_wait(response.headers.get("Retry-After"))
                    hint = f", retry after {wait:.0f}s" if wait is not None else ""
                    raise RateLimited(f"HTTP {response.status} from {host}{hint}", retry_after=wait, status=response.status)
                if response.status >= 400:
                    raise FetchError(f"HTTP {response.status} {response.reason or ''} from {host}".strip(), status=response.status)
                result.body = await read_capped(response, self.config.max_bytes, host)
                return result
        except aiohttp.ConnectionTimeoutError:
            raise FetchError(f"connect to {host} timed out after {self.config.connect_timeout:g}s") from None
        except aiohttp.SocketTimeoutError:
            raise FetchError(f"{host} sent nothing for {self.config.read_timeout:g}s (read timeout)") from None
        except aiohttp.ClientConnectorDNSError as exc:
            raise FetchError(f"cannot resolve {host}: {exc.os_error.strerror or exc.os_error}") from None
        except aiohttp.ClientConnectorError as exc:
            raise FetchError(f"cannot connect to {host}: {exc.os_error.strerror or exc.os_error}") from None
        except aiohttp.ClientPayloadError as exc:
            raise FetchError(f"broken response from {host}: {exc}") from None
        except aiohttp.ClientError as exc:
            raise FetchError(f"request to {host} failed: {exc.__class__.__name__}: {exc}") from None
        except asyncio.TimeoutError:
            raise FetchError(f"{host} took longer than {self.config.total_timeout:g}s in total") from None


async def read_capped(response: aiohttp.ClientResponse, max_bytes: int, host: str | None) -> bytes:
    """Read the body, aborting as soon as it passes `max_bytes` (decompressed)."""
    declared = response.content_length
    if declared is not None and declared > max_bytes and "Content-Encoding" not in response.headers:
        raise TooLarge(f"response from {host} is {declared} bytes, over the {max_bytes}-byte cap; poll abandoned")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"response from {host} is over the {max_bytes}-byte cap; poll abandoned")
        chunks.append(chunk)
    return b"".join(chunks)
