"""Configuration: one TOML file plus environment overrides, validated by declarative models.

Lookup order (DESIGN.md section 4): `--config FILE`, else `$JIKENBO_CONFIG`,
else `./jikenbo.toml`, else built-in defaults. `$JIKENBO_<SECTION>_<KEY>`
overrides any key of the file (plus the older names in `LEGACY_ENV`). Each
section is a model owned by the service it configures (services/*/settings.py,
the common ones here); the models carry types and ranges, refuse unknown keys
and NaN, and every problem is a `ConfigError` naming the file and line (or the
variable), the key and the reason, so a typo never surfaces as a stack trace.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Mapping, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, ValidationError, create_model

from services.common.durations import PositiveDuration, parse_duration
from services.common.errors import ConfigError
from services.common.pipeline import STAGES
from services.fetcher.settings import FeedConfig, FetcherConfig
from services.parser.settings import ParserConfig

DEFAULT_FEED_URL = "https://blog.b-son.net/feeds/posts/default"
DEFAULT_STATE_DIR = "~/.local/state/jikenbo"
DEFAULT_TOPIC_PREFIX = "jikenbo"
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, defer_build=True)  # built when first used: a cheap import

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# `[broker]` keys of Kafka security; `$JIKENBO_KAFKA_<KEY>` overrides each (plus $JIKENBO_KAFKA_SASL_PASSWORD).
SECURITY_KEYS = ("security_protocol", "sasl_mechanism", "sasl_username", "sasl_password_file", "ssl_cafile", "ssl_certfile", "ssl_keyfile")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def one_of(*choices: str, upper: bool = False) -> Any:
    """A string field that must be one of `choices` (compared in upper case with `upper`)."""

    def check(value: str) -> str:
        value = value.upper() if upper else value
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return Annotated[str, AfterValidator(check)]


def _kafka_url(url: str | None) -> str | None:
    if url and not url.startswith("kafka://"):
        raise ValueError(f"expected 'kafka://host:port', got {url!r}")
    return url or None


def _topic_prefix(prefix: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9._-]+", prefix):
        raise ValueError("only letters, digits, '.', '_' and '-' allowed")
    return prefix


class BrokerSection(BaseModel):
    """`[broker]`: where Kafka is and how to authenticate; no url means the embedded broker."""

    model_config = STRICT
    url: Annotated[str | None, AfterValidator(_kafka_url)] = None
    topic_prefix: Annotated[str, AfterValidator(_topic_prefix)] = DEFAULT_TOPIC_PREFIX
    partitions: Annotated[int, Field(ge=1)] = 4
    security_protocol: one_of(*SECURITY_PROTOCOLS, upper=True) = "PLAINTEXT"  # type: ignore[valid-type]
    sasl_mechanism: one_of(*SASL_MECHANISMS, upper=True) = "PLAIN"  # type: ignore[valid-type]
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None  # from $JIKENBO_KAFKA_SASL_PASSWORD only, never the file
    sasl_password_file: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None


class StateSection(BaseModel):
    """`[state]`: the directory of every service's SQLite files."""

    model_config = STRICT
    dir: str = DEFAULT_STATE_DIR


class LogSection(BaseModel):
    """`[log]`."""

    model_config = STRICT
    level: one_of(*LOG_LEVELS, upper=True) = "INFO"  # type: ignore[valid-type]
    format: one_of("text", "json") = "text"  # type: ignore[valid-type]


def _port(port: int) -> int:
    if not 0 <= port <= 65535:
        raise ValueError(f"expected a port number (0 disables), got {port}")
    return port


