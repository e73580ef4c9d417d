"""Webhook deliveries as a receiver sees them: one envelope, Standard Webhooks signatures, Retry-After honoured."""

from __future__ import annotations

import base64
import time
from email.utils import formatdate
from typing import Any, AsyncIterator

import pytest
from aiohttp import ClientSession, web
from standardwebhooks import Webhook, WebhookVerificationError

from services.alerter.channels import DeliveryError
from services.alerter.channels import http as channel_http
from services.common.retry_after import seconds_to_wait as retry_after
from services.alerter.channels.slack import SlackSender
from services.alerter.channels.webhook import EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookSender, verify
from services.alerter.settings import ChannelSettings
from tests.unit.alerter.test_channels_and_format import alert

STANDARD_SECRET = "whsec_" + base64.b64encode(b"a key of thirty-two bytes, yes!!").decode()


class Receiver:
    """A local endpoint answering with the statuses (and headers) it is given, then 200."""

    def __init__(self, answers: list[tuple[int, dict[str, str]]]) -> None:
        self.answers = answers
        self.calls: list[tuple[float, dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((time.monotonic(), dict(request.headers), await request.read()))
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        return web.Response(status=status, headers=headers)


@pytest.fixture
async def served() -> AsyncIterator[Any]:
    runners = []

    async def serve(receiver: Receiver) -> str:
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/hook"

    yield serve
    for runner in runners:
        await runner.cleanup()


def webhook(url: str, signing: str = "jikenbo", secret: str = "s3cret") -> ChannelSettings:
    return ChannelSettings(name="hook", type="webhook", url=url, secret=secret, signing=signing)


async def test_standard_webhooks_verifier_accepts_a_real_delivery_and_rejects_a_tampered_one(served: Any) -> None:
    receiver, sent = Receiver([]), alert()
    url = await served(receiver)
    async with ClientSession() as session:
        await WebhookSender(webhook(url, "standard", STANDARD_SECRET), session).send([sent], digest=False)
    _, headers, body = receiver.calls[0]
    payload = Webhook(STANDARD_SECRET).verify(body, headers)
    assert payload == {"version": 1, "event": "alerts", "digest": False, "alerts": [sent]}
    assert headers[EVENT_HEADER] == "alerts" and headers["webhook-id"] == sent["alert_id"]
    tampered = body.replace(b'"digest":false', b'"digest":true')
    assert tampered != body
    with pytest.raises(WebhookVerificationError):
        Webhook(STANDARD_SECRET).verify(tampered, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"another key").decode()).verify(body, headers)


async def test_a_digest_has_the_same_envelope_and_the_jikenbo_signature_still_verifies(served: Any) -> None:
    receiver = Receiver([])
    url = await served(receiver)
    first = alert()
    alerts = [first, {**first, "alert_id": "second"}]
    async with ClientSession() as session:
        await WebhookSender(webhook(url), session).send(alerts, digest=True)
    _, headers, body = receiver.calls[0]
    assert verify("s3cret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify("s3cret", headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])
    from services.common import serde

    assert serde.loads(body) == {"version": 1, "event": "alerts", "digest": True, "alerts": alerts}


async def test_429_with_retry_after_2_delays_the_next_attempt_by_at_least_2_seconds(served: Any) -> None:
    receiver = Receiver([(429, {"Retry-After": "2"})])
    url = await served(receiver)
    async with ClientSession() as session:
        await WebhookSender(webhook(url), session).send([alert()], digest=False)
    assert len(receiver.calls) == 2
    assert receiver.calls[1][0] - receiver.calls[0][0] >= 2.0


async def test_slack_honours_an_http_date_and_gives_up_after_its_patient_attempts(served: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channel_http, "FIRST_WAIT", 0.05)
    receiver = Receiver([(503, {"Retry-After": formatdate(time.time() + 1, usegmt=True)}), (503, {}), (503, {}), (503, {})])
    url = await served(receiver)
    slack = ChannelSettings(name="slack", type="slack", url=url)
    async with ClientSession() as session:
        with pytest.raises(DeliveryError) as failed:
            await SlackSender(slack, session).send([alert()], digest=False)
    assert not failed.value.permanent and len(receiver.calls) == channel_http.PATIENT_ATTEMPTS
    assert receiver.calls[1][0] - receiver.calls[0][0] > 0.0  # waited for the date (whole seconds: up to 1 s)
    assert receiver.calls[2][0] - receiver.calls[1][0] >= 0.1  # then jittered exponential backoff: 0.05 s, 0.1 s


async def test_a_retry_after_beyond_the_cap_is_left_to_the_dispatcher(served: Any) -> None:
    receiver = Receiver([(429, {"Retry-After": "3600"})])
    url = await served(receiver)
    async with ClientSession() as session:
        with pytest.raises(DeliveryError) as failed:
            await WebhookSender(webhook(url), session).send([alert()], digest=False)
    assert failed.value.retry_after == 3600 and len(receiver.calls) == 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = 1_700_000_000.0
    assert retry_after("2", now) == 2.0
    assert retry_after(formatdate(now + 30, usegmt=True), now) == 30.0
    assert retry_after(formatdate(now - 30, usegmt=True), now) == 0.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None and retry_after("-1", now) is None


def test_standard_signing_needs_a_whsec_secret(tmp_path: Any) -> None:
    from services.alerter.settings import load_settings
    from services.common.config import load_config
    from services.common.errors import ConfigError

    path = tmp_path / "jikenbo.toml"
    path.write_text('[channels.h]\ntype = "webhook"\nurl = "https://h.example/"\nsecret_env = "S"\nsigning = "standard"\n')
    config = load_config(path, env={})
    assert load_settings(config, env={"S": STANDARD_SECRET}).channels["h"].signing == "standard"
    with pytest.raises(ConfigError, match=r"jikenbo\.toml:5: channels\.h\.signing: .*whsec_<base64>"):
        load_settings(config, env={"S": "not base64!"})
