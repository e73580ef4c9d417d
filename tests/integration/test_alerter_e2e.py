"""The alerter as a real process on the embedded broker, with a local webhook receiver and SMTP server."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

import schemas
from services.alerter.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.common import serde
from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.kafka import ensure_topics
from services.common.topics import Topics
from tests.kafka_helpers import read_topic, wait_for
from tests.processes import service_env, start, stop

pytestmark = pytest.mark.integration

SECRET = "test-webhook-secret"


class Receiver:
    """A webhook endpoint that fails the first `failures` requests, and a Slack endpoint."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.hook: list[tuple[dict[str, str], bytes, int]] = []
        self.slack: list[dict[str, Any]] = []

    async def handle_hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        status = 500 if self.failures > 0 else 200
        self.failures -= 1
        self.hook.append((dict(request.headers), body, status))
        return web.Response(status=status)

    async def handle_slack(self, request: web.Request) -> web.Response:
        self.slack.append(await request.json())
        return web.Response(text="ok")

    def delivered(self) -> list[dict[str, Any]]:
        return [alert for _, body, status in self.hook if status == 200 for alert in serde.loads(body)["alerts"]]

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle_hook)
        app.router.add_post("/slack", self.handle_slack)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}"


class Mailbox:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def __init__(self) -> None:
        self.messages: list[str] = []


def incident(incident_id: str, **changes: Any) -> dict[str, Any]:
    base = {
        "schema_version": 1, "kind": "incident", "incident_id": incident_id, "case_id": "2025-093",
        "organization": "静岡市生涯学習センター", "title": "サーバへの不正アクセスについて", "disclosed_on": "2025-03-04",
        "sector": "education", "incident_types": ["unauthorized_access"],
        "affected": {"count": 1200, "unit": "件", "text": "1,200件"}, "data_types": ["氏名"], "vendors": [], "iocs": [],
        "source": {"feed": "demo", "url": f"https://blog.example/{incident_id}", "post_id": incident_id, "published": None, "origin": "live"},
        "body": "委託先のサーバが攻撃を受けました。", "parser_version": "test",
    }
    base.update(changes)
    return base


SUBSCRIPTIONS = """
[[subscriptions]]
name = "suppliers"
vendors = ["静岡情報処理センター"]
channels = ["kafka", "hook", "mail", "file", "slack"]
topic = true

[[subscriptions]]
name = "hospitals"
sectors = ["医療"]
channels = ["file"]
"""


def write_config(tmp_path: Path, url: str, smtp_port: int, subscriptions: Path) -> Path:
    config = tmp_path / "jikenbo.toml"
    config.write_text(f"""
[broker]
partitions = 1

[alerter]
subscriptions_file = "{subscriptions}"
reload_interval = "200ms"

[channels.hook]
type = "webhook"
url = "{url}/hook"
secret_env = "TEST_HOOK_SECRET"
retries = 4
backoff = "200ms"
timeout = "5s"

[channels.slack]
type = "slack"
url = "{url}/slack"

[channels.mail]
type = "email"
host = "127.0.0.1"
port = {smtp_port}
starttls = false
from = "jikenbo@example.jp"
to = ["soc@example.jp"]

[channels.file]
type = "jsonl"
path = "{tmp_path / 'alerts.jsonl'}"
""", encoding="utf-8")
    return config


