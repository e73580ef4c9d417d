"""Webhook: one JSON envelope for every delivery, POSTed and signed with HMAC-SHA256.

Body (the same shape for one alert and for a digest, like Alertmanager's):
`{"version": 1, "event": "alerts", "digest": false, "alerts": [<alert>, ...]}`,
each alert exactly as on the alerts topic (schemas/alert.schema.json).

Headers (README, "Webhooks"):
- `X-Jikenbo-Event-Type: alerts`, so a receiver can route before parsing.
- `X-Jikenbo-Delivery`: the alert id (or, for a digest, a hash of its alert
  ids); the same delivery retried carries the same value.
- with `signing = "jikenbo"` (the default): `X-Jikenbo-Timestamp` (Unix
  seconds) and `X-Jikenbo-Signature: sha256=` + hex HMAC-SHA256 with the
  channel's secret over `<timestamp>.<body>` (see `verify`);
- with `signing = "standard"`: Standard Webhooks (standardwebhooks.com)
  `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64
  HMAC-SHA256 over "<id>.<timestamp>.<body>">`, keyed by the base64 part of a
  `whsec_...` secret, which the maintained verifier libraries check.
A receiver rejects old timestamps, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import aiohttp

from services.alerter.channels.http import post
from services.alerter.settings import ChannelSettings
from services.common import serde

ENVELOPE_VERSION = 1
EVENT = "alerts"
EVENT_HEADER = "X-Jikenbo-Event-Type"
TIMESTAMP_HEADER = "X-Jikenbo-Timestamp"
SIGNATURE_HEADER = "X-Jikenbo-Signature"
DELIVERY_HEADER = "X-Jikenbo-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Jikenbo-Signature` value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: float = 300.0, now: float | None = None) -> bool:
    """What a receiver does: a matching signature on a recent timestamp."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def standard_key(secret: str) -> bytes:
    """The key of a Standard Webhooks secret, `whsec_` + base64 (padding optional); ValueError if it is not that."""
    text = secret.removeprefix("whsec_").rstrip("=")
    key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    if not key:
        raise ValueError("empty key")
    return key


def standard_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """The Standard Webhooks `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`."""
    mac = hmac.new(standard_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def delivery_id(alerts: list[dict[str, Any]]) -> str:
    if len(alerts) == 1:
        return str(alerts[0]["alert_id"])
    return hashlib.sha256("\x00".join(a["alert_id"] for a in alerts).encode()).hexdigest()[:32]


def envelope(alerts: list[dict[str, Any]], digest: bool) -> dict[str, Any]:
    """The body of every delivery: one shape whether it holds one alert or a digest."""
    return {"version": ENVELOPE_VERSION, "event": EVENT, "digest": digest, "alerts": alerts}


def request(secret: str, alerts: list[dict[str, Any]], digest: bool, now: float | None = None,
            signing: str = "jikenbo") -> tuple[bytes, dict[str, str]]:
    """Body and headers of one webhook call."""
    body = serde.dumps(envelope(alerts, digest))
    timestamp = str(int(time.time() if now is None else now))
    delivery = delivery_id(alerts)
    headers = {"Content-Type": "application/json", EVENT_HEADER: EVENT, DELIVERY_HEADER: delivery}
    if signing == "standard":
        headers |= {
            "webhook-id": delivery, "webhook-timestamp": timestamp,
            "webhook-signature": standard_signature(secret, delivery, timestamp, body),
        }
    else:
        headers |= {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}
    return body, headers


class WebhookSender:
    def __init__(self, settings: ChannelSettings, session: aiohttp.ClientSession) -> None:
        assert settings.url and settings.secret
        self.settings = settings
        self.session = session

    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None:
        assert self.settings.url and self.settings.secret
        body, headers = request(self.settings.secret, alerts, digest, signing=self.settings.signing)
        await post(self.session, self.settings.url, body, headers, self.settings.timeout)
