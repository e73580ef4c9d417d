"""`[alerter]`/`[channels]` settings, secrets, and hot reload that keeps the last good subscriptions."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from services.alerter.settings import load_settings
from services.alerter.reloading import ReloadingSubscriptions
from services.common.config import load_config
from services.common.errors import ConfigError

CHANNELS = """
[channels.soc]
type = "webhook"
url = "https://soc.example/hook"
secret_env = "SOC_SECRET"
retries = 3
backoff = "500ms"
rate_limit = "10/1m"

[channels.team]
type = "email"
host = "smtp.example"
port = 2525
starttls = false
username = "jikenbo"
password_file = "{password}"
from = "jikenbo@example.jp"
to = ["soc@example.jp"]
digest = "15m"
"""


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jikenbo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_channels_read_secrets_from_env_and_file_and_never_show_them(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("hunter2\n")
    config = load_config(write_config(tmp_path, CHANNELS.format(password=tmp_path / "pw")), env={})
    settings = load_settings(config, env={"SOC_SECRET": "s3cret"})
    soc, team = settings.channels["soc"], settings.channels["team"]
    assert (soc.secret, soc.retries, soc.backoff, soc.rate_limit) == ("s3cret", 3, 0.5, (10, 60.0))
    assert (team.password, team.port, team.starttls, team.digest) == ("hunter2", 2525, False, 900.0)
    assert "s3cret" not in repr(settings) and "hunter2" not in repr(settings)


def test_missing_secret_env_names_the_variable_and_line(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, CHANNELS.format(password=tmp_path / "pw")), env={})
    with pytest.raises(ConfigError, match=r"jikenbo.toml:5: channels.soc.secret_env: environment variable SOC_SECRET is not set"):
        load_settings(config, env={})


def test_unknown_channel_key_names_its_line(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, '[channels.f]\ntype = "jsonl"\npath = "x.jsonl"\nretires = 3\n'), env={})
    with pytest.raises(ConfigError, match=r"jikenbo.toml:4: channels.f.retires: unknown key"):
        load_settings(config, env={})


GOOD = '[[subscriptions]]\nname = "hospitals"\nsectors = ["医療"]\n'
BAD = '[[subscriptions]]\nname = "hospitals"\nsectors = ["医療"]\n\n[[subscriptions]]\nname = "typo"\nincident_types = ["ransom"]\n'


def test_malformed_file_keeps_the_last_good_subscriptions(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    subs = tmp_path / "subs.toml"
    subs.write_text(GOOD, encoding="utf-8")
    config = load_config(write_config(tmp_path, f'[alerter]\nsubscriptions_file = "{subs}"\n'), env={})
    in_force = ReloadingSubscriptions(config, ())
    assert [s.name for s in in_force.index.subscriptions] == ["hospitals"]

    subs.write_text(BAD, encoding="utf-8")
    os.utime(subs, ns=(1, 1))  # a different mtime even on coarse clocks
    with caplog.at_level(logging.ERROR):
        assert in_force.refresh() is False
    assert "subs.toml:7: subscriptions #2 (typo), field 'incident_types'" in caplog.text
    assert [s.name for s in in_force.index.subscriptions] == ["hospitals"]

    subs.write_text(GOOD + '\n[[subscriptions]]\nname = "ransomware"\nincident_types = ["ランサムウェア"]\n', encoding="utf-8")
    assert in_force.refresh() is True
    assert [s.name for s in in_force.index.subscriptions] == ["hospitals", "ransomware"]
    assert in_force.refresh() is False  # unchanged file: nothing to do


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    """deploy/subscriptions.example.toml: its subscriptions, and the channel tables it shows in comments."""
    from services.alerter.subscriptions import load_subscriptions_file

    example = Path(__file__).resolve().parents[3] / "deploy" / "subscriptions.example.toml"
    lines = example.read_text(encoding="utf-8").split("# The channels named above")[1].splitlines()
    tables = "\n".join(line[2:] for line in lines if line.startswith("# ") and not line.startswith("#   "))
    channels_toml = tables[tables.index("[channels."): tables.index("# Rate limit") if "# Rate limit" in tables else None]
    channels_toml = channels_toml.split("\nRate limit")[0]
    config = load_config(write_config(tmp_path, channels_toml), env={})
    env = {"JIKENBO_SOC_WEBHOOK_SECRET": "x", "JIKENBO_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X", "JIKENBO_SMTP_PASSWORD": "p"}
    settings = load_settings(config, env=env)
    subs = load_subscriptions_file(example, settings.channels)
    assert {c for s in subs for c in s.delivery_channels} <= set(settings.channels)


def test_sighup_reloads_subscriptions_and_names_what_needs_a_restart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from services.alerter.commands import hangup

    subs = tmp_path / "subs.toml"
    subs.write_text(GOOD, encoding="utf-8")
    path = write_config(tmp_path, f'[alerter]\nsubscriptions_file = "{subs}"\n\n[fetcher]\nmax_connections = 5\n')
    config = load_config(path)
    in_force = ReloadingSubscriptions(config, ())
    path.write_text(path.read_text(encoding="utf-8").replace("= 5", "= 6") + '\n[channels.f]\ntype = "jsonl"\npath = "f.jsonl"\n')
    subs.write_text(GOOD + '\n[[subscriptions]]\nname = "more"\nsectors = ["教育"]\n', encoding="utf-8")
    os.utime(subs, ns=(1, 1))
    with caplog.at_level(logging.INFO):
        hangup(str(path), config, in_force)
    assert [s.name for s in in_force.index.subscriptions] == ["hospitals", "more"]
    assert "takes effect after a restart: fetcher.max_connections, channels.f" in caplog.text

    path.write_text("[fetcher]\nmax_connections = 0\n")
    with caplog.at_level(logging.INFO):
        hangup(str(path), config, in_force)
    assert "configuration not re-read" in caplog.text and ":2: fetcher.max_connections: must be at least 1" in caplog.text
