"""Configuration: one TOML file plus environment overrides.

Lookup order (DESIGN.md section 4): `--config FILE`, else `$JIKENBO_CONFIG`,
else `./jikenbo.toml`, else built-in defaults. Environment variables override
the file. Every problem is reported as a `ConfigError` naming the file, the
line and the problem, so a typo never surfaces as a stack trace.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.common.durations import parse_duration
from services.common.errors import ConfigError
from services.common.pipeline import STAGES

DEFAULT_FEED_URL = "https://blog.b-son.net/feeds/posts/default"
DEFAULT_STATE_DIR = "~/.local/state/jikenbo"
DEFAULT_TOPIC_PREFIX = "jikenbo"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class FeedConfig:
    """One feed to follow."""

    name: str
    url: str
    interval: float = 300.0
    labels: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    min_interval: float | None = None  # bounds of the adaptive interval; None: interval / 2 (at least 60 s)
    max_interval: float | None = None  # None: interval * 4
    push: bool = True  # subscribe to the feed's WebSub hub when fetcher.websub_callback_url is set

    @property
    def interval_bounds(self) -> tuple[float, float]:
        """(shortest, longest) interval the adaptive schedule may choose."""
        low = self.min_interval if self.min_interval is not None else min(self.interval, max(60.0, self.interval / 2))
        high = self.max_interval if self.max_interval is not None else self.interval * 4
        return low, max(low, high)


@dataclass(frozen=True)
class FetcherConfig:
    """Fetcher-wide settings; per-feed settings live in `FeedConfig`."""

    allow_private_networks: bool = False
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    max_backoff: float = 3600.0
    contact_url: str = "https://github.com/jikenbo/jikenbo"
    max_connections: int = 100
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # seconds between the starts of two requests to one host
    websub_callback_url: str | None = None  # public base URL the hub calls back; unset: no push
    websub_listen: str = "127.0.0.1:8089"  # where the callback server listens
    websub_lease: float = 10 * 86400.0  # lease asked of the hub; renewed before it ends


SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# `[broker]` keys of Kafka security; `$JIKENBO_KAFKA_<KEY>` overrides each (plus $JIKENBO_KAFKA_SASL_PASSWORD).
SECURITY_KEYS = ("security_protocol", "sasl_mechanism", "sasl_username", "sasl_password_file", "ssl_cafile", "ssl_certfile", "ssl_keyfile")


@dataclass(frozen=True)
class KafkaSecurity:
    """How every Kafka client of jikenbo authenticates; the default is PLAINTEXT.

    The SASL password comes from an environment variable or a file, never
    from the configuration file itself, and `repr` never shows it.
    """

    protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "PLAIN"
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    @property
    def sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    @property
    def ssl(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")


@dataclass(frozen=True)
class ParserConfig:
    """Limits that keep one hostile or pathological post from stalling the parser (DESIGN.md section 5)."""

    max_post_chars: int = 1_000_000  # longer post texts are dead-lettered, not parsed
    post_deadline: float = 10.0  # seconds of parsing one post may take before it is dead-lettered
    max_incidents: int = 100  # incidents published per post; the excess is reported in a dead letter


@dataclass(frozen=True)
class MetricsConfig:
    """Where each service serves /metrics, /healthz and /readyz; port 0 disables it."""

    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: {stage.name: stage.metrics_port for stage in STAGES})  # `<stage>_port`
    port_override: int | None = None  # $JIKENBO_METRICS_PORT: this process's port, whichever service it runs
    ready_max_lag: int = 1000  # a consumer this many messages behind is not ready
    lag_interval: float = 15.0  # seconds between two consumer-lag measurements

    def service_port(self, service: str) -> int:
        """The configured port of `service` (`jikenbo up` hands each child its own)."""
        return self.ports.get(service, 0)

    def port(self, service: str) -> int:
        """The port this process serves on when it runs `service`."""
        return self.port_override if self.port_override is not None else self.service_port(service)


@dataclass(frozen=True)
class Config:
    """The whole configuration, as read and overridden."""

    source: str = "<defaults>"
    broker_url: str | None = None
    topic_prefix: str = DEFAULT_TOPIC_PREFIX
    partitions: int = 4
    security: KafkaSecurity = field(default_factory=KafkaSecurity)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    state_dir: Path = Path(DEFAULT_STATE_DIR).expanduser()
    log_level: str = "INFO"
    log_format: str = "text"
    fetcher: FetcherConfig = field(default_factory=FetcherConfig)
    parser: ParserConfig = field(default_factory=ParserConfig)
    feeds: tuple[FeedConfig, ...] = (FeedConfig(name="b-son", url=DEFAULT_FEED_URL),)
    subscriptions: tuple[dict[str, Any], ...] = ()
    subscriptions_file: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # the parsed file, for sections a service reads itself
    text: str = ""  # the file's text, so those sections can report line numbers too

    @property
    def embedded(self) -> bool:
        """True when no broker is configured and jikenbo runs its own."""
        return not self.broker_url


def find_config_file(explicit: str | os.PathLike[str] | None) -> Path | None:
    """Resolve which file to read, following the documented lookup order."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found")
        return path
    env = os.environ.get("JIKENBO_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found (from $JIKENBO_CONFIG)")
        return path
    local = Path("jikenbo.toml")
    return local if local.is_file() else None


