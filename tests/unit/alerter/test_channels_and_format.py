"""What people and programs receive: signed webhooks, Slack text, e-mail, terminal lines; backfill policy."""

from __future__ import annotations

from typing import Any

import pytest

from services.alerter.alerts import build_alert, fingerprint
from services.alerter.channels.email import message
from services.alerter.channels.slack import payload
from services.alerter.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, request, verify
from services.alerter.decisions import Decision, deliveries, topics_for
from services.alerter.alert_text import terminal_line
from services.alerter.settings import ChannelSettings
from services.alerter.subscriptions import parse_subscription
from services.common.topics import Topics


def alert(origin: str = "live") -> dict[str, Any]:
    incident = {
        "incident_id": "i-1", "case_id": "2025-093", "organization": "静岡市生涯学習センター",
        "title": "サーバへの不正アクセスについて", "disclosed_on": "2025-03-04", "sector": "education",
        "incident_types": ["unauthorized_access", "ransomware"], "affected": {"count": 1200, "unit": "件", "text": "1,200件"},
        "data_types": [], "vendors": ["静岡情報処理センター"], "source": {"url": "https://x/p", "origin": origin},
    }
    return build_alert("suppliers", incident, [("vendors", "静岡情報処理センター")], "new", fingerprint(incident))


def test_webhook_signature_verifies_and_rejects_tampering_and_replay() -> None:
    body, headers = request("secret", [alert()], digest=False, now=1_700_000_000)
    ts, sig = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert sig.startswith("sha256=")
    assert verify("secret", ts, body, sig, now=1_700_000_010)
    assert not verify("secret", ts, body + b" ", sig, now=1_700_000_010)
    assert not verify("other", ts, body, sig, now=1_700_000_010)
    assert not verify("secret", ts, body, sig, now=1_700_009_999)  # too old: a replay


def test_slack_message_is_a_readable_japanese_summary() -> None:
    text = payload([alert()], digest=False)["text"]
    assert text.splitlines()[0] == "*【新規】静岡市生涯学習センター: 不正アクセス・ランサムウェア*"
    assert "件数: 1,200件" in text and "公表日: 2025-03-04" in text and "https://x/p" in text


def test_email_has_a_subject_and_the_summary() -> None:
    settings = ChannelSettings(name="m", type="email", host="h", sender="a@example.jp", recipients=("b@example.jp",))
    msg = message(settings, [alert()], digest=False)
    assert msg["Subject"] == "【新規】静岡市生涯学習センター: 不正アクセス・ランサムウェア"
    assert "分野: 教育" in msg.get_content()


def test_terminal_line_reads_in_one_glance() -> None:
    line = terminal_line(alert())
    assert "[suppliers] 新規 静岡市生涯学習センター | 不正アクセス・ランサムウェア | 教育 | 1,200件 | 2025-03-04 | https://x/p" in line
    assert line.endswith("(一致: 委託先・製品=静岡情報処理センター)")


@pytest.mark.parametrize(("policy", "expected"), [("silent", []), ("digest", [("ops", "digest")]), ("notify", [("ops", "each")])])
def test_backfilled_incidents_follow_the_backfill_policy(policy: str, expected: list[tuple[str, str]]) -> None:
    sub = parse_subscription({"name": "suppliers", "vendors": ["x"], "channels": ["kafka", "ops"], "backfill": policy})
    decision = Decision(sub, alert("backfill"), ("suppliers", "i-1", "fp", "id"))
    assert [(d.channel, d.mode) for d in deliveries(decision)] == expected


def test_live_incidents_go_to_every_channel_and_the_own_topic_when_asked() -> None:
    sub = parse_subscription({"name": "suppliers", "vendors": ["x"], "channels": ["ops", "mail"], "topic": True})
    decision = Decision(sub, alert(), ("suppliers", "i-1", "fp", "id"))
    assert [(d.channel, d.mode) for d in deliveries(decision)] == [("ops", "each"), ("mail", "each")]
    assert topics_for(decision, Topics("p")) == ["p.alerts", "p.alerts.suppliers"]
