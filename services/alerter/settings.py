"""The alerter's own configuration: `[alerter]` keys and `[channels.NAME]` tables.

Declarative models validate `Config.raw` with `$JIKENBO_ALERTER_<KEY>` and
`$JIKENBO_CHANNELS_<NAME>_<KEY>` laid over it, so a mistake is reported with
the file and line (or the variable) like any other configuration error.
Secrets (webhook secrets, SMTP passwords, Slack webhook URLs) are read from an
environment variable or a file named in the config, never written in it, and
never shown by `repr` or `jikenbo config show`.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, SecretStr

from services.common.config import STRICT, Config, Place, overlay_env, section_keys
from services.common.durations import Duration, PositiveDuration, parse_duration
from services.common.errors import ConfigError
from services.fetcher.settings import HttpUrl

CHANNEL_TYPES = ("webhook", "slack", "email", "jsonl")
SIGNING_SCHEMES = ("jikenbo", "standard")
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
    signing: str = "jikenbo"  # webhook: "jikenbo" (X-Jikenbo-Signature) or "standard" (Standard Webhooks)


@dataclass(frozen=True)
class AlerterSettings:
    """`[alerter]` and `[channels]`."""

    reload_interval: float = 2.0
    backfill_digest: float = 3600.0  # digest period for `backfill = "digest"` on channels without one
    outbox_retention: float = 30 * 86400.0  # delivered outbox rows are forgotten after this
    channels: dict[str, ChannelSettings] = field(default_factory=dict)


class AlerterSection(BaseModel):
    """`[alerter]`."""

    model_config = STRICT
    subscriptions_file: str | None = None  # read by services.common.config into Config.subscriptions_file
    reload_interval: PositiveDuration = 2.0
    backfill_digest: PositiveDuration = 3600.0
    outbox_retention: PositiveDuration = 30 * 86400.0


def _rate(value: Any) -> tuple[int, float] | None:
    """'COUNT/DURATION' such as '10/1m'."""
    match = _RATE.match(value) if isinstance(value, str) else None
    try:
        if not match or int(match.group(1)) < 1:
            raise ValueError
        return int(match.group(1)), parse_duration(match.group(2))
    except ValueError:
        raise ValueError(f"expected 'COUNT/DURATION' such as '10/1m', got {value!r}") from None


def _rate_text(value: str | None) -> str | None:
    if value is not None:
        _rate(value)
    return value


def _list(value: Any) -> Any:
    """A list from the environment: JSON (`["a", "b"]`) or comma-separated (`a,b`)."""
    if isinstance(value, str):
        return json.loads(value) if value.lstrip().startswith("[") else [part.strip() for part in value.split(",") if part.strip()]
    return value


class ChannelSection(BaseModel):
    """What every channel type accepts."""

    model_config = STRICT
    timeout: PositiveDuration = 10.0
    retries: Annotated[int, Field(ge=0)] = 5
    backoff: PositiveDuration = 2.0
    max_backoff: PositiveDuration = 300.0
    rate_limit: Annotated[str | None, AfterValidator(_rate_text)] = None  # kept as written; `_rate` reads it
    digest: Duration = 0.0  # 0: no digest


class WebhookSection(ChannelSection):
    type: Literal["webhook"]
    url: HttpUrl
    secret_env: str | None = None
    secret_file: str | None = None
    signing: Literal["jikenbo", "standard"] = "jikenbo"


class SlackSection(ChannelSection):
    type: Literal["slack"]
    url: SecretStr | None = None  # checked once resolved (it may come from url_env or url_file)
    url_env: str | None = None
    url_file: str | None = None


class EmailSection(ChannelSection):
    type: Literal["email"]
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True
    tls: bool = False
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    sender: str = Field(alias="from")
    recipients: Annotated[tuple[str, ...], BeforeValidator(_list), Field(min_length=1)] = Field(alias="to")


class JsonlSection(ChannelSection):
    type: Literal["jsonl"]
    path: str


CHANNEL_MODELS = {"webhook": WebhookSection, "slack": SlackSection, "email": EmailSection, "jsonl": JsonlSection}
CHANNEL_KEYS = tuple(sorted({key for model in CHANNEL_MODELS.values() for key in section_keys(model)}, key=len, reverse=True))


def env_token(name: str) -> str:
    """How a channel name is spelled in a variable name: `soc-webhook` -> `SOC_WEBHOOK`."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def channels_with_env(raw: Mapping[str, Any], env: Mapping[str, str], sources: dict[str, str]) -> dict[str, Any]:
    """`[channels]` with `$JIKENBO_CHANNELS_<NAME>_<KEY>` laid over it; a new NAME makes a new channel."""
    channels = copy.deepcopy(raw.get("channels", {}))
    if not isinstance(channels, dict):
        return channels
    prefix = "JIKENBO_CHANNELS_"
    for var in sorted(v for v in env if v.startswith(prefix)):
        rest = var[len(prefix):]
        key = next((k for k in CHANNEL_KEYS if rest.endswith("_" + k.upper()) and len(rest) > len(k) + 1), None)
        if key is None:
            raise ConfigError(f"${var}: expected $JIKENBO_CHANNELS_<NAME>_<KEY>, KEY one of: {', '.join(sorted(CHANNEL_KEYS))}")
        token = rest[: -len(key) - 1]
        name = next((n for n in channels if env_token(n) == token), token.lower())
        table = channels.setdefault(name, {})
        if isinstance(table, dict):
            if env[var] == "":
                table.pop(key, None)
            else:
                table[key] = env[var]
            sources[f"channels.{name}.{key}"] = f"${var}"
    return channels


