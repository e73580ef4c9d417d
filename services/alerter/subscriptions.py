"""Subscriptions: what each subscriber wants, validated and normalised once.

Sectors and incident types accept the code (`healthcare`) or the Japanese
label (`医療`); vendors and organisations are compared by `normalize_name`
and expanded with their aliases (`services.alerter.aliases`). A problem is
reported as `SubscriptionError(field, message)` so the caller can name the
file and line.

A subscription with `topic = true` gets its own Kafka topic,
`<prefix>.alerts.<name>`; its name is checked against Kafka's rules when the
subscriptions are loaded, not when the first alert cannot be published.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import fastjsonschema

from schemas import taxonomies, validate
from services.alerter.aliases import name_keys
from services.common.config import locate_line, parse_toml
from services.common.errors import ConfigError
from services.common.topics import MAX_TOPIC_LENGTH, Topics, collision_key, topic_problem

LIST_FIELDS = ("sectors", "incident_types", "vendors", "organizations", "keywords")
TOPIC_CHANNEL = "kafka"  # the alerts topic itself; every alert goes there anyway


class SubscriptionError(ValueError):
    """A subscription is malformed; `field` names the offending key (or None)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Criteria:
    """One set of conditions (used both for matching and for `exclude`)."""

    sectors: frozenset[str] = frozenset()
    incident_types: frozenset[str] = frozenset()
    vendors: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (as written, normalised keys incl. aliases)
    organizations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()  # (as written, folded)

    def fields(self) -> tuple[str, ...]:
        """The fields this criteria constrain (AND across them)."""
        return tuple(name for name in LIST_FIELDS if getattr(self, name))


@dataclass(frozen=True)
class Subscription:
    """A validated subscription."""

    name: str
    criteria: Criteria
    exclude: Criteria = field(default_factory=Criteria)
    min_affected: int | None = None
    channels: tuple[str, ...] = (TOPIC_CHANNEL,)
    backfill: str = "silent"
    own_topic: bool = False  # `topic = true`: also publish to Topics.subscription_alerts(name)

    @property
    def delivery_channels(self) -> tuple[str, ...]:
        """Configured channels beyond the alerts topic."""
        return tuple(c for c in self.channels if c != TOPIC_CHANNEL)


def _codes(kind: str, values: list[str]) -> frozenset[str]:
    """Map codes or Japanese labels to codes; unknown values are errors."""
    table: dict[str, str] = taxonomies()[kind]
    by_label = {label: code for code, label in table.items()}
    codes = set()
    for value in values:
        if value in table:
            codes.add(value)
        elif value in by_label:
            codes.add(by_label[value])
        else:
            choices = ", ".join(f"{code} ({label})" for code, label in table.items())
            raise SubscriptionError(kind, f"unknown value {value!r}; expected one of: {choices}")
    return frozenset(codes)


