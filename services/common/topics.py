"""Topic names: the one place they are spelled (docs/ARCHITECTURE.md, "Stages and topics")."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TOPIC_LENGTH = 249  # Kafka refuses longer topic names
_TOPIC_CHARACTERS = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Topics:
    """The pipeline's topics for one prefix."""

    prefix: str = "jikenbo"

    @property
    def raw_posts(self) -> str:
        return f"{self.prefix}.posts.raw"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}.posts.dlq"

    @property
    def incidents(self) -> str:
        return f"{self.prefix}.incidents"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}.alerts"

    @property
    def epoch(self) -> str:
        """One mark per broker lifetime (services.fetcher.broker_epoch): a new mark means the broker lost its messages."""
        return f"{self.prefix}.broker-epoch"

    def subscription_alerts(self, subscription: str) -> str:
        """Optional per-subscription alert topic."""
        return f"{self.prefix}.alerts.{subscription}"

    def group(self, service: str) -> str:
        """Consumer group (and Faust app id) of a service: `<prefix>-parser`, `<prefix>-alerter`."""
        return f"{self.prefix}-{service}"

    def all(self) -> tuple[str, ...]:
        return (self.raw_posts, self.dead_letters, self.incidents, self.alerts)


def topic_problem(name: str) -> str | None:
    """Why Kafka would refuse `name` as a topic name (characters, length), or None."""
    if not _TOPIC_CHARACTERS.fullmatch(name):
        return "a topic name holds only letters, digits, '.', '_' and '-'"
    if name in (".", ".."):
        return f"{name!r} is not a topic name"
    if len(name) > MAX_TOPIC_LENGTH:
        return f"{len(name)} characters, over Kafka's limit of {MAX_TOPIC_LENGTH}"
    return None


def collision_key(name: str) -> str:
    """Two topics with the same key cannot both exist: Kafka refuses a name that differs
    from an existing one only by '.' versus '_' (their metric names would be the same)."""
    return name.replace(".", "_")
