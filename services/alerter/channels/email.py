"""E-mail over SMTP (aiosmtplib): STARTTLS or implicit TLS, optional login."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib

from services.alerter.channels import DeliveryError
from services.alerter.channels.webhook import delivery_id
from services.alerter.alert_text import digest_lines, digest_subject, headline, summary_lines
from services.alerter.settings import ChannelSettings

# The server said no to this message for good: retrying sends the same refusal.
_PERMANENT = (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPAuthenticationError)


def message(settings: ChannelSettings, alerts: list[dict[str, Any]], digest: bool) -> EmailMessage:
    """A plain-text UTF-8 message; `X-Jikenbo-Delivery` lets a mail filter drop a resent copy."""
    msg = EmailMessage()
    msg["Subject"] = digest_subject(alerts) if digest else headline(alerts[0])
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="jikenbo")
    msg["X-Jikenbo-Delivery"] = delivery_id(alerts)
    lines = digest_lines(alerts)[1:] if digest else summary_lines(alerts[0])[1:]
    msg.set_content("\n".join(lines) + "\n\n-- \njikenbo\n")
    return msg


class EmailSender:
    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings

    async def send(self, alerts: list[dict[str, Any]], digest: bool) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                message(s, alerts, digest),
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.tls,
                start_tls=s.starttls,
                timeout=s.timeout,
            )
        except _PERMANENT as exc:
            raise DeliveryError(f"SMTP refused: {exc.code} {exc.message}", permanent=True) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP error: {exc.code} {exc.message}", permanent=exc.code >= 500) from None  # 4xx: try later
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise DeliveryError(f"SMTP failed: {type(exc).__name__}") from None