def load_config(explicit: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Config:
    """Read the configuration file (if any) and apply environment overrides."""
    env = dict(os.environ if env is None else env)
    path = find_config_file(explicit)
    text, data = "", {}
    if path is not None:
        text = _read_text(path)
        data = parse_toml(text, str(path))
    reader = ConfigReader(str(path) if path else "<defaults>", text)
    return reader.build(data, env)


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into one line naming file and line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        end = re.search(r"\(at end of document\)", message)
        problem = message[: (match or end).start()].strip() if (match or end) else message
        if match:
            where = f"{name}:{match.group(1)}:{match.group(2)}"
        elif end:
            where, problem = f"{name}:{max(1, len(text.splitlines()))}", f"{problem} (unexpected end of file)"
        else:
            where = name
        raise ConfigError(f"{where}: {problem}") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def locate_line(text: str, table: str | None, index: int | None, key: str | None) -> int | None:
    """Best-effort line number of `key` in `[table]` or the index-th `[[table]]`.

    tomllib reports positions only for syntax errors; semantic errors (a wrong
    type, an unknown sector) still deserve a line number, so we look for it.
    """
    lines = text.splitlines()
    start = 0
    if table is not None:
        header = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]") if index is not None else re.compile(
            r"^\s*\[\s*" + re.escape(table) + r"\s*\]"
        )
        seen = -1
        for number, line in enumerate(lines):
            if header.match(line):
                seen += 1
                if index is None or seen == index:
                    start = number
                    break
        else:
            return None
        if key is None:
            return start + 1
    if key is None:
        return None
    key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    for number in range(start, len(lines)):
        if number > start and table is not None and re.match(r"^\s*\[", lines[number]):
            break
        if key_re.match(lines[number]):
            return number + 1
    return start + 1 if table is not None else None


