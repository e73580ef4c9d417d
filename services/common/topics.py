"""Topic names: the one place they are spelled (DESIGN.md section 4)."""

from __future__ import annotations

from dataclasses import dataclass


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

    def subscription_alerts(self, subscription: str) -> str:
        """Optional per-subscription alert topic."""
        return f"{self.prefix}.alerts.{subscription}"

    def group(self, service: str) -> str:
        """Consumer group (and Faust app id) of a service: `<prefix>-parser`, `<prefix>-alerter`."""
        return f"{self.prefix}-{service}"

    def all(self) -> tuple[str, ...]:
        return (self.raw_posts, self.dead_letters, self.incidents, self.alerts)
