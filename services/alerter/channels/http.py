"""One HTTP POST with a timeout, its outcome classified for the retry policy.

A 429 or 503 is the receiver asking for time: `Retry-After` (seconds or an
HTTP date) is honoured here, capped, with a little jitter so that senders
slowed down together do not come back together; without the header the wait
is a jittered exponential backoff. After `PATIENT_ATTEMPTS` the failure goes
to the dispatcher's retry policy like any other, `retry_after` attached.
"""

from __future__ import annotations

import asyncio
import random

import aiohttp

from services.alerter.channels import DeliveryError
from services.common.retry_after import seconds_to_wait

# Worth retrying: the server may be overloaded or restarting.
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
ASKING_FOR_TIME = {429, 503}
PATIENT_ATTEMPTS = 3  # POSTs of one send while the receiver answers 429/503
MAX_WAIT = 30.0  # a longer Retry-After is left to the dispatcher (a stopping alerter waits for a send in flight)
FIRST_WAIT = 1.0  # without Retry-After: 1 s, 2 s, ... each with jitter


def jittered(seconds: float) -> float:
    """At least `seconds`, plus up to 10 % (and at most 1 s) more."""
    return seconds + random.uniform(0.0, min(1.0, seconds * 0.1))


async def post(session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST `body`; raise `DeliveryError` (never naming the URL, which may hold a token)."""
    for attempt in range(1, PATIENT_ATTEMPTS + 1):
        try:
            async with session.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return
                reason = f"HTTP {response.status} {response.reason or ''}".strip()
                asked = seconds_to_wait(response.headers.get("Retry-After"))
                if response.status not in ASKING_FOR_TIME:
                    raise DeliveryError(reason, permanent=response.status not in RETRYABLE_STATUS)
        except asyncio.TimeoutError:
            raise DeliveryError(f"no answer within {timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"connection failed: {type(exc).__name__}") from None
        wait = asked if asked is not None else FIRST_WAIT * 2 ** (attempt - 1)
        if attempt == PATIENT_ATTEMPTS or wait > MAX_WAIT:
            raise DeliveryError(reason, retry_after=asked)
        await asyncio.sleep(jittered(wait))