KNOWN_SECTIONS = {"broker", "state", "log", "fetcher", "parser", "feeds", "subscriptions", "alerter", "channels", "metrics"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigReader:
    """Turns parsed TOML into a `Config`, raising errors that name the line.

    Services that own a section (say `[alerter]` or `[channels]`) read it from
    `Config.raw` with `ConfigReader(config.source, config.text)` so their
    errors name the line the same way.
    """

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    def fail(self, problem: str, table: str | None = None, index: int | None = None, key: str | None = None) -> None:
        line = locate_line(self.text, table, index, key) if self.text else None
        where = f"{self.name}:{line}" if line else self.name
        what = ".".join(p for p in (table, f"#{index + 1}" if index is not None else None, key) if p)
        raise ConfigError(f"{where}: {what + ': ' if what else ''}{problem}")

    def table(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.fail(f"expected a table [{name}]", key=name)
        return value

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any, where: tuple,
            minimum: int | None = None) -> Any:
        """table[key] checked against `kind` (and, for a count or a size, `minimum`)."""
        value = table.get(key, default)
        if value is not default and not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.fail(f"expected {names}, got {value!r}", *where, key=key)
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum}, got {value!r}", *where, key=key)
        return value

    def duration(self, table: dict[str, Any], key: str, default: float, where: tuple, positive: bool = True) -> float:
        """A duration ("90s", "5m", a number of seconds); zero only where `positive` is False."""
        if key not in table:
            return default
        try:
            seconds = parse_duration(table[key])
        except ValueError as exc:
            self.fail(str(exc), *where, key=key)
            raise AssertionError("unreachable")
        if positive and seconds <= 0:
            self.fail(f"must be longer than zero, got {table[key]!r}", *where, key=key)
        return seconds

    def build(self, data: dict[str, Any], env: dict[str, str]) -> Config:
        for key in data:
            if key not in KNOWN_SECTIONS:
                self.fail(f"unknown section (expected one of: {', '.join(sorted(KNOWN_SECTIONS))})", key=key, table=None)
        broker = self.table(data, "broker")
        state = self.table(data, "state")
        log = self.table(data, "log")
        alerter = self.table(data, "alerter")
        url = self.get(broker, "url", str, None, ("broker", None)) or None
        prefix = self.get(broker, "topic_prefix", str, DEFAULT_TOPIC_PREFIX, ("broker", None))
        partitions = self.get(broker, "partitions", int, 4, ("broker", None))
        state_dir = self.get(state, "dir", str, DEFAULT_STATE_DIR, ("state", None))
        level = self.get(log, "level", str, "INFO", ("log", None)).upper()
        fmt = self.get(log, "format", str, "text", ("log", None))
        subs_file = self.get(alerter, "subscriptions_file", str, None, ("alerter", None))
        fetcher = self.fetcher(self.table(data, "fetcher"))
        parser = self.parser(self.table(data, "parser"))
        feeds = self.feeds(data.get("feeds"))
        subscriptions = self.subscriptions(data.get("subscriptions"))

        url = env.get("JIKENBO_BROKER_URL", url) or None
        prefix = env.get("JIKENBO_TOPIC_PREFIX", prefix)
        state_dir = env.get("JIKENBO_STATE_DIR", state_dir)
        level = env.get("JIKENBO_LOG_LEVEL", level).upper()
        fmt = env.get("JIKENBO_LOG_FORMAT", fmt)
        subs_file = env.get("JIKENBO_SUBSCRIPTIONS_FILE", subs_file)
        if "JIKENBO_ALLOW_PRIVATE_NETWORKS" in env:
            fetcher = _replace(fetcher, allow_private_networks=_env_bool(env, "JIKENBO_ALLOW_PRIVATE_NETWORKS"))
        if env.get("JIKENBO_FEEDS"):
            feeds = _feeds_from_env(env["JIKENBO_FEEDS"], env.get("JIKENBO_FEED_INTERVAL"))
        if url and not url.startswith("kafka://"):
            raise ConfigError(f"{self.name}: broker.url: expected 'kafka://host:port', got {url!r}")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", prefix):
            raise ConfigError(f"{self.name}: broker.topic_prefix: only letters, digits, '.', '_' and '-' allowed")
        if level not in LOG_LEVELS:
            raise ConfigError(f"{self.name}: log.level: expected one of {', '.join(LOG_LEVELS)}, got {level!r}")
        if fmt not in ("text", "json"):
            raise ConfigError(f"{self.name}: log.format: expected 'text' or 'json', got {fmt!r}")
        if partitions < 1:
            self.fail("must be at least 1", "broker", None, "partitions")
        security = self.security(broker, env)
        metrics = self.metrics(self.table(data, "metrics"), env)
        return Config(
            source=self.name,
            broker_url=url,
            topic_prefix=prefix,
            partitions=partitions,
            security=security,
            metrics=metrics,
            state_dir=Path(state_dir).expanduser(),
            log_level=level,
            log_format=fmt,
            fetcher=fetcher,
            parser=parser,
            feeds=feeds,
            subscriptions=subscriptions,
            subscriptions_file=Path(subs_file).expanduser() if subs_file else None,
            raw=data,
            text=self.text,
        )

    def fetcher(self, table: dict[str, Any]) -> FetcherConfig:
        where = ("fetcher", None)
        defaults = FetcherConfig()
        return FetcherConfig(
            allow_private_networks=self.get(table, "allow_private_networks", bool, False, where),
            max_bytes=self.get(table, "max_bytes", int, defaults.max_bytes, where, minimum=1024),
            connect_timeout=self.duration(table, "connect_timeout", defaults.connect_timeout, where),
            read_timeout=self.duration(table, "read_timeout", defaults.read_timeout, where),
            total_timeout=self.duration(table, "total_timeout", defaults.total_timeout, where),
            max_redirects=self.get(table, "max_redirects", int, defaults.max_redirects, where, minimum=0),
            max_backoff=self.duration(table, "max_backoff", defaults.max_backoff, where),
            contact_url=self.get(table, "contact_url", str, defaults.contact_url, where),
            max_connections=self.get(table, "max_connections", int, defaults.max_connections, where, minimum=1),
            per_host_concurrency=self.get(table, "per_host_concurrency", int, defaults.per_host_concurrency, where, minimum=1),
            per_host_delay=self.duration(table, "per_host_delay", defaults.per_host_delay, where, positive=False),
            websub_callback_url=self.get(table, "websub_callback_url", str, None, where) or None,
            websub_listen=self.get(table, "websub_listen", str, defaults.websub_listen, where),
            websub_lease=self.duration(table, "websub_lease", defaults.websub_lease, where),
        )

    def parser(self, table: dict[str, Any]) -> ParserConfig:
        where = ("parser", None)
        defaults = ParserConfig()
        for key in table:
            if key not in ("max_post_chars", "post_deadline", "max_incidents"):
                self.fail("unknown key (expected max_post_chars, post_deadline or max_incidents)", *where, key=key)
        return ParserConfig(
            max_post_chars=self.get(table, "max_post_chars", int, defaults.max_post_chars, where, minimum=1000),
            post_deadline=self.duration(table, "post_deadline", defaults.post_deadline, where),
            max_incidents=self.get(table, "max_incidents", int, defaults.max_incidents, where, minimum=1),
        )

    def security(self, broker: dict[str, Any], env: dict[str, str]) -> KafkaSecurity:
        """`[broker]` security keys, each overridden by `$JIKENBO_KAFKA_<KEY>`."""
        where = ("broker", None)
        values = {key: env.get(f"JIKENBO_KAFKA_{key.upper()}") or self.get(broker, key, str, None, where) for key in SECURITY_KEYS}
        protocol = (values["security_protocol"] or "PLAINTEXT").upper()
        mechanism = (values["sasl_mechanism"] or "PLAIN").upper()
        if protocol not in SECURITY_PROTOCOLS:
            self.fail(f"expected one of {', '.join(SECURITY_PROTOCOLS)}, got {protocol!r}", "broker", None, "security_protocol")
        if mechanism not in SASL_MECHANISMS:
            self.fail(f"expected one of {', '.join(SASL_MECHANISMS)}, got {mechanism!r}", "broker", None, "sasl_mechanism")
        password = env.get("JIKENBO_KAFKA_SASL_PASSWORD") or _read_secret(values["sasl_password_file"], self.name)
        security = KafkaSecurity(
            protocol=protocol, sasl_mechanism=mechanism, sasl_username=values["sasl_username"], sasl_password=password,
            ssl_cafile=values["ssl_cafile"], ssl_certfile=values["ssl_certfile"], ssl_keyfile=values["ssl_keyfile"],
        )
        if security.sasl and not (security.sasl_username and security.sasl_password):
            self.fail(
                f"{protocol} needs sasl_username and a password ($JIKENBO_KAFKA_SASL_PASSWORD or sasl_password_file)",
                "broker", None, "security_protocol",
            )
        return security

    def metrics(self, table: dict[str, Any], env: dict[str, str]) -> MetricsConfig:
        """`[metrics]`, with `$JIKENBO_METRICS_HOST` and `$JIKENBO_METRICS_PORT` on top."""
        where = ("metrics", None)
        defaults = MetricsConfig()
        ports = {stage.name: self.get(table, f"{stage.name}_port", int, stage.metrics_port, where) for stage in STAGES}
        for name, port in ports.items():
            if not 0 <= port <= 65535:
                self.fail(f"expected a port number (0 disables), got {port}", "metrics", None, f"{name}_port")
        override = env.get("JIKENBO_METRICS_PORT")
        if override is not None and not (override.isdigit() and int(override) <= 65535):
            raise ConfigError(f"$JIKENBO_METRICS_PORT: expected a port number (0 disables), got {override!r}")
        return MetricsConfig(
            host=env.get("JIKENBO_METRICS_HOST") or self.get(table, "host", str, defaults.host, where),
            port_override=int(override) if override is not None else None,
            ready_max_lag=self.get(table, "ready_max_lag", int, defaults.ready_max_lag, where, minimum=0),
            lag_interval=self.duration(table, "lag_interval", defaults.lag_interval, where),
            ports=ports,
        )

    def feeds(self, value: Any) -> tuple[FeedConfig, ...]:
        if value is None:
            return Config().feeds
        if not isinstance(value, list):
            self.fail("expected [[feeds]] entries", key="feeds")
        feeds: list[FeedConfig] = []
        for index, item in enumerate(value):
            where = ("feeds", index)
            if not isinstance(item, dict):
                self.fail("expected a table of feed settings", *where)
            url = self.get(item, "url", str, None, where)
            if not url:
                self.fail("missing 'url'", *where)
            if not re.match(r"https?://", url):
                self.fail(f"expected an http(s) URL, got {url!r}", *where, key="url")
            name = self.get(item, "name", str, None, where) or _name_from_url(url)
            labels = self.get(item, "labels", list, [], where)
            headers = self.get(item, "headers", dict, {}, where)
            feeds.append(
                FeedConfig(
                    name=name,
                    url=url,
                    interval=self.duration(item, "interval", 300.0, where),
                    labels=tuple(str(label) for label in labels),
                    headers={str(k): str(v) for k, v in headers.items()},
                    min_interval=self.duration(item, "min_interval", None, where),  # type: ignore[arg-type]
                    max_interval=self.duration(item, "max_interval", None, where),  # type: ignore[arg-type]
                    push=self.get(item, "push", bool, True, where),
                )
            )
        names = [feed.name for feed in feeds]
        for index, name in enumerate(names):
            if names.index(name) != index:
                self.fail(f"duplicate feed name {name!r}", "feeds", index, "name")
        return tuple(feeds)

    def subscriptions(self, value: Any) -> tuple[dict[str, Any], ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail("expected [[subscriptions]] entries", key="subscriptions")
        return tuple(value)


def _replace(fetcher: FetcherConfig, **changes: Any) -> FetcherConfig:
    from dataclasses import replace

    return replace(fetcher, **changes)


def _env_bool(env: dict[str, str], key: str) -> bool:
    value = env[key].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"${key}: expected true or false, got {env[key]!r}")


