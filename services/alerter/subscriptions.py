"""Subscriptions: what each subscriber wants, validated and normalised once.

Sectors and incident types accept the code (`healthcare`) or the Japanese
label (`医療`); vendors and organisations are compared by `normalize_name`.
A problem is reported as `SubscriptionError(field, message)` so the caller
can name the file and line.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import fastjsonschema

from schemas import taxonomies, validate
from services.common.names import normalize_name

LIST_FIELDS = ("sectors", "incident_types", "vendors", "organizations", "keywords")
BACKFILL_POLICIES = ("silent", "digest", "notify")


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
    vendors: tuple[tuple[str, str], ...] = ()  # (as written, normalised)
    organizations: tuple[tuple[str, str], ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Subscription:
    """A validated subscription."""

    name: str
    criteria: Criteria
    exclude: Criteria = field(default_factory=Criteria)
    min_affected: int | None = None
    channels: tuple[str, ...] = ("kafka",)
    backfill: str = "silent"


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


def _criteria(data: dict[str, Any]) -> Criteria:
    return Criteria(
        sectors=_codes("sectors", data.get("sectors", [])),
        incident_types=_codes("incident_types", data.get("incident_types", [])),
        vendors=tuple((v, normalize_name(v)) for v in data.get("vendors", [])),
        organizations=tuple((o, normalize_name(o)) for o in data.get("organizations", [])),
        keywords=tuple((k, fold(k)) for k in data.get("keywords", [])),
    )


def parse_subscription(data: Any) -> Subscription:
    """Validate one subscription (schemas/subscription.schema.json) and normalise it."""
    try:
        validate("subscription", data)
    except fastjsonschema.JsonSchemaException as exc:
        path = getattr(exc, "path", None) or []
        key = next((p for p in path[1:] if isinstance(p, str)), None) if isinstance(path, list) else None
        raise SubscriptionError(key, _schema_message(exc)) from None
    criteria = _criteria(data)
    if not any((criteria.sectors, criteria.incident_types, criteria.vendors, criteria.organizations, criteria.keywords)) and (
        data.get("min_affected") is None
    ):
        raise SubscriptionError(None, "matches everything: give at least one of " + ", ".join(LIST_FIELDS) + " or min_affected")
    return Subscription(
        name=data["name"],
        criteria=criteria,
        exclude=_criteria(data.get("exclude", {})),
        min_affected=data.get("min_affected"),
        channels=tuple(data.get("channels", ["kafka"])),
        backfill=data.get("backfill", "silent"),
    )


def _schema_message(exc: fastjsonschema.JsonSchemaException) -> str:
    """fastjsonschema says `data.sectors[0] must be string`; say `sectors[0] must be string`."""
    return exc.message.replace("data.", "").replace("data ", "subscription ")


def load_subscriptions(entries: Any, source: str, text: str, table: str = "subscriptions") -> list[Subscription]:
    """Validate `[[subscriptions]]` entries; errors name the file, line and field."""
    from services.common.config import locate_line
    from services.common.errors import ConfigError

    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: expected [[{table}]] entries")
    subscriptions: list[Subscription] = []
    for index, entry in enumerate(entries):
        try:
            subscription = parse_subscription(entry)
            if any(s.name == subscription.name for s in subscriptions):
                raise SubscriptionError("name", f"duplicate subscription name {subscription.name!r}")
        except SubscriptionError as exc:
            line = locate_line(text, table, index, exc.field) if text else None
            where = f"{source}:{line}" if line else source
            what = f"{table} #{index + 1}" + (f" ({entry.get('name')})" if isinstance(entry, dict) and entry.get("name") else "")
            field_part = f", field '{exc.field}'" if exc.field else ""
            raise ConfigError(f"{where}: {what}{field_part}: {exc}") from None
        subscriptions.append(subscription)
    return subscriptions


def subscriptions_from_config(config: Any) -> list[Subscription]:
    """Inline `[[subscriptions]]` of the config plus those of `alerter.subscriptions_file`."""
    from pathlib import Path

    from services.common.config import parse_toml
    from services.common.errors import ConfigError

    source = config.source
    text = config.text
    subscriptions = load_subscriptions(list(config.subscriptions), source, text)
    if config.subscriptions_file is not None:
        path = Path(config.subscriptions_file)
        try:
            file_text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read subscriptions file ({exc.strerror})") from None
        data = parse_toml(file_text, str(path))
        more = load_subscriptions(data.get("subscriptions", []), str(path), file_text)
        names = {s.name for s in subscriptions}
        for subscription in more:
            if subscription.name in names:
                raise ConfigError(f"{path}: subscription {subscription.name!r} is also defined in {source}")
        subscriptions.extend(more)
    return subscriptions