Port = Annotated[int, AfterValidator(_port)]
MetricsSection = create_model(
    "MetricsSection",
    __config__=STRICT,
    __doc__="`[metrics]`: where each service serves /metrics, /healthz and /readyz; port 0 disables it.",
    host=(str, "127.0.0.1"),
    ready_max_lag=(Annotated[int, Field(ge=0)], 1000),  # a consumer this many messages behind is not ready
    lag_interval=(PositiveDuration, 15.0),  # seconds between two consumer-lag measurements
    **{f"{stage.name}_port": (Port, stage.metrics_port) for stage in STAGES},  # type: ignore[arg-type]
)

# The sections this module validates, each by the model of the service it configures.
SECTIONS: dict[str, Any] = {
    "broker": BrokerSection, "state": StateSection, "log": LogSection, "fetcher": FetcherConfig, "parser": ParserConfig,
    "metrics": MetricsSection,
}
# Sections whose owners validate them elsewhere: `[[feeds]]` below, `[[subscriptions]]` by
# services.alerter.subscriptions, `[alerter]` and `[channels]` by services.alerter.settings.
KNOWN_SECTIONS = {*SECTIONS, "feeds", "subscriptions", "alerter", "channels"}
# Names older than `$JIKENBO_<SECTION>_<KEY>`, still honoured (the new name wins when both are set).
LEGACY_ENV = {
    "JIKENBO_TOPIC_PREFIX": ("broker", "topic_prefix"),
    "JIKENBO_ALLOW_PRIVATE_NETWORKS": ("fetcher", "allow_private_networks"),
    "JIKENBO_SUBSCRIPTIONS_FILE": ("alerter", "subscriptions_file"),
    **{f"JIKENBO_KAFKA_{key.upper()}": ("broker", key) for key in (*SECURITY_KEYS, "sasl_password")},
}
NOT_KEYS = {"JIKENBO_METRICS_PORT"}  # this process's port whichever service it runs, not a `[metrics]` key


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
    raw: dict[str, Any] = field(default_factory=dict)  # the file with the environment laid over it, for sections a service reads itself
    text: str = ""  # the file's text, so those sections can report line numbers too
    env: dict[str, str] = field(default_factory=dict, repr=False)  # the environment it was read with
    sources: dict[str, str] = field(default_factory=dict)  # "section.key" -> the variable that set it ("$JIKENBO_…")
    sections: dict[str, Any] = field(default_factory=dict, repr=False)  # the validated section models, for `config show`

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


def section_keys(model: Any) -> tuple[str, ...]:
    """The keys a section model accepts, as written in the file (aliases where a field has one)."""
    if dataclasses.is_dataclass(model):
        return tuple(f.name for f in dataclasses.fields(model))
    return tuple(info.alias or name for name, info in model.model_fields.items())


def overlay_env(data: dict[str, Any], env: Mapping[str, str], section: str, keys: tuple[str, ...],
                sources: dict[str, str], legacy: Mapping[str, tuple[str, str]] = LEGACY_ENV) -> None:
    """Lay `$JIKENBO_<SECTION>_<KEY>` (and the legacy names) over `data[section]`; an empty value unsets the key.

    A variable under the section's prefix that names no key is refused, so a
    typo in a container's environment is as loud as one in the file.
    """
    prefix = f"JIKENBO_{section.upper()}_"
    wanted = {var: key for var, (owner, key) in legacy.items() if owner == section}
    wanted |= {prefix + key.upper(): key for key in keys}
    table = data.setdefault(section, {})
    if not isinstance(table, dict):
        return
    for var in sorted(wanted, key=lambda name: name.startswith(prefix)):  # the new names last: they win
        if var in env:
            key = wanted[var]
            if env[var] == "":
                table.pop(key, None)
            else:
                table[key] = env[var]
            sources[f"{section}.{key}"] = f"${var}"
    for var in env:
        if var.startswith(prefix) and var not in wanted and var not in NOT_KEYS:
            raise ConfigError(f"${var}: unknown key {section}.{var[len(prefix):].lower()} (expected one of: {', '.join(keys)})")