def _read_secret(path: str | None, source: str) -> str | None:
    """The stripped content of a secret file; the error names the file, never the value."""
    if not path:
        return None
    try:
        return Path(path).expanduser().read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ConfigError(f"{source}: broker.sasl_password_file: cannot read {path} ({exc.strerror})") from None


def _name_from_url(url: str) -> str:
    host = re.sub(r"^https?://", "", url).split("/")[0]
    return host.split(":")[0] or "feed"


def _feeds_from_env(value: str, interval: str | None = None) -> tuple[FeedConfig, ...]:
    """`JIKENBO_FEEDS="name=url,url2"`: a comma-separated list, names optional.

    `JIKENBO_FEED_INTERVAL` (e.g. "30s") sets their polling interval.
    """
    try:
        seconds = parse_duration(interval) if interval else FeedConfig.interval
    except ValueError as exc:
        raise ConfigError(f"$JIKENBO_FEED_INTERVAL: {exc}") from None
    feeds = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, url = part.partition("=")
        if not sep:
            name, url = _name_from_url(part), part
        if not re.match(r"https?://", url):
            raise ConfigError(f"$JIKENBO_FEEDS: expected an http(s) URL, got {url!r}")
        feeds.append(FeedConfig(name=name, url=url, interval=seconds))
    return tuple(feeds)


def bootstrap_servers(broker_url: str) -> str:
    """`kafka://h1:9092,h2:9092` (or `;`-separated) -> `h1:9092,h2:9092` for aiokafka."""
    hosts = [part.strip().removeprefix("kafka://") for part in re.split(r"[,;]", broker_url)]
    return ",".join(h for h in hosts if h)
