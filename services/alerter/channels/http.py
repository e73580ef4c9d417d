"""One HTTP POST with a timeout, its outcome classified for the retry policy."""

from __future__ import annotations

import asyncio

import aiohttp

from services.alerter.channels import DeliveryError

# Worth retrying: the server may be overloaded or restarting.
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


async def post(session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST `body`; raise `DeliveryError` (never naming the URL, which may hold a token)."""
    try:
        async with session.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.read()
            if 200 <= response.status < 300:
                return
            permanent = response.status not in RETRYABLE_STATUS
            raise DeliveryError(f"HTTP {response.status} {response.reason or ''}".strip(), permanent=permanent)
    except asyncio.TimeoutError:
        raise DeliveryError(f"no answer within {timeout:g}s") from None
    except aiohttp.ClientError as exc:
        raise DeliveryError(f"connection failed: {type(exc).__name__}") from None