def _problem(error: Any, keys: tuple[str, ...]) -> str:
    """One pydantic error as the reason a person reads."""
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"unknown key (expected one of: {', '.join(keys)})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most", "less_than": "less than"}
        limit = next(iter(ctx.values()))
        return f"must be {words[kind]} {limit}, got {given!r}"
    if kind == "missing":
        return "missing (required)"
    if kind == "finite_number":
        return f"expected a finite number, got {given!r}"
    wanted = {"int": "an integer", "bool": "true or false", "string": "a string", "float": "a number", "list": "a list",
              "tuple": "a list", "dict": "a table", "too": "more values"}
    for prefix, words in wanted.items():
        if kind.startswith(prefix):
            return f"expected {words}, got {given!r}"
    return f"{error['msg']}, got {given!r}"


@functools.cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


@dataclass(frozen=True)
class Place:
    """Where a section's values came from, so a refusal names the line or the variable."""

    name: str  # the file, or "<defaults>"
    text: str  # the file's text
    sources: Mapping[str, str]  # "section.key" -> "$VARIABLE" for values the environment set

    def where(self, table: str | None, index: int | None, key: str | None) -> str:
        variable = self.sources.get(".".join(p for p in (table, key) if p)) if index is None else None
        if variable:
            return variable
        line = locate_line(self.text, table, index, key) if self.text else None
        return f"{self.name}:{line}" if line else self.name

    def refuse(self, problem: str, table: str | None = None, index: int | None = None, key: str | None = None) -> NoReturn:
        what = ".".join(p for p in (table, f"#{index + 1}" if index is not None else None, key) if p)
        raise ConfigError(f"{self.where(table, index, key)}: {what + ': ' if what else ''}{problem}")

    def validate(self, model: Any, value: Any, table: str, index: int | None = None) -> Any:
        """`value` validated against `model`; the first problem in file order becomes a `ConfigError`."""
        if not isinstance(value, dict):
            self.refuse(f"expected a table [{table}]", table, index)
        try:
            return _adapter(model).validate_python(value)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                loc = tuple(error["loc"])
                key = str(loc[0]) if loc else None
                where = self.where(table, index, key)
                line = int(where.rsplit(":", 1)[1]) if where.startswith(self.name + ":") else 0
                problems.append((line, key, _problem(error, section_keys(model))))
            line, key, problem = min(problems, key=lambda p: p[0])
            self.refuse(problem, table, index, key)


