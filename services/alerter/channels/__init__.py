"""Delivery channels: turn alerts into a webhook POST, a Slack message, an e-mail or a JSON line.

Each sender has one coroutine, `send(alerts, digest)`, which either returns
(delivered) or raises `DeliveryError` with a reason and whether trying again
could help. Retries, backoff, rate limits and digests are the dispatcher's
job (`services.alerter.dispatch`), not the senders'.
"""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp

from services.alerter.settings import ChannelSettings


class DeliveryError(Exception):
    """A delivery failed; `permanent` means retrying the same message cannot help.

    `retry_after`: the seconds the receiver asked for (`Retry-After`), when it did.
    """

    def __init__(self, reason: str, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None: ...


def make_sender(settings: ChannelSettings, session: aiohttp.ClientSession) -> Sender:
    """The sender for a channel's `type`."""
    from services.alerter.channels.email import EmailSender
    from services.alerter.channels.jsonl import JsonlSender
    from services.alerter.channels.slack import SlackSender
    from services.alerter.channels.webhook import WebhookSender

    if settings.type == "webhook":
        return WebhookSender(settings, session)
    if settings.type == "slack":
        return SlackSender(settings, session)
    if settings.type == "email":
        return EmailSender(settings)
    return JsonlSender(settings)
