"""Webhook: the alert JSON, POSTed and signed with HMAC-SHA256.

Headers (documented in deploy/subscriptions.example.toml):
- `X-Jikenbo-Timestamp`: Unix seconds when the request was signed.
- `X-Jikenbo-Signature`: `sha256=` + hex HMAC-SHA256 with the channel's secret
  over `<timestamp>.<body>`; a receiver recomputes it (see `verify`) and
  rejects old timestamps, so a captured request cannot be replayed later.
- `X-Jikenbo-Delivery`: the alert id (or, for a digest, a hash of its alert
  ids); the same delivery retried carries the same value.
A digest body is `{"kind": "digest", "alerts": [...]}`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import aiohttp

from services.alerter.channels.http import post
from services.alerter.settings import ChannelSettings
from services.common import serde

TIMESTAMP_HEADER = "X-Jikenbo-Timestamp"
SIGNATURE_HEADER = "X-Jikenbo-Signature"
DELIVERY_HEADER = "X-Jikenbo-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: float = 300.0, now: float | None = None) -> bool:
    """What a receiver does: a matching signature on a recent timestamp."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def delivery_id(alerts: list[dict[str, Any]]) -> str:
    if len(alerts) == 1:
        return str(alerts[0]["alert_id"])
    return hashlib.sha256("\x00".join(a["alert_id"] for a in alerts).encode()).hexdigest()[:32]


def request(secret: str, alerts: list[dict[str, Any]], digest: bool, now: float | None = None) -> tuple[bytes, dict[str, str]]:
    """Body and headers of one webhook call."""
    body = serde.dumps({"kind": "digest", "alerts": alerts} if digest else alerts[0])
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_HEADER: delivery_id(alerts),
    }
    return body, headers


class WebhookSender:
    def __init__(self, settings: ChannelSettings, session: aiohttp.ClientSession) -> None:
        assert settings.url and settings.secret
        self.settings = settings
        self.session = session

    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None:
        assert self.settings.url and self.settings.secret
        body, headers = request(self.settings.secret, alerts, digest)
        await post(self.session, self.settings.url, body, headers, self.settings.timeout)