@dataclass(frozen=True)
class Validated:
    """`[alerter]` and `[channels.*]` as validated, with the tables and places they came from."""

    place: Place
    sections: dict[str, Any]  # "alerter" and "channels.NAME" -> its model
    tables: dict[str, Any]  # channel name -> its table, environment included


def validate(config: Config, env: Mapping[str, str]) -> Validated:
    """Lay the environment over `[alerter]` and `[channels]` and validate them with their models."""
    data, sources = {"alerter": copy.deepcopy(config.raw.get("alerter", {}))}, dict(config.sources)
    overlay_env(data, env, "alerter", section_keys(AlerterSection), sources)
    channels = channels_with_env(config.raw, env, sources)
    place = Place(config.source, config.text, sources)
    sections: dict[str, Any] = {"alerter": place.validate(AlerterSection, data["alerter"], "alerter")}
    if not isinstance(channels, dict):
        place.refuse("expected tables [channels.NAME]", key="channels")
    for name, table in channels.items():
        section = f"channels.{name}"
        if not isinstance(table, dict):
            place.refuse(f"expected a table [{section}]", "channels", None, name)
        if table.get("type") not in CHANNEL_TYPES:
            place.refuse(f"expected type one of {', '.join(CHANNEL_TYPES)}, got {table.get('type')!r}", section, None, "type")
        sections[section] = place.validate(CHANNEL_MODELS[table["type"]], table, section)
    return Validated(place, sections, channels)


def load_settings(config: Config, env: dict[str, str] | None = None) -> AlerterSettings:
    """Parse and check `[alerter]` and `[channels.*]`; raise `ConfigError` naming the line or variable."""
    env = dict(os.environ if env is None else env)
    valid = validate(config, env)
    alerter = valid.sections["alerter"]
    return AlerterSettings(
        reload_interval=alerter.reload_interval, backfill_digest=alerter.backfill_digest,
        outbox_retention=alerter.outbox_retention,
        channels={name: _channel(valid, name, env) for name in valid.tables},
    )


def channel_names(config: Config) -> tuple[str, ...]:
    """The names of the `[channels.*]` tables, environment included (for checking subscriptions)."""
    channels = channels_with_env(config.raw, config.env, {})
    return tuple(channels) if isinstance(channels, dict) else ()


def _channel(valid: Validated, name: str, env: Mapping[str, str]) -> ChannelSettings:
    section, place, table = f"channels.{name}", valid.place, valid.tables[name]
    model = valid.sections[section]
    common = dict(
        name=name, type=model.type, timeout=model.timeout, retries=model.retries, backoff=model.backoff,
        max_backoff=model.max_backoff, rate_limit=_rate(model.rate_limit) if model.rate_limit else None, digest=model.digest or None,
    )
    if isinstance(model, WebhookSection):
        secret = _secret(place, table, section, "secret", env)
        if secret is None:
            place.refuse("a webhook needs secret_env or secret_file (the HMAC key)", section)
        if model.signing == "standard":
            _standard_key(place, section, secret)
        return ChannelSettings(**common, url=model.url, secret=secret, signing=model.signing)
    if isinstance(model, SlackSection):
        url = model.url.get_secret_value() if model.url else _secret(place, table, section, "url", env)
        if not url or not re.match(r"https?://", url):
            place.refuse("expected an http(s) URL in 'url' (or url_env / url_file)", section, None, "url")
        return ChannelSettings(**common, url=url)
    if isinstance(model, EmailSection):
        if model.tls and model.starttls and "starttls" in table:
            place.refuse("choose tls (implicit TLS, port 465) or starttls, not both", section, None, "tls")
        return ChannelSettings(
            **common, host=model.host, port=model.port, starttls=model.starttls and not model.tls, tls=model.tls,
            username=model.username, password=_secret(place, table, section, "password", env), sender=model.sender,
            recipients=model.recipients,
        )
    return ChannelSettings(**common, path=Path(model.path).expanduser())


def _standard_key(place: Place, section: str, secret: str) -> None:
    """Standard Webhooks secrets are `whsec_` + base64 of the key."""
    import binascii

    from services.alerter.channels.webhook import standard_key

    try:
        standard_key(secret)
    except (binascii.Error, ValueError):
        place.refuse('signing = "standard" needs a secret of the form whsec_<base64>', section, None, "signing")


def _secret(place: Place, table: dict[str, Any], section: str, what: str, env: Mapping[str, str]) -> str | None:
    """`<what>_env = "VAR"` or `<what>_file = "path"`; the error names the variable or file, never the value."""
    env_key, file_key = f"{what}_env", f"{what}_file"
    if env_key in table and file_key in table:
        place.refuse(f"give {env_key} or {file_key}, not both", section, None, file_key)
    if env_key in table:
        variable = table[env_key]
        if not env.get(variable):
            place.refuse(f"environment variable {variable} is not set", section, None, env_key)
        return env[variable]
    if file_key in table:
        path = Path(table[file_key]).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            place.refuse(f"cannot read {path} ({exc.strerror})", section, None, file_key)
        if not value:
            place.refuse(f"{path} is empty", section, None, file_key)
        return value
    return None