def fold(text: str) -> str:
    """Keyword comparison form: NFKC and casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


def _names(kind: str, values: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for value in values:
        keys = name_keys(value)
        if not keys:
            raise SubscriptionError(kind, f"{value!r} is empty once legal forms and spaces are removed")
        out.append((value, keys))
    return tuple(out)


def _keywords(values: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values:
        if not fold(value).strip():
            raise SubscriptionError("keywords", "empty keyword")
        out.append((value, fold(value)))
    return tuple(out)


def _criteria(data: dict[str, Any]) -> Criteria:
    return Criteria(
        sectors=_codes("sectors", data.get("sectors", [])),
        incident_types=_codes("incident_types", data.get("incident_types", [])),
        vendors=_names("vendors", data.get("vendors", [])),
        organizations=_names("organizations", data.get("organizations", [])),
        keywords=_keywords(data.get("keywords", [])),
    )


def parse_subscription(data: Any, known_channels: Iterable[str] | None = None) -> Subscription:
    """Validate one subscription (schemas/subscription.schema.json) and normalise it.

    `known_channels`, when given, are the `[channels.*]` names the config defines.
    """
    try:
        validate("subscription", data)
    except fastjsonschema.JsonSchemaException as exc:
        path = getattr(exc, "path", None) or []
        key = next((p for p in path[1:] if isinstance(p, str)), None) if isinstance(path, list) else None
        if key is None and "must not contain" in exc.message:
            key = _unknown_key(data)
        raise SubscriptionError(key, _schema_message(exc)) from None
    criteria = _criteria(data)
    if not criteria.fields() and data.get("min_affected") is None:
        raise SubscriptionError(None, "matches everything: give at least one of " + ", ".join(LIST_FIELDS) + " or min_affected")
    channels = tuple(data.get("channels", [TOPIC_CHANNEL]))
    if known_channels is not None:
        allowed = {TOPIC_CHANNEL, *known_channels}
        for channel in channels:
            if channel not in allowed:
                raise SubscriptionError(
                    "channels", f"unknown channel {channel!r}; define [channels.{channel}] or use one of: {', '.join(sorted(allowed))}"
                )
    return Subscription(
        name=data["name"],
        criteria=criteria,
        exclude=_criteria(data.get("exclude", {})),
        min_affected=data.get("min_affected"),
        channels=channels,
        backfill=data.get("backfill", "silent"),
        own_topic=data.get("topic", False),
    )


def _unknown_key(data: Any) -> str | None:
    """The first key the schema does not know, so the error can point at its line."""
    from schemas import schema

    known = set(schema("subscription")["properties"])
    return next((k for k in data if k not in known), None) if isinstance(data, dict) else None


def _schema_message(exc: fastjsonschema.JsonSchemaException) -> str:
    """fastjsonschema says `data.sectors[0] must be string`; say `sectors[0] must be string`."""
    return exc.message.replace("data.", "").replace("data ", "subscription ")


def load_subscriptions(
    entries: Any, source: str, text: str, table: str = "subscriptions", known_channels: Iterable[str] | None = None,
    topics: Topics | None = None, earlier: Sequence[Subscription] = (),
) -> list[Subscription]:
    """Validate `[[subscriptions]]` entries; errors name the file, line and field.

    With `topics`, the topic of each subscription that asks for one must suit
    Kafka, also next to the `earlier` subscriptions (loaded from elsewhere).
    """
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: expected [[{table}]] entries")
    known = None if known_channels is None else tuple(known_channels)
    subscriptions: list[Subscription] = []
    for index, entry in enumerate(entries):
        try:
            subscription = parse_subscription(entry, known)
            if any(s.name == subscription.name for s in subscriptions):
                raise SubscriptionError("name", f"duplicate subscription name {subscription.name!r}")
            if topics is not None and subscription.own_topic:
                check_topic(subscription.name, topics, [s.name for s in (*earlier, *subscriptions) if s.own_topic])
        except SubscriptionError as exc:
            line = locate_line(text, table, index, exc.field) if text else None
            where = f"{source}:{line}" if line else source
            what = f"{table} #{index + 1}" + (f" ({entry.get('name')})" if isinstance(entry, dict) and entry.get("name") else "")
            field_part = f", field '{exc.field}'" if exc.field else ""
            raise ConfigError(f"{where}: {what}{field_part}: {exc}") from None
        subscriptions.append(subscription)
    return subscriptions


def check_topic(name: str, topics: Topics, others: Iterable[str]) -> None:
    """`SubscriptionError` when Kafka would refuse the topic of subscription `name`, or when it collides
    with the topic of one of `others` (names of subscriptions with topics of their own)."""
    topic = topics.subscription_alerts(name)
    problem = topic_problem(topic)
    if problem is not None:
        room = MAX_TOPIC_LENGTH - len(topics.subscription_alerts(""))
        raise SubscriptionError("name", f"its topic {topic!r} cannot exist in Kafka: {problem} "
                                        f"(with topic = true, a name has at most {room} characters)")
    for other in others:
        other_topic = topics.subscription_alerts(other)
        if other != name and collision_key(other_topic) == collision_key(topic):
            raise SubscriptionError("name", f"its topic {topic!r} collides with {other_topic!r} of subscription {other!r}: "
                                            "Kafka treats '.' and '_' in topic names as the same; rename one of them")


def load_subscriptions_file(
    path: Path, known_channels: Iterable[str] | None = None, topics: Topics | None = None, earlier: Sequence[Subscription] = (),
) -> list[Subscription]:
    """The `[[subscriptions]]` of a subscriptions file (`topics` and `earlier` as for `load_subscriptions`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read subscriptions file ({exc.strerror})") from None
    data = parse_toml(text, str(path))
    unknown = [key for key in data if key != "subscriptions"]
    if unknown:
        line = locate_line(text, None, None, unknown[0]) or locate_line(text, unknown[0], None, None)
        raise ConfigError(f"{path}{':' + str(line) if line else ''}: unknown key {unknown[0]!r} (expected [[subscriptions]] entries)")
    return load_subscriptions(data.get("subscriptions", []), str(path), text, known_channels=known_channels, topics=topics, earlier=earlier)


def subscriptions_from_config(config: Any, known_channels: Iterable[str] | None = None) -> list[Subscription]:
    """Inline `[[subscriptions]]` of the config plus those of `alerter.subscriptions_file`."""
    if known_channels is None:
        from services.alerter.settings import channel_names

        known_channels = channel_names(config)
    known = tuple(known_channels)
    topics = Topics(config.topic_prefix)
    subscriptions = load_subscriptions(list(config.subscriptions), config.source, config.text, known_channels=known, topics=topics)
    if config.subscriptions_file is not None:
        path = Path(config.subscriptions_file)
        more = load_subscriptions_file(path, known, topics, subscriptions)
        names = {s.name for s in subscriptions}
        for subscription in more:
            if subscription.name in names:
                raise ConfigError(f"{path}: subscription {subscription.name!r} is also defined in {config.source}")
        subscriptions.extend(more)
    return subscriptions