def load_config(explicit: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Config:
    """Read the configuration file (if any), lay the environment over it and validate every section."""
    env = dict(os.environ if env is None else env)
    path = find_config_file(explicit)
    text, data = "", {}
    if path is not None:
        text = _read_text(path)
        data = parse_toml(text, str(path))
    return build_config(str(path) if path else "<defaults>", text, data, env)


def build_config(name: str, text: str, data: dict[str, Any], env: dict[str, str]) -> Config:
    """The `Config` of parsed TOML `data` under `env`; raise `ConfigError` naming the line or variable."""
    place = Place(name, text, {})
    for key in data:
        if key not in KNOWN_SECTIONS:
            place.refuse(f"unknown section (expected one of: {', '.join(sorted(KNOWN_SECTIONS))})", key=key)
    broker_table = data.get("broker", {})
    if isinstance(broker_table, dict) and "sasl_password" in broker_table:
        place.refuse("never in the file: use $JIKENBO_KAFKA_SASL_PASSWORD or sasl_password_file", "broker", None, "sasl_password")
    data, sources = copy.deepcopy(data), {}
    for section, model in SECTIONS.items():
        overlay_env(data, env, section, section_keys(model), sources)
    place = Place(name, text, sources)
    sections = {section: place.validate(model, data.get(section, {}), section) for section, model in SECTIONS.items()}
    broker, log, metrics = sections["broker"], sections["log"], sections["metrics"]
    feeds = _feeds(place, data.get("feeds"))
    if env.get("JIKENBO_FEEDS"):
        feeds = _feeds_from_env(env["JIKENBO_FEEDS"], env.get("JIKENBO_FEED_INTERVAL"))
        sources["JIKENBO_FEEDS"] = "$JIKENBO_FEEDS"
    subscriptions = data.get("subscriptions", [])
    if not isinstance(subscriptions, list):
        place.refuse("expected [[subscriptions]] entries", key="subscriptions")
    alerter = data.get("alerter", {})
    subs_file = env.get("JIKENBO_ALERTER_SUBSCRIPTIONS_FILE") or env.get("JIKENBO_SUBSCRIPTIONS_FILE") or (
        alerter.get("subscriptions_file") if isinstance(alerter, dict) else None
    )
    override = env.get("JIKENBO_METRICS_PORT")
    if override is not None and not (override.isdigit() and int(override) <= 65535):
        raise ConfigError(f"$JIKENBO_METRICS_PORT: expected a port number (0 disables), got {override!r}")
    return Config(
        source=name,
        broker_url=broker.url,
        topic_prefix=broker.topic_prefix,
        partitions=broker.partitions,
        security=_security(place, broker),
        metrics=MetricsConfig(
            host=metrics.host, ports={stage.name: getattr(metrics, f"{stage.name}_port") for stage in STAGES},
            port_override=int(override) if override is not None else None,
            ready_max_lag=metrics.ready_max_lag, lag_interval=metrics.lag_interval,
        ),
        state_dir=Path(sections["state"].dir).expanduser(),
        log_level=log.level,
        log_format=log.format,
        fetcher=sections["fetcher"],
        parser=sections["parser"],
        feeds=feeds,
        subscriptions=tuple(subscriptions),
        subscriptions_file=Path(str(subs_file)).expanduser() if subs_file else None,
        raw=data,
        text=text,
        env=env,
        sources=sources,
        sections={**sections, "feeds": feeds},
    )


def _security(place: Place, broker: BrokerSection) -> KafkaSecurity:
    """`[broker]` security keys as the Kafka clients take them; the password from the environment or its file."""
    password = broker.sasl_password.get_secret_value() if broker.sasl_password else None
    if not password and broker.sasl_password_file:
        path = Path(broker.sasl_password_file).expanduser()
        try:
            password = path.read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            place.refuse(f"cannot read {path} ({exc.strerror})", "broker", None, "sasl_password_file")
    security = KafkaSecurity(
        protocol=broker.security_protocol, sasl_mechanism=broker.sasl_mechanism, sasl_username=broker.sasl_username,
        sasl_password=password, ssl_cafile=broker.ssl_cafile, ssl_certfile=broker.ssl_certfile, ssl_keyfile=broker.ssl_keyfile,
    )
    if security.sasl and not (security.sasl_username and security.sasl_password):
        place.refuse(
            f"{security.protocol} needs sasl_username and a password ($JIKENBO_KAFKA_SASL_PASSWORD or sasl_password_file)",
            "broker", None, "security_protocol",
        )
    return security


def _feeds(place: Place, value: Any) -> tuple[FeedConfig, ...]:
    """`[[feeds]]`, each validated by `FeedConfig`; a feed without a name is named after its host."""
    if value is None:
        return Config().feeds
    if not isinstance(value, list):
        place.refuse("expected [[feeds]] entries", key="feeds")
    feeds: list[FeedConfig] = []
    for index, item in enumerate(value):
        if isinstance(item, dict) and "name" not in item:
            if not isinstance(item.get("url"), str):
                place.refuse("missing 'url'", "feeds", index)
            item = {**item, "name": _name_from_url(item["url"])}
        feeds.append(place.validate(FeedConfig, item, "feeds", index))
    names = [feed.name for feed in feeds]
    for index, name in enumerate(names):
        if names.index(name) != index:
            place.refuse(f"duplicate feed name {name!r}", "feeds", index, "name")
    return tuple(feeds)


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