class Harness:
    """One alerter process (restartable) plus the means to feed it and watch it."""

    def __init__(self, broker: EmbeddedBroker, prefix: str, tmp_path: Path, config: Path) -> None:
        self.broker, self.topics, self.tmp_path = broker, Topics(prefix), tmp_path
        self.env = service_env(broker.url, tmp_path / "state", prefix, TEST_HOOK_SECRET=SECRET)
        self.args = ["alerter", "--config", str(config)]
        self.log = tmp_path / "alerter.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start(self.args, self.env, self.log)

    def kill(self) -> None:
        """A crash, not a shutdown: nothing gets to commit or clean up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def wait_log(self, text: str, timeout: float = 60, after: int = 0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log_text()[after:]:
            assert time.monotonic() < deadline, f"no {text!r} in the log:\n{self.log_text()[-3000:]}"
            await asyncio.sleep(0.1)

    async def publish(self, *incidents: dict[str, Any]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.broker.bootstrap)
        await producer.start()
        try:
            for item in incidents:
                await producer.send_and_wait(self.topics.incidents, serde.dumps(item), key=item["incident_id"].encode())
        finally:
            await producer.stop()

    async def alerts_until(self, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 60) -> list[dict[str, Any]]:
        alerts = await wait_for(self.broker.bootstrap, self.topics.alerts, done, timeout)
        assert done(alerts), f"alerts seen: {[(a['subscription'], a['incident']['incident_id']) for a in alerts]}\n{self.log_text()[-3000:]}"
        return alerts


def pairs(alerts: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((a["subscription"], a["incident"]["incident_id"], a["kind"]) for a in alerts)


def has(*incident_ids: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda alerts: set(incident_ids) <= {a["incident"]["incident_id"] for a in alerts}


async def eventually(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


async def test_each_match_alerts_once_across_redelivery_restart_and_a_flaky_webhook(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    receiver, mailbox = Receiver(failures=2), Mailbox()
    url = await receiver.start()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    subscriptions = tmp_path / "subscriptions.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    h = Harness(broker, prefix, tmp_path, write_config(tmp_path, url, smtp.port, subscriptions))
    await ensure_topics(broker.bootstrap, [h.topics.incidents, h.topics.alerts], 1)
    supplier = incident("sup-1", vendors=["株式会社静岡情報処理センター"])
    hospital = incident("hos-1", organization="市立病院", sector="healthcare")
    unrelated = incident("other-1")
    try:
        h.start()
        await h.publish(supplier, hospital, unrelated)
        await h.alerts_until(has("sup-1", "hos-1"))

        # The same incidents again, then a sentinel behind them on the single partition.
        await h.publish(supplier, hospital, unrelated, incident("hos-2", sector="healthcare"))
        await h.alerts_until(has("hos-2"))

        # A crash and a restart; Kafka redelivers whatever was not committed, and we publish again.
        h.kill()
        h.start()
        await h.publish(supplier, hospital, incident("hos-3", sector="healthcare"))
        await h.alerts_until(has("hos-3"))

        # What the subscriber sees changed: one update alert, once.
        grown = incident("sup-1", vendors=["株式会社静岡情報処理センター"], affected={"count": 5000, "unit": "件", "text": "5,000件"})
        await h.publish(grown, grown)
        alerts = await h.alerts_until(lambda seen: any(a["kind"] == "update" for a in seen))

        # Backfilled incidents reach the topic but page nobody (hospitals: backfill = "silent" by default).
        replayed = incident("hos-old", sector="healthcare")
        replayed["source"] = {**replayed["source"], "origin": "backfill"}
        await h.publish(replayed, incident("hos-4", sector="healthcare"))
        alerts = await h.alerts_until(has("hos-old", "hos-4"))

        jsonl_path = tmp_path / "alerts.jsonl"
        await eventually(lambda: jsonl_path.exists() and "hos-4" in jsonl_path.read_text())
        await eventually(lambda: len(receiver.delivered()) == 2 and len(mailbox.messages) == 2 and len(receiver.slack) == 2)
        own_topic = [v for _, v in await read_topic(broker.bootstrap, h.topics.subscription_alerts("suppliers"))]
        jsonl = [serde.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    finally:
        if h.process:
            stop(h.process)
        smtp.stop()
        await receiver.runner.cleanup()

    assert pairs(alerts) == [
        ("hospitals", "hos-1", "new"), ("hospitals", "hos-2", "new"), ("hospitals", "hos-3", "new"),
        ("hospitals", "hos-4", "new"), ("hospitals", "hos-old", "new"),
        ("suppliers", "sup-1", "new"), ("suppliers", "sup-1", "update"),
    ], h.log_text()[-3000:]
    assert [a["origin"] for a in alerts if a["incident"]["incident_id"] == "hos-old"] == ["backfill"]
    for alert in alerts:
        schemas.validate("alert", alert)
    assert [a["alert_id"] for a in own_topic] == [a["alert_id"] for a in alerts if a["subscription"] == "suppliers"]

    # The webhook failed twice, then took each alert exactly once, signed.
    assert [status for _, _, status in receiver.hook] == [500, 500, 200, 200]
    assert [a["kind"] for a in receiver.delivered()] == ["new", "update"]
    for headers, body, _ in receiver.hook:
        assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert "【新規】静岡市生涯学習センター: 不正アクセス" in receiver.slack[0]["text"]
    assert "Subject: =?utf-8?" in mailbox.messages[0] or "静岡市生涯学習センター" in mailbox.messages[0]
    assert sorted((a["subscription"], a["incident"]["incident_id"], a["kind"]) for a in jsonl) == [
        p for p in pairs(alerts) if p[1] != "hos-old"
    ]
    assert SECRET not in h.log_text()


async def test_a_malformed_subscriptions_file_keeps_the_previous_subscriptions_working(
    broker: EmbeddedBroker, prefix: str, tmp_path: Path
) -> None:
    subscriptions = tmp_path / "subscriptions.toml"
    subscriptions.write_text('[[subscriptions]]\nname = "hospitals"\nsectors = ["医療"]\n', encoding="utf-8")
    config = tmp_path / "jikenbo.toml"
    config.write_text(f'[broker]\npartitions = 1\n\n[alerter]\nsubscriptions_file = "{subscriptions}"\nreload_interval = "200ms"\n')
    h = Harness(broker, prefix, tmp_path, config)
    await ensure_topics(broker.bootstrap, [h.topics.incidents, h.topics.alerts], 1)
    try:
        h.start()
        await h.wait_log("alerter ready")
        subscriptions.write_text('[[subscriptions]]\nname = "hospitals"\nsectors = ["病院"]\n', encoding="utf-8")
        await h.wait_log("subscriptions not reloaded")
        await h.publish(incident("hos-1", sector="healthcare"))
        await h.alerts_until(has("hos-1"))

        subscriptions.write_text(
            '[[subscriptions]]\nname = "hospitals"\nsectors = ["医療"]\n\n'
            '[[subscriptions]]\nname = "ransomware"\nincident_types = ["ランサムウェア"]\n', encoding="utf-8"
        )
        await h.wait_log("subscriptions reloaded")
        await h.publish(incident("ran-1", incident_types=["ransomware"]))
        alerts = await h.alerts_until(has("ran-1"))
    finally:
        if h.process:
            stop(h.process)
    assert "subscriptions.toml:3: subscriptions #1 (hospitals), field 'sectors': unknown value '病院'" in h.log_text()
    assert pairs(alerts) == [("hospitals", "hos-1", "new"), ("ransomware", "ran-1", "new")]
