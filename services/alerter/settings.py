"""The alerter's own configuration: `[alerter]` keys and `[channels.NAME]` tables.

Read from `Config.raw` with `ConfigReader`, so a mistake is reported with the
file and line like any other configuration error. Secrets (webhook secrets,
SMTP passwords, Slack webhook URLs) are read from an environment variable or
a file named in the config, never written in it, and never shown by `repr`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.common.config import Config, ConfigReader

CHANNEL_TYPES = ("webhook", "slack", "email", "jsonl")
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(.+)$")


@dataclass(frozen=True)
class ChannelSettings:
    """One delivery channel. Fields not used by its `type` keep their defaults."""

    name: str
    type: str
    url: str | None = field(default=None, repr=False)  # a Slack webhook URL is a secret too
    secret: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    retries: int = 5
    backoff: float = 2.0
    max_backoff: float = 300.0
    rate_limit: tuple[int, float] | None = None  # (messages, per seconds)
    digest: float | None = None  # seconds between digest messages
    host: str | None = None
    port: int = 587
    starttls: bool = True
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class AlerterSettings:
    """`[alerter]` and `[channels]`."""

    reload_interval: float = 2.0
    backfill_digest: float = 3600.0  # digest period for `backfill = "digest"` on channels without one
    outbox_retention: float = 30 * 86400.0  # delivered outbox rows are forgotten after this
    channels: dict[str, ChannelSettings] = field(default_factory=dict)


def load_settings(config: Config, env: dict[str, str] | None = None) -> AlerterSettings:
    """Parse and check `[alerter]` and `[channels.*]`; raise `ConfigError` naming the line."""
    env = dict(os.environ if env is None else env)
    reader = ConfigReader(config.source, config.text)
    alerter = reader.table(config.raw, "alerter")
    where = ("alerter", None)
    reload_interval = reader.duration(alerter, "reload_interval", 2.0, where)
    backfill_digest = reader.duration(alerter, "backfill_digest", 3600.0, where)
    outbox_retention = reader.duration(alerter, "outbox_retention", 30 * 86400.0, where)
    known = {"subscriptions_file", "reload_interval", "backfill_digest", "outbox_retention"}
    for key in alerter:
        if key not in known:
            reader.fail(f"unknown key (expected one of: {', '.join(sorted(known))})", "alerter", None, key)
    channels_table = reader.table(config.raw, "channels")
    channels = {name: _channel(reader, name, value, env) for name, value in channels_table.items()}
    return AlerterSettings(
        reload_interval=reload_interval, backfill_digest=backfill_digest, outbox_retention=outbox_retention, channels=channels
    )


def channel_names(config: Config) -> tuple[str, ...]:
    """The names of the `[channels.*]` tables (for checking subscriptions)."""
    channels = config.raw.get("channels", {})
    return tuple(channels) if isinstance(channels, dict) else ()


_COMMON = {"type", "timeout", "retries", "backoff", "max_backoff", "rate_limit", "digest"}
_KEYS = {
    "webhook": _COMMON | {"url", "secret_env", "secret_file"},
    "slack": _COMMON | {"url", "url_env", "url_file"},
    "email": _COMMON | {"host", "port", "starttls", "tls", "username", "password_env", "password_file", "from", "to"},
    "jsonl": _COMMON | {"path"},
}


def _channel(reader: ConfigReader, name: str, table: Any, env: dict[str, str]) -> ChannelSettings:
    section = f"channels.{name}"
    where = (section, None)
    if not isinstance(table, dict):
        reader.fail(f"expected a table [channels.{name}]", "channels", None, name)
    kind = reader.get(table, "type", str, None, where)
    if kind not in CHANNEL_TYPES:
        reader.fail(f"expected type one of {', '.join(CHANNEL_TYPES)}, got {kind!r}", section, None, "type")
    for key in table:
        if key not in _KEYS[kind]:
            reader.fail(f"unknown key for a {kind} channel (expected one of: {', '.join(sorted(_KEYS[kind]))})", section, None, key)
    retries = reader.get(table, "retries", int, 5, where, minimum=0)
    settings: dict[str, Any] = dict(
        name=name,
        type=kind,
        timeout=reader.duration(table, "timeout", 10.0, where),
        retries=retries,
        backoff=reader.duration(table, "backoff", 2.0, where),
        max_backoff=reader.duration(table, "max_backoff", 300.0, where),
        rate_limit=_rate(reader, table, section),
        digest=reader.duration(table, "digest", 0.0, where, positive=False) or None,
    )
    if kind == "webhook":
        settings["url"] = _url(reader, table, section, reader.get(table, "url", str, None, where))
        settings["secret"] = _secret(reader, table, section, "secret", env)
        if settings["secret"] is None:
            reader.fail("a webhook needs secret_env or secret_file (the HMAC key)", section)
    elif kind == "slack":
        url = reader.get(table, "url", str, None, where) or _secret(reader, table, section, "url", env)
        settings["url"] = _url(reader, table, section, url)
    elif kind == "email":
        settings["host"] = reader.get(table, "host", str, None, where)
        if not settings["host"]:
            reader.fail("missing 'host' (the SMTP server)", section)
        settings["port"] = reader.get(table, "port", int, 587, where, minimum=1)
        settings["starttls"] = reader.get(table, "starttls", bool, True, where)
        settings["tls"] = reader.get(table, "tls", bool, False, where)
        if settings["tls"] and settings["starttls"] and "starttls" in table:
            reader.fail("choose tls (implicit TLS, port 465) or starttls, not both", section, None, "tls")
        if settings["tls"]:
            settings["starttls"] = False
        settings["username"] = reader.get(table, "username", str, None, where)
        settings["password"] = _secret(reader, table, section, "password", env)
        settings["sender"] = reader.get(table, "from", str, None, where)
        recipients = reader.get(table, "to", list, [], where)
        if not settings["sender"] or not recipients or not all(isinstance(r, str) for r in recipients):
            reader.fail("an email channel needs 'from' and a list of addresses in 'to'", section)
        settings["recipients"] = tuple(recipients)
    else:
        path = reader.get(table, "path", str, None, where)
        if not path:
            reader.fail("missing 'path' (the JSON Lines file)", section)
        settings["path"] = Path(path).expanduser()
    return ChannelSettings(**settings)


def _url(reader: ConfigReader, table: dict[str, Any], section: str, url: str | None) -> str:
    if not url or not re.match(r"https?://", url):
        reader.fail("expected an http(s) URL in 'url' (or url_env / url_file for Slack)", section, None, "url")
    assert url is not None
    return url


def _rate(reader: ConfigReader, table: dict[str, Any], section: str) -> tuple[int, float] | None:
    value = table.get("rate_limit")
    if value is None:
        return None
    from services.common.durations import parse_duration

    match = _RATE.match(value) if isinstance(value, str) else None
    try:
        if not match or int(match.group(1)) < 1:
            raise ValueError
        return int(match.group(1)), parse_duration(match.group(2))
    except ValueError:
        reader.fail(f"expected 'COUNT/DURATION' such as '10/1m', got {value!r}", section, None, "rate_limit")
        raise AssertionError("unreachable")


def _secret(reader: ConfigReader, table: dict[str, Any], section: str, what: str, env: dict[str, str]) -> str | None:
    """`<what>_env = "VAR"` or `<what>_file = "path"`; the error names the variable or file, never the value."""
    env_key, file_key = f"{what}_env", f"{what}_file"
    if env_key in table and file_key in table:
        reader.fail(f"give {env_key} or {file_key}, not both", section, None, file_key)
    if env_key in table:
        variable = reader.get(table, env_key, str, None, (section, None))
        if not env.get(variable):
            reader.fail(f"environment variable {variable} is not set", section, None, env_key)
        return env[variable]
    if file_key in table:
        path = Path(reader.get(table, file_key, str, None, (section, None))).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            reader.fail(f"cannot read {path} ({exc.strerror})", section, None, file_key)
            raise AssertionError("unreachable")
        if not value:
            reader.fail(f"{path} is empty", section, None, file_key)
        return value
    return None
