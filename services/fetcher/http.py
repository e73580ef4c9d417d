"""HTTP for feeds: one shared aiohttp session, conditional GET, a size cap.

Knows nothing about feeds or entries (STYLE.md): it turns a URL plus the
validators from the last poll into bytes, or into a `FetchError` whose
message can be shown to the user as it is.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import aiohttp

from services.common.config import FetcherConfig
from services.fetcher.errors import FetchError, RateLimited, RefusedAddress, TooLarge

USER_AGENT = "jikenbo/{version} (+{contact})"
_CHUNK = 64 * 1024


@dataclass
class FetchResult:
    """What one GET produced; `not_modified` means 304 and an empty body."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_session(config: FetcherConfig, version: str = "0.1.0") -> aiohttp.ClientSession:
    """The one session all feeds share, with timeouts and an honest User-Agent."""
    timeout = aiohttp.ClientTimeout(
        total=config.total_timeout, sock_connect=config.connect_timeout, sock_read=config.read_timeout
    )
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=4, ttl_dns_cache=300)
    headers = {
        "User-Agent": USER_AGENT.format(version=version, contact=config.contact_url),
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
    }
    return aiohttp.ClientSession(timeout=timeout, connector=connector, headers=headers)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


async def check_address(url: str, allow_private: bool) -> None:
    """Refuse URLs whose host resolves to loopback, private or link-local addresses."""
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified:
            raise RefusedAddress(
                f"{host} resolves to {address}, a private or loopback address; "
                "set fetcher.allow_private_networks = true to allow it"
            )


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    config: FetcherConfig,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """GET `url` with validators; raise `FetchError` with a one-line reason on failure."""
    await check_address(url, config.allow_private_networks)
    request_headers = dict(headers or {})
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    host = urlsplit(url).hostname
    try:
        async with session.get(url, headers=request_headers, max_redirects=config.max_redirects) as response:
            result = FetchResult(
                url=str(response.url),
                status=response.status,
                headers={k: v for k, v in response.headers.items()},
                etag=response.headers.get("ETag") or etag,
                last_modified=response.headers.get("Last-Modified") or last_modified,
            )
            if response.status == 304:
                return result
            if response.status in (429, 503):
                wait = parse_retry_after(response.headers.get("Retry-After"))
                hint = f", retry after {wait:.0f}s" if wait is not None else ""
                raise RateLimited(f"HTTP {response.status} from {host}{hint}", retry_after=wait, status=response.status)
            if response.status >= 400:
                raise FetchError(f"HTTP {response.status} {response.reason or ''} from {host}".strip(), status=response.status)
            result.body = await _read_capped(response, config.max_bytes, host)
            return result
    except aiohttp.TooManyRedirects:
        raise FetchError(f"more than {config.max_redirects} redirects from {host}") from None
    except aiohttp.ClientConnectorError as exc:
        raise FetchError(f"cannot connect to {host}: {exc.os_error.strerror or exc.os_error}") from None
    except aiohttp.ClientPayloadError as exc:
        raise FetchError(f"broken response from {host}: {exc}") from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"request to {host} failed: {exc.__class__.__name__}: {exc}") from None
    except asyncio.TimeoutError:
        raise FetchError(f"timed out fetching from {host}") from None


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int, host: str | None) -> bytes:
    """Read the body, aborting as soon as it passes `max_bytes` (decompressed)."""
    declared = response.content_length
    if declared is not None and declared > max_bytes and "Content-Encoding" not in response.headers:
        raise TooLarge(f"response from {host} is {declared} bytes, over the {max_bytes}-byte cap")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"response from {host} is over the {max_bytes}-byte cap; poll abandoned")
        chunks.append(chunk)
    return b"".join(chunks)
