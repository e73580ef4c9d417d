"""Slack incoming webhook: a short Japanese summary a person reads at a glance."""

from __future__ import annotations

from typing import Any

import aiohttp

from services.alerter.channels.http import post
from services.alerter.alert_text import digest_lines, summary_lines
from services.alerter.settings import ChannelSettings
from services.common import serde


def escape(text: str) -> str:
    """Slack's three control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(alerts: list[dict[str, Any]], digest: bool) -> dict[str, Any]:
    """The incoming-webhook JSON: a bold headline, then the details and link."""
    lines = digest_lines(alerts) if digest else summary_lines(alerts[0])
    head, rest = escape(lines[0]), [escape(line) for line in lines[1:]]
    return {"text": "\n".join([f"*{head}*", *rest]), "unfurl_links": False}


class SlackSender:
    def __init__(self, settings: ChannelSettings, session: aiohttp.ClientSession) -> None:
        assert settings.url
        self.settings = settings
        self.session = session

    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None:
        assert self.settings.url
        body = serde.dumps(payload(alerts, digest))
        await post(self.session, self.settings.url, body, {"Content-Type": "application/json"}, self.settings.timeout)
